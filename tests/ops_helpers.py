"""Databases with something in every table, and ways to compare two databases."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from models.access import sharing, users
from models.access.roles import CLI, Actor
from models.demo import generate_demo
from models.ops import transfer
from models.reads import leaderboard, overview, ratings, stats
from models.rules.dimensions import DIMENSIONS
from models.rules.filters import Filters
from models.store.db import session_scope
from models.store.tables import Complaint, LoginSession
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


def rows(
    engine: Engine, *, skip: tuple[str, ...] = ("data_version", "login_session")
) -> dict[str, list]:
    """Every row of every table (sorted by key), as comparable values; by default not the
    login sessions, which no copy carries (``skip=()``: everything)."""
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


def login_sessions(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(LoginSession))


def rewrite_dump(path: Path, change: Callable[[list[str]], list[str]]) -> None:
    """Edit a dump's lines (all but the end marker) with ``change`` and write it back with
    the row counts and the SHA-256 recomputed as Tousu writes them: what anyone who can
    edit a backup file can do."""
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    body = change(lines[:-1])
    counts: dict[str, int] = {}
    table = None
    for line in body[1:]:
        value = json.loads(line)
        if isinstance(value, dict):
            table = value["table"]
            counts[table] = 0
        else:
            counts[table] += 1
    data = "".join(line + "\n" for line in body).encode()
    trailer = json.loads(lines[-1])
    trailer["counts"] = counts
    trailer["sha256"] = hashlib.sha256(data).hexdigest()
    path.write_bytes(gzip.compress(data + (json.dumps(trailer) + "\n").encode()))


def add_rows(path: Path, table: str, *new: dict) -> None:
    """Add rows (given by column name; the others NULL) to ``table`` in the dump at ``path``."""

    def change(lines: list[str]) -> list[str]:
        header = json.loads(lines[0])
        columns = next(t["columns"] for t in header["tables"] if t["name"] == table)
        made = [
            json.dumps([row.get(name) for name, _kind in columns], ensure_ascii=False)
            for row in new
        ]
        at = lines.index(json.dumps({"table": table}, separators=(",", ":")))
        return lines[: at + 1] + made + lines[at + 1 :]

    rewrite_dump(path, change)
