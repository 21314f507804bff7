"""Reads: each takes ``(session, filters, …)`` and returns figures, rows or cases."""
