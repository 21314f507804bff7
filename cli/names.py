"""The one place the command line checks the sector, platform and province names it is given.

Every option whose destination is ``sector``, ``platform`` or ``province`` — whichever
command declares it — is checked here before the command runs. A name that matches
nothing is an :class:`~models.errors.UnknownName` listing the known names: exit status 2,
like any argument argparse refuses, and nothing is done or asked (not even a password).
"""

from __future__ import annotations

import argparse

from cli.data import require_schema
from models.errors import UnknownName
from models.reads.platforms import check_names
from models.rules.labels import PROVINCES, normalize_province
from models.store.db import session_scope

NAMED = ("sector", "platform", "province")


def _listed(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def resolve(args: argparse.Namespace) -> None:
    """Refuse unknown names; provinces become their full names (广东 → 广东省)."""
    provinces = _listed(getattr(args, "province", None))
    if provinces:
        unknown = [name for name in provinces if normalize_province(name) is None]
        if unknown:
            raise UnknownName(
                f"未知省级地区：{'、'.join(unknown)}。已有省级地区：{'、'.join(PROVINCES)}"
                "（也可写简称，如“广东”）"
            )
        full = [normalize_province(name) for name in provinces]
        args.province = full[0] if isinstance(args.province, str) else full
    sectors = _listed(getattr(args, "sector", None))
    platforms = _listed(getattr(args, "platform", None))
    if sectors or platforms:
        require_schema()
        with session_scope() as session:
            check_names(session, sectors, platforms)
