"""Who is looking, and what they may see: the one place pages ask.

Every query the dashboard runs is narrowed to ``Viewer.scope`` in :mod:`dashboard.data`,
so a page cannot show more than its viewer may see, whatever its widgets or URL say.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from models.access.roles import rank
from models.rules.filters import Filters
from models.rules.labels import COUNTING_STATUSES, STATUSES
from models.store.scope import Scope


@dataclass(frozen=True)
class Viewer:
    """The person (or share link) behind this browser session."""

    kind: str  # "anonymous" | "viewer" | "staff" | "admin" | "share"
    username: str | None = None
    scope: Filters = field(default_factory=lambda: Filters(statuses=COUNTING_STATUSES))
    downloads: bool = True
    label: str | None = None
    must_change_password: bool = False

    @property
    def is_staff(self) -> bool:
        return self.has_role("staff")

    @property
    def reveal_personal(self) -> bool:
        """Only staff see complainants' names and contact data."""
        return self.is_staff

    @property
    def read_scope(self) -> Scope:
        """What every read this viewer runs is limited to (bound to its sessions)."""
        return Scope(self.scope, self.reveal_personal)

    def has_role(self, role: str) -> bool:
        return rank(self.kind) >= rank(role)


def anonymous() -> Viewer:
    """Public board: reviewed complaints only, masked personal data."""
    return Viewer("anonymous")


def nothing() -> Filters:
    """A scope that matches no complaint (an invalid share link)."""
    return Filters(sectors=(), statuses=())


def staff_scope() -> Filters:
    """Staff may query every status (pending and rejected complaints too)."""
    return Filters(statuses=STATUSES)


def actor():
    """The domain-layer Actor for this viewer (None for anonymous and share sessions)."""
    from models.access.roles import Actor

    viewer = current_viewer()
    return Actor(viewer.username) if viewer.username else None


def current_viewer() -> Viewer:
    """The viewer app.py resolved for this run (anonymous until set)."""
    return st.session_state.get("viewer") or anonymous()
