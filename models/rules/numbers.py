"""Rounding as the reports round: half up, on exact values."""

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
