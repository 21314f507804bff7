"""Share-link sessions: validate the token on every run (revocation works at once) and
count one view per browser session."""

from __future__ import annotations

from models.access import sharing
from models.store.db import session_scope
from web.data import database_url, engine


def resolve(token: str, *, first_view: bool) -> sharing.LinkInfo | None:
    with session_scope(engine(database_url()), write=first_view) as session:
        return sharing.resolve(session, token, count_view=first_view)
