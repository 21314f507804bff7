"""Demo content taken from the reports: platforms, typical cases and published distributions."""
