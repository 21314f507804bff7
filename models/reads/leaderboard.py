"""投诉榜: platforms ranked by complaint volume, with movement against the previous period."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from models.reads.platforms import platforms as all_platforms
from models.reads.stats import counts
from models.rules.filters import Filters


@dataclass(frozen=True)
class Rank:
    rank: int
    platform: str
    sector: str
    complaints: int
    previous_rank: int | None
    #: None when there was no comparison (no previous period, or one out of scope).
    previous_complaints: int | None

    @property
    def movement(self) -> str:
        """↑2, ↓1, – (unchanged), 新 (not ranked before), or empty when not compared."""
        if self.previous_complaints is None:
            return ""
        if self.previous_rank is None:
            return "新"
        change = self.previous_rank - self.rank
        return "–" if change == 0 else f"↑{change}" if change > 0 else f"↓{-change}"


def _ranked(label_counts: dict[str, int]) -> list[tuple[int, str, int]]:
    ordered = sorted(label_counts.items(), key=lambda item: (-item[1], item[0]))
    return [(i, name, n) for i, (name, n) in enumerate(ordered, start=1)]


def leaderboard(
    session: Session, current: Filters, previous: Filters | None, limit: int | None = None
) -> list[Rank]:
    """Platforms by volume in ``current``; ranks in ``previous`` (if any) for the movement."""
    sectors = {p.name: p.sector for p in all_platforms(session).values()}
    before = (
        {name: (rank, n) for rank, name, n in _ranked(counts(session, previous, "platform"))}
        if previous is not None
        else {}
    )
    ranks = []
    for rank, name, n in _ranked(counts(session, current, "platform"))[:limit]:
        prev_rank, prev_n = before.get(name, (None, 0 if previous is not None else None))
        ranks.append(Rank(rank, name, sectors.get(name, ""), n, prev_rank, prev_n))
    return ranks
