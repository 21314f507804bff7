"""Province outlines and resident population, shipped in data/ (see data/README.md)."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache

from models.rules.numbers import round_half_up
from models.settings import DATA_DIR


@dataclass(frozen=True)
class Population:
    name: str
    ten_thousands: Decimal  # 万人
    year: int
    source: str


@cache
def populations() -> dict[str, Population]:
    """Resident population per province (万人) with the official source of each figure."""
    with open(DATA_DIR / "province_population.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {
        r["name"]: Population(r["name"], Decimal(r["population_10k"]), int(r["year"]), r["source"])
        for r in rows
    }


@cache
def outlines() -> dict:
    """GeoJSON FeatureCollection of the 34 provincial-level regions (simplified)."""
    with open(DATA_DIR / "provinces.geojson", encoding="utf-8") as handle:
        return json.load(handle)


def per_ten_million(count: int, province: str) -> Decimal | None:
    """Complaints per 10 million residents, two decimals; None for an unknown region."""
    population = populations().get(province)
    if population is None or not population.ten_thousands:
        return None
    residents = Fraction(population.ten_thousands) * 10_000
    return round_half_up(Fraction(count) * 10_000_000 / residents, 2)
