"""Ground classes and the tag rules that assign them (OpenStreetMap keys; GIS layers use the same
column names).

Classes are listed bottom to top: a class is drawn ``OFFSET_STEP_M`` above the one before it, so
a road over a park or a bridge over the river never shares a depth with it (no z-fighting), and
the lowest class still lies a few centimetres above the globe or the terrain.
"""

from __future__ import annotations

import re
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray


class GroundClass(IntEnum):
    """A ground surface class; each becomes a glTF primitive with its own material."""

    GREEN = 0  # parks, gardens, grass, woods, pitches
    WATER = 1  # rivers, docks, ponds, fountains
    RAIL = 2  # railway tracks and yards
    PEDESTRIAN = 3  # pedestrian streets, squares
    FOOTWAY = 4  # footways, paths, steps, cycleways
    CARRIAGEWAY = 5  # roads


BASE_OFFSET_M = 0.05
OFFSET_STEP_M = 0.05

# (material name, linear RGBA): muted map colours that read under Cesium's lighting
MATERIALS: dict[GroundClass, tuple[str, list[float]]] = {
    GroundClass.GREEN: ("green", [0.30, 0.48, 0.26, 1.0]),
    GroundClass.WATER: ("water", [0.24, 0.42, 0.62, 1.0]),
    GroundClass.RAIL: ("rail", [0.42, 0.38, 0.36, 1.0]),
    GroundClass.PEDESTRIAN: ("pedestrian", [0.78, 0.74, 0.66, 1.0]),
    GroundClass.FOOTWAY: ("footway", [0.70, 0.64, 0.56, 1.0]),
    GroundClass.CARRIAGEWAY: ("carriageway", [0.33, 0.33, 0.35, 1.0]),
}

LANE_WIDTH_M = 3.25
# full carriageway width in lanes when no `lanes` or `width` tag says otherwise
ROAD_LANES = {
    "motorway": 4,
    "trunk": 4,
    "primary": 2,
    "secondary": 2,
    "tertiary": 2,
    "unclassified": 2,
    "residential": 2,
    "road": 2,
    "living_street": 1.6,
    "service": 1.2,
    "motorway_link": 1,
    "trunk_link": 1,
    "primary_link": 1,
    "secondary_link": 1,
    "tertiary_link": 1,
    "busway": 1,
}
FOOT_WIDTH_M = {"footway": 2.0, "path": 1.5, "steps": 2.0, "cycleway": 2.0, "bridleway": 2.0}
PEDESTRIAN_LINE_WIDTH_M = 5.0
RAIL_WIDTH_M = {"rail": 3.0, "light_rail": 3.0, "tram": 2.6, "narrow_gauge": 2.4, "funicular": 2.4}
MAX_WIDTH_M = 60.0  # a `width` above this is a typo or an area, not a street

GREEN_VALUES = {
    "leisure": {"park", "garden", "pitch", "playground", "nature_reserve", "common", "golf_course"},
    "landuse": {
        "grass",
        "meadow",
        "recreation_ground",
        "village_green",
        "forest",
        "cemetery",
        "allotments",
        "flowerbed",
    },
    "natural": {"wood", "scrub", "grassland", "heath"},
}
WATER_VALUES = {
    "natural": {"water"},
    "waterway": {"riverbank", "dock", "canal"},
    "landuse": {"reservoir", "basin"},
    "amenity": {"fountain"},
}
PEDESTRIAN_AREAS = {"pedestrian", "footway"}
UNDERGROUND = {"yes", "building_passage", "culvert"}

_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|metres|meters)?\s*$")


def parse_width_m(text: str) -> float:
    """A `width` tag in metres (``"7"``, ``"7.5 m"``); NaN when absent or not plain metres."""
    m = _NUMBER.match(text or "")
    if not m:
        return float("nan")
    value = float(m.group(1))
    return value if 0.5 <= value <= MAX_WIDTH_M else float("nan")


def _col(tags: dict[str, NDArray[np.object_]], key: str, n: int) -> NDArray[np.object_]:
    return tags.get(key, np.full(n, "", dtype=object))


def hidden(tags: dict[str, NDArray[np.object_]], n: int) -> NDArray[np.bool_]:
    """Features that are not on the ground surface: tunnels, covered or indoor ways, and
    anything on a negative layer."""
    tunnel = np.isin(_col(tags, "tunnel", n), list(UNDERGROUND))
    covered = _col(tags, "covered", n) == "yes"
    indoor = _col(tags, "indoor", n) == "yes"
    layer = np.array([_layer(v) for v in _col(tags, "layer", n)], dtype=np.int64)
    return tunnel | covered | indoor | (layer < 0)


def _layer(text: str) -> int:
    try:
        return int(str(text).strip() or 0)
    except ValueError:
        return 0


def classify_lines(
    tags: dict[str, NDArray[np.object_]], n: int
) -> tuple[NDArray[np.int16], NDArray[np.float64], NDArray[np.object_]]:
    """Class (-1: not ground), full width in metres and kind (the tag value) of centre lines."""
    highway = _col(tags, "highway", n)
    railway = _col(tags, "railway", n)
    width_tag = np.array([parse_width_m(str(w)) for w in _col(tags, "width", n)])
    lanes = np.array([_lanes(str(v)) for v in _col(tags, "lanes", n)])
    cls = np.full(n, -1, dtype=np.int16)
    width = np.full(n, np.nan)
    kind = np.full(n, "", dtype=object)
    for i in range(n):
        h, r = highway[i], railway[i]
        if h in ROAD_LANES:
            cls[i] = GroundClass.CARRIAGEWAY
            lane_count = lanes[i] if lanes[i] > 0 else ROAD_LANES[h]
            width[i] = max(lane_count * LANE_WIDTH_M, 3.0)
            kind[i] = h
        elif h in FOOT_WIDTH_M:
            cls[i], width[i], kind[i] = GroundClass.FOOTWAY, FOOT_WIDTH_M[h], h
        elif h == "pedestrian":
            cls[i], width[i], kind[i] = GroundClass.PEDESTRIAN, PEDESTRIAN_LINE_WIDTH_M, h
        elif r in RAIL_WIDTH_M:
            cls[i], width[i], kind[i] = GroundClass.RAIL, RAIL_WIDTH_M[r], r
    tagged = ~np.isnan(width_tag) & (cls >= 0)
    width[tagged] = width_tag[tagged]
    cls[hidden(tags, n)] = -1
    return cls, width, kind


def _lanes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return 0.0
    return value if 0 < value <= 12 else 0.0


def classify_areas(
    tags: dict[str, NDArray[np.object_]], n: int
) -> tuple[NDArray[np.int16], NDArray[np.object_], NDArray[np.bool_]]:
    """Class (-1: not ground), kind, and whether the area is a carriageway's own outline
    (`area:highway`), which replaces the buffered centre lines it covers."""
    cls = np.full(n, -1, dtype=np.int16)
    kind = np.full(n, "", dtype=object)
    area_highway = _col(tags, "area:highway", n)
    highway = _col(tags, "highway", n)
    place = _col(tags, "place", n)
    building = _col(tags, "building", n)
    railway = _col(tags, "railway", n)
    landuse = _col(tags, "landuse", n)
    # later rules win: a pedestrian square inside a park is a square
    for key, values in GREEN_VALUES.items():
        col = _col(tags, key, n)
        hit = np.isin(col, list(values))
        cls[hit], kind[hit] = GroundClass.GREEN, col[hit]
    rail = (landuse == "railway") | (railway == "platform")
    cls[rail], kind[rail] = (
        GroundClass.RAIL,
        np.where(landuse[rail] == "railway", "railway", "platform"),
    )
    for key, values in WATER_VALUES.items():
        col = _col(tags, key, n)
        hit = np.isin(col, list(values))
        cls[hit], kind[hit] = GroundClass.WATER, col[hit]
    water = _col(tags, "water", n)
    hit = water != ""
    cls[hit], kind[hit] = GroundClass.WATER, water[hit]
    square = np.isin(highway, list(PEDESTRIAN_AREAS)) | (place == "square")
    cls[square], kind[square] = (
        GroundClass.PEDESTRIAN,
        np.where(place[square] == "square", "square", highway[square]),
    )
    own = np.isin(area_highway, list(ROAD_LANES))
    cls[own], kind[own] = GroundClass.CARRIAGEWAY, area_highway[own]
    foot = np.isin(area_highway, [*list(FOOT_WIDTH_M), "pedestrian"])
    cls[foot], kind[foot] = GroundClass.FOOTWAY, area_highway[foot]
    # buildings are the buildings layer's; a fountain or a roof garden on one is not ground
    cls[(building != "") & (building != "no")] = -1
    cls[hidden(tags, n)] = -1
    return cls, kind, own
