"""Writes: each takes ``(session, actor, …)``, checks the role, refuses stale saves,
records the audit log and keeps the summaries exact.
"""
