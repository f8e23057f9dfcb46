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
from numpy.typing import NDArray

from tiles.ground.classes import BASE_OFFSET_M, GroundClass
from tiles.ground.shapes import InPlane, Plane
from tiles.ground.sources import GroundSource
from tiles.ground.tiling import HeightFn, flat

LABELS_FILE = "labels.json"
MAX_LABELS = 20_000
STREET_REPEAT_M = 400.0  # a long street is named again every this many metres
MIN_STREET_M = 30.0  # shorter named pieces get no label of their own
MAJOR_ROADS = {"motorway", "trunk", "primary", "secondary"}
MID_ROADS = {"tertiary", "unclassified", "residential", "living_street"}
# a 13 px label of ~120 px spans about D / 6.5 metres seen from D metres (60° field of view,
# 900 px high): labels closer than D / 6 to a more important one are hidden at that distance
SPACING_RATIO = 6.0
MIN_REACH_M = 100.0
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
    src: GroundSource, plane: Plane, inside: shapely.Geometry, projected: InPlane | None = None
) -> list[dict[str, Any]]:
    """One label per named street piece, repeated along long streets."""
    named = (src.line_name != "") & np.isin(
        src.line_class, [GroundClass.CARRIAGEWAY, GroundClass.PEDESTRIAN, GroundClass.FOOTWAY]
    )
    by_name: dict[str, list[int]] = defaultdict(list)
    for i in np.flatnonzero(named).tolist():
        by_name[str(src.line_name[i])].append(i)
    if projected is not None:
        lines = projected.lines[named]
    else:
        lines = plane.forward(src.line_geom[named]) if named.any() else np.zeros(0, object)
    where = {int(j): k for k, j in enumerate(np.flatnonzero(named))}
    out: list[dict[str, Any]] = []
    for name, rows in by_name.items():
        # the most important class and kind among the street's ways decide its label's reach
        kinds = [str(src.line_kind[i]) for i in rows]
        reach = max(_street_distance(k) for k in kinds)
        best = kinds[int(np.argmax([_street_distance(k) for k in kinds]))]
        merged = shapely.line_merge(shapely.union_all(lines[[where[i] for i in rows]]))
        placed: list[shapely.Point] = []
        # longest pieces first; a piece beside one already named (the other carriageway of a
        # dual road, a stub) gets no label of its own
        for part in sorted(shapely.get_parts(merged), key=lambda g: -g.length):
            length = float(part.length)
            if length < MIN_STREET_M:
                continue
            count = max(1, int(length // STREET_REPEAT_M))
            for k in range(count):
                p = part.interpolate((k + 0.5) / count, normalized=True)
                if not inside.contains(p):
                    continue
                if any(p.distance(q) < STREET_REPEAT_M / 2.0 for q in placed):
                    continue
                placed.append(p)
                out.append(_label(p, name, "street", best, reach))
    return out


def area_labels(
    src: GroundSource, plane: Plane, inside: shapely.Geometry, projected: InPlane | None = None
) -> list[dict[str, Any]]:
    """Named water, green and pedestrian areas, at a point inside their part in the extent."""
    out: list[dict[str, Any]] = []
    named = np.flatnonzero(
        (src.area_name != "")
        & np.isin(src.area_class, [GroundClass.WATER, GroundClass.GREEN, GroundClass.PEDESTRIAN])
    )
    if named.size == 0:
        return out
    areas = projected.areas[named] if projected is not None else plane.forward(src.area_geom[named])
    geoms = shapely.intersection(shapely.make_valid(areas), inside)
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


def declutter(xy: NDArray[np.float64], reach_m: NDArray[np.float64]) -> NDArray[np.float64]:
    """Cap each label's display distance at ``SPACING_RATIO`` times its distance to the nearest
    label listed before it (more important), so two labels never share the screen: at a camera
    distance ``D`` a label is about ``D / SPACING_RATIO`` metres wide. ``xy`` in metres, labels
    in order of importance; never below ``MIN_REACH_M`` (every name shows close up)."""
    n = xy.shape[0]
    out = reach_m.astype(np.float64).copy()
    for a in range(1, n, 512):  # blocks of rows against all earlier labels: bounded memory
        b = min(a + 512, n)
        d = np.hypot(xy[a:b, None, 0] - xy[None, :b, 0], xy[a:b, None, 1] - xy[None, :b, 1])
        d[np.arange(b - a)[:, None] + a <= np.arange(b)[None, :]] = np.inf  # earlier only
        out[a:b] = np.minimum(out[a:b], np.maximum(SPACING_RATIO * d.min(axis=1), MIN_REACH_M))
    return out


def _label(p: shapely.Point, name: str, cls: str, kind: str, reach: float) -> dict[str, Any]:
    return {"xy": (p.x, p.y), "name": name, "class": cls, "kind": kind, "max_distance_m": reach}


def write_labels(
    path: Path,
    src: GroundSource,
    plane: Plane,
    extent_lonlat: tuple[float, float, float, float],
    height: HeightFn = flat,
    projected: InPlane | None = None,
) -> int:
    """Write the label points of ``src`` inside the extent as GeoJSON; returns their count
    (``projected``: ``src`` already in ``plane``)."""
    lon0, lat0, lon1, lat1 = extent_lonlat
    inside = plane.forward(np.array([shapely.box(lon0, lat0, lon1, lat1)], dtype=object))[0]
    shapely.prepare(inside)  # tested against every label point
    labels = street_labels(src, plane, inside, projected)
    labels += area_labels(src, plane, inside, projected)
    places = [
        (lon, lat, name, place)
        for lon, lat, name, place in src.place_points
        if lon0 <= lon <= lon1 and lat0 <= lat <= lat1
    ]
    if places:
        pts = np.array([shapely.Point(a, b) for a, b, _, _ in places], dtype=object)
        for p, (_, _, name, place) in zip(plane.forward(pts), places, strict=True):
            reach = PLACE_DISTANCE_M.get(place, 2000.0)
            labels.append(_label(p, name, "place", place, reach))
    labels.sort(key=lambda lab: (-lab["max_distance_m"], lab["name"]))
    labels = labels[:MAX_LABELS]
    xy = np.array([lab["xy"] for lab in labels]).reshape(-1, 2)
    reaches = declutter(xy, np.array([lab["max_distance_m"] for lab in labels]))
    features: list[dict[str, Any]] = []
    if labels:
        lon, lat = plane.inverse_xy(xy)
        h = height(lon, lat) + BASE_OFFSET_M
        for lab, r, x, y, z in zip(labels, reaches, lon, lat, h, strict=True):
            lab["max_distance_m"] = round(float(r), 1)
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
