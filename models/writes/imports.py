"""Imports by staff or the command line: a file validated, written and audited in one
transaction."""

from __future__ import annotations

from sqlmodel import Session

from models.access.policy import Can, authorize
from models.access.roles import Actor
from models.importing import ImportReport, import_complaints, import_platforms
from models.writes import audit
from models.writes.workflow import _user_id


def import_file(
    session: Session, actor: Actor, kind: str, data: bytes, filename: str, *, dry_run: bool
) -> ImportReport:
    """An import from the admin page or `tousu import` (actor :data:`~models.access.roles.CLI`):
    checked, written and audited alike."""
    authorize(session, actor, Can.MANAGE_PLATFORMS if kind == "platforms" else Can.IMPORT)
    if kind == "platforms":
        report = import_platforms(session, data, filename, dry_run=dry_run)
    else:
        report = import_complaints(
            session, data, filename, dry_run=dry_run, entered_by_id=_user_id(session, actor)
        )
    if report.written:
        audit.record(
            session,
            actor,
            f"import_{kind}",
            "import",
            filename,
            None,
            {
                "rows": report.rows,
                "inserted": report.inserted,
                "updated": report.updated,
                "platforms_created": len(report.platforms_created),
            },
        )
    return report
