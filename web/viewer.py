"""Who is looking, and what they may see: the one place pages ask.

Every query the dashboard runs is narrowed to the viewer's scope in :mod:`web.data` (the
scope is bound to the read's session), so a page cannot show more than its viewer may see,
whatever its widgets or URL say. What a viewer may do comes from the policy
(:mod:`models.access.policy`), the same table every write checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from models.access.policy import PUBLIC, Can, can
from models.rules.filters import Filters
from models.store.scope import Scope


@dataclass(frozen=True)
class Viewer:
    """The person (or share link) behind this browser session."""

    kind: str  # "anonymous" | "share" | a role: "viewer" | "platform" | "staff" | "admin"
    username: str | None = None
    scope: Filters = field(default_factory=lambda: PUBLIC.filters)
    downloads: bool = True
    label: str | None = None
    must_change_password: bool = False
    alerts: bool = False  # a share link that also opens 预警

    def can(self, capability: Can) -> bool:
        """Whether this viewer may do ``capability`` (visitors: view only; share links: view,
        and 预警 when the link allows it)."""
        if self.kind == "share":
            return capability is Can.VIEW or (capability is Can.ALERTS and self.alerts)
        if self.kind == "anonymous":
            return capability is Can.VIEW
        return can(self.kind, capability)

    @property
    def reveal_personal(self) -> bool:
        """Whether complainants' names and contact data are shown (staff, and a platform
        account for its own complaints)."""
        return self.can(Can.VIEW_PERSONAL)

    @property
    def read_scope(self) -> Scope:
        """What every read this viewer runs is limited to (bound to its sessions)."""
        return Scope(self.scope, self.reveal_personal)


def anonymous() -> Viewer:
    """Public board: reviewed complaints only, masked personal data."""
    return Viewer("anonymous")


def nothing() -> Filters:
    """A scope that matches no complaint (an invalid share link)."""
    return Filters(sectors=(), statuses=())


def actor():
    """The domain-layer Actor for this viewer (None for anonymous and share sessions)."""
    from models.access.roles import Actor

    viewer = current_viewer()
    return Actor(viewer.username) if viewer.username else None


def current_viewer() -> Viewer:
    """The viewer app.py resolved for this run (anonymous until set)."""
    return st.session_state.get("viewer") or anonymous()
