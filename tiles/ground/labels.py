"""Street and place names as label points (GeoJSON), each with the distance up to which the
viewer shows it, so labels declutter by zoom: districts and the river from afar, main streets
from a couple of kilometres, lanes and courts only close up.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from tiles.ground.classes import BASE_OFFSET_M, GroundClass
from tiles.ground.shapes import Plane
from tiles.ground.sources import GroundSource
from tiles.ground.tiling import HeightFn, flat

LABELS_FILE = "labels.json"
MAX_LABELS = 20_000
STREET_REPEAT_M = 400.0  # a long street is named again every this many metres
MIN_STREET_M = 30.0  # shorter named pieces get no label of their own
MAJOR_ROADS = {"motorway", "trunk", "primary", "secondary"}
MID_ROADS = {"tertiary", "unclassified", "residential", "living_street"}
PLACE_DISTANCE_M = {"suburb": 8000.0, "quarter": 5000.0, "neighbourhood": 4000.0}


def _street_distance(kind: str) -> float:
    if kind in MAJOR_ROADS:
        return 2500.0
    if kind in MID_ROADS:
        return 1200.0
    return 600.0


def _area_distance(cls: int, area_m2: float) -> float:
    scale = float(np.sqrt(max(area_m2, 1.0)))
    if cls == GroundClass.WATER:
        return float(np.clip(scale * 25.0, 600.0, 10_000.0))
    return float(np.clip(scale * 15.0, 400.0, 4000.0))


def street_labels(
    src: GroundSource, plane: Plane, inside: shapely.Geometry
) -> list[dict[str, Any]]:
    """One label per named street piece, repeated along long streets."""
    named = (src.line_name != "") & np.isin(
        src.line_class, [GroundClass.CARRIAGEWAY, GroundClass.PEDESTRIAN, GroundClass.FOOTWAY]
    )
    by_name: dict[str, list[int]] = defaultdict(list)
    for i in np.flatnonzero(named).tolist():
        by_name[str(src.line_name[i])].append(i)
    lines = plane.forward(src.line_geom[named]) if named.any() else np.zeros(0, object)
    where = {int(j): k for k, j in enumerate(np.flatnonzero(named))}
    out: list[dict[str, Any]] = []
    for name, rows in by_name.items():
        # the most important class and kind among the street's ways decide its label's reach
        kinds = [str(src.line_kind[i]) for i in rows]
        reach = max(_street_distance(k) for k in kinds)
        best = kinds[int(np.argmax([_street_distance(k) for k in kinds]))]
        merged = shapely.line_merge(shapely.union_all(lines[[where[i] for i in rows]]))
        for part in shapely.get_parts(merged):
            length = float(part.length)
            if length < MIN_STREET_M:
                continue
            count = max(1, int(length // STREET_REPEAT_M))
            for k in range(count):
                p = part.interpolate((k + 0.5) / count, normalized=True)
                if inside.contains(p):
                    out.append(_label(p, name, "street", best, reach))
    return out


def area_labels(src: GroundSource, plane: Plane, inside: shapely.Geometry) -> list[dict[str, Any]]:
    """Named water, green and pedestrian areas, at a point inside their part in the extent."""
    out: list[dict[str, Any]] = []
    named = np.flatnonzero(
        (src.area_name != "")
        & np.isin(src.area_class, [GroundClass.WATER, GroundClass.GREEN, GroundClass.PEDESTRIAN])
    )
    if named.size == 0:
        return out
    geoms = shapely.intersection(shapely.make_valid(plane.forward(src.area_geom[named])), inside)
    seen: set[tuple[str, int]] = set()
    for j, g in zip(named.tolist(), geoms, strict=True):
        if g is None or g.is_empty or shapely.area(g) <= 0:
            continue
        cls = int(src.area_class[j])
        name = str(src.area_name[j])
        if (name, cls) in seen:
            continue  # a park mapped as several areas is named once
        seen.add((name, cls))
        label_class = {GroundClass.WATER: "water", GroundClass.GREEN: "green"}.get(
            GroundClass(cls), "square"
        )
        reach = _area_distance(cls, float(shapely.area(g)))
        out.append(
            _label(shapely.point_on_surface(g), name, label_class, str(src.area_kind[j]), reach)
        )
    return out


def _label(p: shapely.Point, name: str, cls: str, kind: str, reach: float) -> dict[str, Any]:
    return {"xy": (p.x, p.y), "name": name, "class": cls, "kind": kind, "max_distance_m": reach}


def write_labels(
    path: Path,
    src: GroundSource,
    plane: Plane,
    extent_lonlat: tuple[float, float, float, float],
    height: HeightFn = flat,
) -> int:
    """Write the label points of ``src`` inside the extent as GeoJSON; returns their count."""
    lon0, lat0, lon1, lat1 = extent_lonlat
    inside = plane.forward(np.array([shapely.box(lon0, lat0, lon1, lat1)], dtype=object))[0]
    labels = street_labels(src, plane, inside) + area_labels(src, plane, inside)
    places = [
        (lon, lat, name, place)
        for lon, lat, name, place in src.place_points
        if lon0 <= lon <= lon1 and lat0 <= lat <= lat1
    ]
    xy = np.array([lab["xy"] for lab in labels]).reshape(-1, 2)
    features: list[dict[str, Any]] = []
    if labels:
        lon, lat = plane.inverse_xy(xy)
        h = height(lon, lat) + BASE_OFFSET_M
        for lab, x, y, z in zip(labels, lon, lat, h, strict=True):
            features.append(_feature(x, y, z, lab))
    if places:
        p = np.array([(a, b) for a, b, _, _ in places])
        h = height(p[:, 0], p[:, 1]) + BASE_OFFSET_M
        for (x, y, name, place), z in zip(places, h, strict=True):
            reach = PLACE_DISTANCE_M.get(place, 2000.0)
            lab = {"name": name, "class": "place", "kind": place, "max_distance_m": reach}
            features.append(_feature(x, y, z, lab))
    features.sort(key=lambda f: (-f["properties"]["max_distance_m"], f["properties"]["name"]))
    features = features[:MAX_LABELS]
    doc = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return len(features)


def _feature(lon: float, lat: float, h: float, lab: dict[str, Any]) -> dict[str, Any]:
    props = {k: lab[k] for k in ("name", "class", "kind", "max_distance_m")}
    return {
        "type": "Feature",
        "geometry": {
            "type": "Point",
            "coordinates": [round(float(lon), 7), round(float(lat), 7), round(float(h), 2)],
        },
        "properties": props,
    }
