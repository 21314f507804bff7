"""Tousu's domain layer: tables, database, rating model, queries, import and demo data.

Nothing in this package imports Streamlit; the dashboard, the admin pages and the
command line are thin fronts over it.
"""
