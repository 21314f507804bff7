"""Rounding as the reports round: half up, on exact values; shares as they print them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


def round_half_up(value: Fraction, places: int) -> Decimal:
    """Round an exact value the way a person does (0.0005 → 0.001)."""
    quantum = Decimal(1).scaleb(-places)
    return (
        (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
            quantum, rounding=ROUND_HALF_UP
        )
        if value.denominator != 1
        else Decimal(value.numerator).quantize(quantum)
    )


def percent(part: int, whole: int) -> Decimal:
    """``part`` of ``whole`` as the reports print it: a two-decimal percent (7 of 18 → 38.89);
    0.00 of nothing."""
    return round_half_up(Fraction(100 * part, whole), 2) if whole else Decimal("0.00")


def fraction(printed: Decimal) -> float:
    """A printed percent as the fraction a download or a chart holds, with the same digits
    (38.89 → 0.3889, never 0.38890000000000002 or the unrounded 0.388888…)."""
    return float(printed / 100)
