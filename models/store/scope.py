"""A reader's scope, bound to the session: every statement built from Filters is narrowed to it.

The door to the data (``web/data.py``, and the command line's own sessions) opens a session
with the reader's :class:`Scope`. Reads take filters and may derive others from them — another
year, the whole span (``with_dates(None, None)``), one platform — but SQL is built from
filters only here (:func:`where`, :func:`platform_where`, :func:`narrow`), and each call
intersects with the session's scope first. So a read can narrow what it was given, never
widen it: under a share link for March–May 2024, "no dates" means March–May 2024.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Engine
from sqlmodel import Session

from models.rules.filters import Filters
from models.store.db import session_scope

_KEY = "tousu.scope"


@dataclass(frozen=True)
class Scope:
    """What a reader may see: the complaints ``filters`` selects, personal data or not."""

    filters: Filters = field(default_factory=lambda: Filters(statuses=None))
    reveal_personal: bool = True


#: The server's own view (the command line, migrations, tests): no restriction.
EVERYTHING = Scope()


def bind(session: Session, scope: Scope) -> None:
    """Make ``scope`` the limit of every read on ``session``."""
    session.info[_KEY] = scope


def of(session: Session) -> Scope:
    """The scope bound to ``session`` (:data:`EVERYTHING` when none was bound)."""
    return session.info.get(_KEY, EVERYTHING)


def narrow(session: Session, filters: Filters) -> Filters:
    """``filters`` within the session's scope."""
    return filters.intersect(of(session).filters)


def where(session: Session, filters: Filters) -> list[ColumnElement[bool]]:
    """WHERE clauses on the complaint table for ``filters`` within the session's scope."""
    return narrow(session, filters).conditions()


def platform_where(session: Session, filters: Filters, platform_id) -> list[ColumnElement[bool]]:
    """WHERE clauses on a platform id column for ``filters`` within the session's scope."""
    return narrow(session, filters).platform_conditions(platform_id)


def reveals(session: Session, asked: bool) -> bool:
    """Whether personal data is shown: only when asked for and the scope allows it."""
    return asked and of(session).reveal_personal


@contextmanager
def scoped_session(engine: Engine, scope: Scope) -> Iterator[Session]:
    """A unit of work whose reads are limited to ``scope``."""
    with session_scope(engine) as session:
        bind(session, scope)
        yield session
