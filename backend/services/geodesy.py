"""Distances on the WGS 84 ellipsoid and GeoJSON checks, the same on both database engines.

Distance filters run in two steps (the choice is documented in ``docs/api.md``):

1. SQL keeps rows whose geometry intersects a lon/lat box around the point, the box's half-sizes
   in degrees taken from the radius at the latitude where a degree of longitude is shortest
   within the box (so the box always contains the circle);
2. Python measures the exact geodesic distance with :class:`pyproj.Geod` and drops the rest.

SpatiaLite and PostGIS have different geodesic functions (and SpatiaLite's need a geometry
``ST_Transform`` catalogue); this way no engine-specific SQL leaks out of the repositories and
both engines give identical results.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel
from pyproj import Geod
from shapely.geometry import Point, mapping
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from backend.errors import InvalidInputError
from backend.schemas.geometry import shape_of

GEOD = Geod(ellps="WGS84")
KM_PER_DEGREE_LAT_MIN = 110.574  # at the equator: the shortest degree of latitude
KM_PER_DEGREE_LON_EQUATOR = 111.320


def bbox_around(lon: float, lat: float, radius_km: float) -> tuple[float, float, float, float]:
    """A (west, south, east, north) box containing every point within ``radius_km``."""
    dlat = radius_km / KM_PER_DEGREE_LAT_MIN * 1.01
    south, north = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    far_lat = max(abs(south), abs(north))
    if far_lat >= 89.9:
        return (-180.0, south, 180.0, north)
    dlon = radius_km / (KM_PER_DEGREE_LON_EQUATOR * math.cos(math.radians(far_lat))) * 1.01
    if dlon >= 180 or lon - dlon < -180 or lon + dlon > 180:
        # crossing the antimeridian: keep the whole band of latitudes (rare; exact step follows)
        return (-180.0, south, 180.0, north)
    return (lon - dlon, south, lon + dlon, north)


def distance_km(lon: float, lat: float, geom: BaseGeometry) -> float:
    """Geodesic distance from (lon, lat) to ``geom``: 0 inside an area.

    For areas the nearest point is found in lon/lat (exact enough for sites of a few km) and
    the distance to it is geodesic.
    """
    point = Point(lon, lat)
    if geom.covers(point):
        return 0.0
    nearest = nearest_points(geom, point)[0]
    _, _, metres = GEOD.inv(lon, lat, nearest.x, nearest.y)
    return float(metres) / 1000.0


ALLOWED_LOCATION_TYPES = ("Point", "Polygon", "MultiPolygon")


def parse_geometry(
    value: Any, field: str, allowed: tuple[str, ...] = ALLOWED_LOCATION_TYPES
) -> BaseGeometry:
    """A valid 2D shapely geometry of a GeoJSON input, or :class:`InvalidInputError` naming
    ``field`` (the rules are those of :mod:`backend.schemas.geometry`)."""
    data = value.model_dump() if isinstance(value, BaseModel) else value
    kind = data.get("type") if isinstance(data, dict) else None
    if kind not in allowed:
        raise InvalidInputError(f"{field}: type must be one of {', '.join(allowed)}, got {kind!r}")
    return shape_of(field, data)


def to_geojson(geom: BaseGeometry | None) -> dict[str, Any] | None:
    if geom is None:
        return None
    data: dict[str, Any] = dict(mapping(geom))
    return _listify(data)


def _listify(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _listify(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_listify(v) for v in value]
    return value
