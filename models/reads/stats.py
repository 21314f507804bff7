"""Distributions (占比) of complaints by one dimension, as the reports print them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlmodel import Session

from models.rules import dimensions as registry
from models.rules.filters import Filters
from models.rules.numbers import percent
from models.store import scope, summary
from models.store.tables import Complaint, Platform


@dataclass(frozen=True)
class Share:
    """One bar of a distribution: label, complaint count and percent of the total."""

    label: str
    count: int
    percent: Decimal  # two decimals, e.g. 38.89

    def row(self) -> dict[str, str | int]:
        return {"label": self.label, "count": self.count, "percent": f"{self.percent}%"}


def grouped(
    session: Session,
    filters: Filters,
    dimensions: Sequence[str],
) -> dict[tuple[str, ...], int]:
    """Complaint counts per combination of labels of ``dimensions`` (none: the total), in
    label order.

    Whole months come from the summary tables, the rest from the complaints
    (:func:`models.store.summary.plan`).
    """
    declared = [registry.get(by) for by in dimensions]
    summary_plan = summary.plan(session, filters, dimensions)
    rows = list(
        summary.count_rows(session, dimensions, filters, summary_plan.months)
        if summary_plan.months is not None
        else []
    )
    for part in summary_plan.direct:
        rows += _direct_rows(session, dimensions, part)
    out: dict[tuple[str, ...], int] = {}
    for *values, n in rows:
        key = tuple(d.label_of(value) for d, value in zip(declared, values, strict=True))
        out[key] = out.get(key, 0) + int(n)
    # In label order: rows come in whatever order the database's plan yields (a hash
    # aggregate on PostgreSQL, an index on SQLite), and a page, chart or download made
    # from a read must not differ between the two databases.
    return dict(sorted(out.items()))


def _direct_rows(session: Session, dimensions: Sequence[str], filters: Filters) -> list:
    declared = [registry.get(by) for by in dimensions]
    groups = [d.expression() for d in declared]
    stmt = select(*groups, func.count()).select_from(Complaint)
    if any(d.on_platform for d in declared):
        stmt = stmt.join(Platform, Platform.id == Complaint.platform_id)
    stmt = stmt.where(*scope.where(session, filters))
    if groups:
        stmt = stmt.group_by(*groups)
    return [row for row in session.connection().execute(stmt).all() if row[-1]]


def counts(session: Session, filters: Filters, by: str) -> dict[str, int]:
    """Complaint counts per label of dimension ``by``."""
    return {key[0]: n for key, n in grouped(session, filters, (by,)).items()}


def crosstab(session: Session, filters: Filters, by: str, split: str) -> dict[str, dict[str, int]]:
    """Counts per ``split`` label (e.g. sector), then per ``by`` label."""
    out: dict[str, dict[str, int]] = {}
    for (group, value), n in grouped(session, filters, (split, by)).items():
        out.setdefault(group, {})[value] = n
    return out


def shares(label_counts: dict[str, int]) -> list[Share]:
    """Counts as shares of their total, largest first, then by label."""
    total = sum(label_counts.values())
    ordered = sorted(label_counts.items(), key=lambda item: (-item[1], item[0]))
    return [Share(label, n, percent(n, total)) for label, n in ordered]


def distribution(session: Session, filters: Filters, by: str) -> list[Share]:
    """The distribution of complaints in ``filters`` by ``by``, as the reports list it."""
    return shares(counts(session, filters, by))


def total(session: Session, filters: Filters = Filters()) -> int:
    """How many complaints ``filters`` selects."""
    return grouped(session, filters, ()).get((), 0)
