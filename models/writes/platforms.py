"""Platform management (平台管理): add or change a platform, audited."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlmodel import Session

from models.access.policy import Can, authorize
from models.access.roles import Actor
from models.clock import local_now
from models.errors import NotFound, TousuError
from models.importing import check_platform
from models.importing.platforms import check_unrated_reason
from models.store.freshness import bump
from models.store.tables import Platform
from models.writes import audit


def save_platform(
    session: Session,
    actor: Actor,
    *,
    name: str,
    sector: str,
    onboarded: bool,
    platform_id: int | None = None,
    unrated_reason: str = "",
) -> None:
    """Add a platform, or edit one (name, sector, onboarded, the reason it is 不予评级) —
    administrators."""
    authorize(session, actor, Can.MANAGE_PLATFORMS)
    name, sector = check_platform(name, sector)  # the same checks as an imported platform
    reason = check_unrated_reason(unrated_reason)
    clash = session.execute(select(Platform.id).where(Platform.name == name)).scalar()
    if clash is not None and clash != platform_id:
        raise TousuError(f"平台“{name}”已存在")
    after = {"name": name, "sector": sector, "onboarded": onboarded, "unrated_reason": reason}
    if platform_id is None:
        session.execute(insert(Platform).values(**after, created_at=local_now()))
        audit.record(session, actor, "add_platform", "platform", name, None, after)
    else:
        current = session.get(Platform, platform_id, populate_existing=True)
        if current is None:
            raise NotFound("平台不存在")
        before = {
            "name": current.name,
            "sector": current.sector,
            "onboarded": current.onboarded,
            "unrated_reason": current.unrated_reason,
        }
        session.execute(update(Platform).where(Platform.id == platform_id).values(**after))
        audit.record(session, actor, "edit_platform", "platform", platform_id, before, after)
    bump(session)
