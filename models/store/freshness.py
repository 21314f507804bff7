"""How fresh the data is: a counter that every write bumps, read by the dashboards' caches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Session

from models.clock import local_now
from models.store.tables import DataVersion


def bump(session: Session) -> None:
    """Record that the data changed (call inside the writing transaction)."""
    session.execute(
        update(DataVersion)
        .where(DataVersion.id == 1)
        .values(version=DataVersion.version + 1, changed_at=local_now())
    )


def current(session: Session) -> tuple[int, datetime | None]:
    """(version, time of the last change) — cheap, one primary-key read."""
    row = session.execute(
        select(DataVersion.version, DataVersion.changed_at).where(DataVersion.id == 1)
    ).first()
    return (int(row[0]), row[1]) if row else (0, None)
