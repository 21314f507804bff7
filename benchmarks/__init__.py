"""Speed at a million complaints: Tousu against DuckDB and a naive pandas approach."""
