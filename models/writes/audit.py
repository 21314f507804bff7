"""The audit log: every write records who, when, what, and the values before and after."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session

from models.access.policy import Can, authorize
from models.access.roles import Actor
from models.clock import local_now
from models.store.tables import AuditLog


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _dump(values: dict | None) -> str | None:
    if values is None:
        return None
    return json.dumps({k: _plain(v) for k, v in values.items()}, ensure_ascii=False, sort_keys=True)


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: Any,
    before: dict | None,
    after: dict | None,
) -> None:
    """Add one entry (inside the writing transaction, so it commits with the change)."""
    session.execute(
        insert(AuditLog).values(
            at=local_now(),
            actor=actor.username,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            before=_dump(before),
            after=_dump(after),
        )
    )


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    before: dict | None
    after: dict | None


def entries(
    session: Session,
    actor: Actor,
    *,
    entity: str | None = None,
    entity_id: Any = None,
    who: str | None = None,
    limit: int = 500,
) -> list[Entry]:
    """The newest entries first (administrators only)."""
    authorize(session, actor, Can.AUDIT)
    return _entries(session, entity=entity, entity_id=entity_id, who=who, limit=limit)


def _entries(session: Session, *, entity=None, entity_id=None, who=None, limit=500) -> list[Entry]:
    stmt = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if entity:
        stmt = stmt.where(AuditLog.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditLog.entity_id == str(entity_id))
    if who:
        stmt = stmt.where(AuditLog.actor == who)
    return [_entry(r) for r in session.execute(stmt).scalars()]


def _entry(r: AuditLog) -> Entry:
    return Entry(
        r.id,
        r.at,
        r.actor,
        r.action,
        r.entity,
        r.entity_id,
        json.loads(r.before) if r.before else None,
        json.loads(r.after) if r.after else None,
    )


def shown(value: Any, *, time: bool = False, limit: int | None = 30) -> str:
    """An audited value as a person reads it (the log keeps times as ISO text), cut to
    ``limit`` characters (None: whole)."""
    if value is None or value == "" or value == []:
        return "空"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        value = "、".join(map(str, value))
    if time:
        try:
            return f"{datetime.fromisoformat(str(value)):%Y-%m-%d %H:%M}"
        except ValueError:
            return str(value)
    text = " ".join(str(value).split())
    return text if limit is None or len(text) <= limit else text[:limit] + "…"


@dataclass(frozen=True)
class Change:
    """One field an entry changed; ``new``: the entry made the thing (nothing before)."""

    field: str
    before: Any
    after: Any
    new: bool = False


def changes(entry: Entry, hidden: tuple[str, ...] = ("version",)) -> list[Change]:
    """The fields whose value the entry changed, in the order it wrote them (a field only
    in ``before`` last): what a person wants from an entry, not every field it kept."""
    before, after = entry.before or {}, entry.after or {}
    keys = [*after, *(k for k in before if k not in after)]
    return [
        Change(k, before.get(k), after.get(k), new=entry.before is None)
        for k in keys
        if k not in hidden and before.get(k) != after.get(k)
    ]


def describe(
    entry: Entry,
    fields: dict[str, str],
    actions: dict[str, str],
    *,
    hidden: tuple[str, ...] = ("version",),
    times: tuple[str, ...] = (),
) -> str:
    """One entry as a sentence: who, when, which action, each changed field before → after
    ("alice 于 05-12 10:03 录入满意度（满意度 空 → 7）"), in the names ``fields`` gives."""
    changed = [
        f"{fields.get(c.field, c.field)} {shown(c.before, time=c.field in times)} → "
        f"{shown(c.after, time=c.field in times)}"
        for c in changes(entry, hidden)
        if c.field in (entry.after or {})
    ]
    action = actions.get(entry.action, entry.action)
    return (
        f"{entry.actor} 于 {entry.at:%m-%d %H:%M} {action}（{'，'.join(changed) or '无字段变化'}）"
    )


def changes_since(session: Session, entity: str, entity_id: Any, version: int) -> list[Entry]:
    """Entries that moved an entity past ``version`` (to explain a refused save)."""
    found = _entries(session, entity=entity, entity_id=entity_id, limit=50)
    return [e for e in reversed(found) if (e.after or {}).get("version", 0) > version]


def first_since(session: Session, entity: str, at: datetime) -> Entry | None:
    """The earliest entry about ``entity`` recorded at or after ``at`` (e.g. the import that
    last touched a complaint: imported rows carry no entry of their own)."""
    stmt = (
        select(AuditLog)
        .where(AuditLog.entity == entity, AuditLog.at >= at)
        .order_by(AuditLog.at, AuditLog.id)
        .limit(1)
    )
    found = session.execute(stmt).scalar()
    return None if found is None else _entry(found)
