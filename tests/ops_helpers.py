"""Databases with something in every table, and ways to compare two databases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine, select
from sqlmodel import Session

from models.access import sharing, users
from models.access.roles import CLI, Actor
from models.demo import generate_demo
from models.ops import transfer
from models.reads import leaderboard, overview, ratings, stats
from models.rules.dimensions import DIMENSIONS
from models.rules.filters import Filters
from models.store.db import session_scope
from models.store.tables import Complaint
from models.writes import workflow

PASSWORD = "correct-horse-battery"


def fill(engine: Engine, complaints: int = 1500, seed: int = 3) -> None:
    """Demo complaints plus accounts, a login, a share link and staff writes (audited)."""
    generate_demo(engine, complaints=complaints, seed=seed, years=2)
    with session_scope(engine, write=True) as session:
        users.add_user(session, CLI, "boss", "admin", PASSWORD)
        users.add_user(session, CLI, "clerk", "staff", PASSWORD)
        sharing.create_link(session, CLI, label="记者甲", sectors=["社交电商"], downloads=False)
    assert users.log_in(engine, "clerk", PASSWORD).ok
    assert not users.log_in(engine, "clerk", "wrong-password-here").ok
    clerk = Actor("clerk")
    with session_scope(engine) as session:
        waiting = session.execute(
            select(Complaint.id, Complaint.version, Complaint.transferred_at)
            .where(Complaint.status == "已移交")
            .order_by(Complaint.id)
            .limit(3)
        ).all()
    for cid, version, transferred in waiting:
        with session_scope(engine, write=True) as session:
            workflow.enter_reply(
                session, clerk, cid, text="已退款", replied_at=transferred, seen_version=version
            )


def _plain(value: object) -> object:
    # The same value read from SQLite and from PostgreSQL compares equal.
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, date):
        return value.isoformat()
    return value


def rows(engine: Engine, *, skip: tuple[str, ...] = ("data_version",)) -> dict[str, list]:
    """Every row of every table (sorted by key), as comparable values."""
    with transfer.snapshot(engine) as connection:
        source = transfer.database_source(connection)
        return {
            spec.name: [tuple(_plain(v) for v in row) for batch in batches for row in batch]
            for spec, batches in source.sections()
            if spec.name not in skip
        }


def figures(engine: Engine) -> dict:
    """What the dashboards show, from the same reads: distributions, ratings, ranks."""
    years = [Filters().with_dates(date(y, 1, 1), date(y, 12, 31)) for y in (2024, 2025)]
    with Session(engine) as session:
        shown: dict = {"total": stats.total(session, Filters())}
        for year, filters in zip((2024, 2025), years, strict=True):
            shown[f"headline {year}"] = overview.headline(session, filters)
            shown[f"ranks {year}"] = leaderboard.leaderboard(session, filters, None, None)
            shown[f"ratings {year}"] = ratings.year_table(session, Filters(), year)
            for by in DIMENSIONS:
                shown[f"{by} {year}"] = stats.distribution(session, filters, by)
    return shown
