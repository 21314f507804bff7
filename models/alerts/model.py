"""The count model behind 消费预警: is a window's count an unusual rise for its series?

For each series (a platform, a sector, …) and a window of ``w`` periods ending at the
target period, compare the window's count ``A`` with the series' own baseline, the ``L``
periods just before the window (count ``B``). Under "no change", both are Poisson with
rates in a known ratio ``ρ``: how the window related to the same baseline a season ago
(52 weeks or 12 months earlier). So ``expected = B × ρ`` carries the series' recent
level (and so its growth) and the season (618, 双11).

``ρ`` comes from the series' own counts a season ago, pooled with its parent's (a
platform's sector, or all complaints) as ``pseudo`` baseline complaints: a big series
follows its own season, a small one borrows its parent's instead of last year's noise.

The test is the exact conditional test for the ratio of two Poisson rates (Przyborowski &
Wilenski 1940; statsmodels' ``test_poisson_2indep(method="exact-cond")``, which
tests/test_alerts.py compares with): given ``A + B = n``, ``A`` is Binomial(n, ρ / (1 + ρ))
under no change. The season ratio is itself counted, so its noise is added: ``B`` is
replaced by the Poisson count ``B_eff`` as uncertain as ``expected`` (relative variance
1/B + 1/W' + 1/B', W' and B' the season's window and baseline counts, pseudo-counts
included), with the binomial tail written as a regularized incomplete beta for a
non-integer ``n``. Without it, a medium series' chance quiet week a year ago made a false
alert of an ordinary week. ``score`` is −log10 of the one-sided p-value times the number
of windows tried (Bonferroni).

Everything is vectorised over series and target periods: a year of weekly alerts for a
thousand series is a few array operations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import betainc

#: Periods a season back: 52 ISO weeks (364 days) or 12 months.
SEASON = {"week": 52, "month": 12}
#: Baseline periods just before the window.
BASELINE = {"week": 8, "month": 3}
#: Window lengths tried, in periods (the latest week, and the latest two weeks).
WINDOWS = {"week": (1, 2), "month": (1,)}
#: Baseline complaints the parent's season ratio counts for (see the module docstring).
PSEUDO = 500.0


@dataclass(frozen=True)
class Thresholds:
    """What makes a rise worth an alert: unusual (score) and large (count, ratio)."""

    min_count: int = 20
    min_ratio: float = 1.5
    min_score: float = 2.5


@dataclass(frozen=True)
class Rises:
    """Per series × target: the chosen window's length, actual, expected, ratio, score, and
    whether it is flagged (the flagged window with the best score, else the best score)."""

    window: np.ndarray
    actual: np.ndarray
    expected: np.ndarray
    ratio: np.ndarray
    score: np.ndarray
    flagged: np.ndarray


def _sums(cumulative: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Sums over periods first..last (inclusive) per series and target; 0 outside the data."""
    width = cumulative.shape[1] - 1
    lo = np.clip(first, 0, width)
    hi = np.clip(last + 1, 0, width)
    return cumulative[:, hi] - cumulative[:, lo]


def _cumulative(counts: np.ndarray) -> np.ndarray:
    zero = np.zeros((counts.shape[0], 1))
    return np.concatenate([zero, np.cumsum(counts, axis=1, dtype=float)], axis=1)


def _window(
    own: np.ndarray, par: np.ndarray, targets: np.ndarray, w: int, kind: str, pseudo: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For windows of ``w`` periods ending at ``targets``: the count, its expectation, the
    expectation's relative variance, and whether a full baseline precedes the window (the
    model of the module docstring; ``own`` and ``par`` cumulative counts)."""
    season, base = SEASON[kind], BASELINE[kind]
    first = targets - w + 1
    base_first = first - base
    a = _sums(own, first, targets)
    b = _sums(own, base_first, first - 1)
    ly = first - season, targets - season, base_first - season, first - 1 - season
    own_w, own_b = _sums(own, ly[0], ly[1]), _sums(own, ly[2], ly[3])
    par_w, par_b = _sums(par, ly[0], ly[1]), _sums(par, ly[2], ly[3])
    flat = w / base  # no season known: the window is as busy as the baseline
    parent_ratio = np.where(par_b > 0, par_w / np.maximum(par_b, 1), flat)
    has_year = (ly[2] >= 0)[None, :]
    # Half a complaint at least: a season that saw none is "rare", not "impossible".
    season_w = np.maximum(own_w + pseudo * parent_ratio, 0.5)
    season_b = np.maximum(own_b + pseudo, 0.5)
    rho = np.where(has_year, season_w / season_b, flat)
    expected = np.maximum(b, 0.5) * rho  # half a complaint: a series new to its baseline
    # The expectation's relative variance: the baseline's and the season ratio's.
    noise = 1 / np.maximum(b, 0.5) + np.where(has_year, 1 / season_w + 1 / season_b, 0.0)
    return a, expected, noise, (base_first >= 0)[None, :]


def expectations(
    counts: np.ndarray, parent: np.ndarray, targets: np.ndarray, kind: str, pseudo: float = PSEUDO
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per series and target period: the count, what the model expected, and a band of
    about 95 % around it (the Poisson count's own spread plus the expectation's) — what
    a chart draws. NaN where no full baseline precedes the period."""
    a, expected, noise, has_baseline = _window(
        _cumulative(counts), _cumulative(parent), np.asarray(targets), 1, kind, pseudo
    )
    spread = 1.96 * np.sqrt(expected + expected**2 * noise)
    expected = np.where(has_baseline, expected, np.nan)
    return a, expected, np.maximum(expected - spread, 0.0), expected + spread


def rises(
    counts: np.ndarray,
    parent: np.ndarray,
    targets: np.ndarray,
    kind: str,
    thresholds: Thresholds = Thresholds(),
    pseudo: float = PSEUDO,
) -> Rises:
    """Test the windows ending at each of ``targets`` (period indexes) for every series.

    ``counts`` and ``parent`` are series × periods (period 0 the oldest); ``parent[i]`` is
    series i's parent's counts. A target without a full baseline scores 0.
    """
    windows = WINDOWS[kind]
    own, par = _cumulative(counts), _cumulative(parent)
    targets = np.asarray(targets)
    best: Rises | None = None
    for w in windows:
        a, expected, noise, has_baseline = _window(own, par, targets, w, kind, pseudo)
        b_eff = 1 / noise  # a Poisson count as uncertain as the expectation
        p0 = expected / (expected + b_eff)
        # P(A ≥ a | A + B_eff): the binomial tail as a regularized incomplete beta.
        p = np.where(a > 0, betainc(np.maximum(a, 1), b_eff + 1, p0), 1.0)
        score = -np.log10(np.clip(p * len(windows), 1e-300, 1.0))
        score = np.where(has_baseline, score, 0.0)
        ratio = a / np.where(expected > 0, expected, np.nan)  # none when the season says 0
        flagged = (
            (score >= thresholds.min_score)
            & (a >= thresholds.min_count)
            & (ratio >= thresholds.min_ratio)
        )
        found = Rises(np.full(a.shape, w), a, expected, ratio, score, flagged)
        if best is None:
            best = found
            continue
        better = (found.flagged > best.flagged) | (
            (found.flagged == best.flagged) & (found.score > best.score)
        )
        best = Rises(*(np.where(better, getattr(found, f), getattr(best, f)) for f in _FIELDS))
    assert best is not None
    return best


_FIELDS = tuple(Rises.__dataclass_fields__)
