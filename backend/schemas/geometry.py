"""The one validator of every GeoJSON geometry the API accepts (RFC 7946, lon/lat WGS 84).

Every entity with a geometry input (a proposal's site boundary, massing footprints, an
opportunity's delivery location, an organisation's base) uses the annotated types here, so the
same rules hold everywhere and are checked in the same order:

1. **sizes first**, before any position is looked at: at most :data:`MAX_POLYGONS` polygons,
   :data:`MAX_RINGS` rings per polygon and :data:`MAX_POSITIONS` positions in the whole
   geometry (a surveyed site boundary has a few hundred; 10,000 leaves room for detailed data
   while a 10⁶-vertex polygon is refused without walking it);
2. **no empty parts** (``MultiPolygon [[]]``, a Polygon without rings);
3. **positions**: ``[lon, lat]`` or ``[lon, lat, height]`` of finite numbers, lon in
   [-180, 180], lat in [-90, 90], height within [:data:`MIN_HEIGHT_M`, :data:`MAX_HEIGHT_M`];
4. **rings**: 4 or more positions, closed (first equals last).

A failure is a 422 whose ``detail`` names the field (from the request location) and the
position in the geometry, e.g. ``body site_boundary: polygon 2 outer ring position 5
(-190, 51.5) is out of range...``. Validity in the plane (self-intersection, no area) needs
GEOS and is checked afterwards by :func:`shape_of`, still before anything is stored.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Any, Literal

import shapely
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from backend.errors import InvalidInputError
from backend.schemas.examples import SITE_RING

#: Positions in one geometry, counted over all its rings and polygons.
MAX_POSITIONS = 10_000
#: Rings (outer ring and holes) in one polygon.
MAX_RINGS = 100
#: Polygons in one MultiPolygon.
MAX_POLYGONS = 100
#: The optional third number of a position: metres above the ellipsoid (Dead Sea shore to
#: well above any building or mast; anything outside is a unit or axis mistake).
MIN_HEIGHT_M = -1_000.0
MAX_HEIGHT_M = 10_000.0

Position = list[float]
_POSITION_DOC = "[lon, lat] or [lon, lat, height_m]; WGS 84 degrees"


class GeometryInputError(ValueError):
    """A geometry breaks one of the rules above; the message says where, without the field."""


# --- the checks ------------------------------------------------------------------------------


def _fmt(x: float, y: float) -> str:
    return f"({x:.6g}, {y:.6g})"


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_position(where: str, pos: Any) -> None:
    if not isinstance(pos, list | tuple) or len(pos) not in (2, 3) or not all(map(_number, pos)):
        raise GeometryInputError(f"{where} must be [lon, lat] or [lon, lat, height]")
    if not all(math.isfinite(v) for v in pos):
        raise GeometryInputError(f"{where} has a number that is not finite")
    lon, lat = pos[0], pos[1]
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        hint = ""
        if -90 <= lon <= 90 and -180 <= lat <= 180:
            hint = " (it looks like [lat, lon]; GeoJSON positions are [lon, lat])"
        raise GeometryInputError(
            f"{where} {_fmt(lon, lat)} is out of range: lon must be in [-180, 180] and lat "
            f"in [-90, 90]{hint}"
        )
    if len(pos) == 3 and not MIN_HEIGHT_M <= pos[2] <= MAX_HEIGHT_M:
        raise GeometryInputError(
            f"{where} height {pos[2]:.6g} must be in [{MIN_HEIGHT_M:g}, {MAX_HEIGHT_M:g}] metres"
        )


def _check_ring(where: str, ring: Any) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        n = len(ring) if isinstance(ring, list) else 0
        raise GeometryInputError(f"{where} has {n} positions; a ring needs 4 or more")
    for i, pos in enumerate(ring):
        _check_position(f"{where} position {i + 1}", pos)
    if list(ring[0][:2]) != list(ring[-1][:2]):
        raise GeometryInputError(
            f"{where} is not closed: the first position {_fmt(*ring[0][:2])} differs from the "
            f"last {_fmt(*ring[-1][:2])}"
        )


def _rings_of(prefix: str, rings: Any) -> list[Any]:
    if not isinstance(rings, list):
        raise GeometryInputError(f"{prefix}coordinates must be a list of rings")
    if not rings:
        raise GeometryInputError(f"{prefix}has no rings; a polygon needs an outer ring")
    if len(rings) > MAX_RINGS:
        raise GeometryInputError(
            f"{prefix}has {len(rings)} rings; at most {MAX_RINGS} (outer ring and holes)"
        )
    return rings


def _polygons(kind: str, coordinates: Any) -> list[tuple[str, list[Any]]]:
    """(prefix, rings) of each polygon, sizes checked; nothing inside a ring looked at yet."""
    if kind == "Polygon":
        return [("", _rings_of("the polygon ", coordinates))]
    if not isinstance(coordinates, list):
        raise GeometryInputError("coordinates must be a list of polygons")
    if not coordinates:
        raise GeometryInputError("has no polygons")
    if len(coordinates) > MAX_POLYGONS:
        raise GeometryInputError(f"has {len(coordinates)} polygons; at most {MAX_POLYGONS}")
    return [
        (f"polygon {i + 1} ", _rings_of(f"polygon {i + 1} ", rings))
        for i, rings in enumerate(coordinates)
    ]


def check_geojson(value: Any, allowed: tuple[str, ...]) -> None:
    """Check a GeoJSON geometry against the rules of this module, sizes first.

    Raises :class:`GeometryInputError` naming the position of the first problem.

    >>> try:
    ...     check_geojson({"type": "MultiPolygon", "coordinates": [[]]}, ("MultiPolygon",))
    ... except GeometryInputError as exc:
    ...     print(exc)
    polygon 1 has no rings; a polygon needs an outer ring
    """
    kind = value.get("type") if isinstance(value, dict) else None
    if kind not in allowed:
        raise GeometryInputError(
            f"type must be {' or '.join(allowed)}, got {kind!r}"
            if isinstance(value, dict)
            else f"must be a GeoJSON {' or '.join(allowed)} object"
        )
    coordinates = value.get("coordinates")
    if kind == "Point":
        _check_position("coordinates", coordinates)
        return
    polygons = _polygons(kind, coordinates)
    total = 0
    for _, rings in polygons:
        for ring in rings:
            total += len(ring) if isinstance(ring, list) else 0
    if total > MAX_POSITIONS:
        raise GeometryInputError(f"has {total} positions; at most {MAX_POSITIONS}")
    for prefix, rings in polygons:
        for r, ring in enumerate(rings):
            _check_ring(f"{prefix}{'outer ring' if r == 0 else f'hole {r}'}", ring)


def _validator(allowed: tuple[str, ...]) -> Callable[[Any], Any]:
    def validate(value: Any) -> Any:
        try:
            check_geojson(value, allowed)
        except GeometryInputError as exc:
            # A custom error keeps the message as written (no "Value error, " prefix); the
            # error handler puts the field's location in front of it.
            raise PydanticCustomError("geometry", str(exc)) from None
        return value

    return validate


# --- the types -------------------------------------------------------------------------------


class PointGeometry(BaseModel):
    """A GeoJSON Point."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"example": {"type": "Point", "coordinates": [-0.0983, 51.5203]}},
    )

    type: Literal["Point"]
    coordinates: Position = Field(min_length=2, max_length=3, description=_POSITION_DOC)


_POLYGON_EXAMPLE: dict[str, Any] = {"type": "Polygon", "coordinates": [SITE_RING]}


class PolygonGeometry(BaseModel):
    """A GeoJSON Polygon: rings of [lon, lat] positions, the first being the outer ring."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"example": _POLYGON_EXAMPLE},
    )

    type: Literal["Polygon"]
    coordinates: list[list[Position]] = Field(
        min_length=1,
        max_length=MAX_RINGS,
        description=f"Closed rings of 4 or more positions; at most {MAX_POSITIONS} in all",
    )


class MultiPolygonGeometry(BaseModel):
    """A GeoJSON MultiPolygon."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["MultiPolygon"]
    coordinates: list[list[list[Position]]] = Field(
        min_length=1,
        max_length=MAX_POLYGONS,
        description=f"Polygons, each as in a Polygon; at most {MAX_POSITIONS} positions in all",
    )


#: A Point (an organisation's base).
PointIn = Annotated[PointGeometry, BeforeValidator(_validator(("Point",)))]
#: A Polygon (a massing footprint).
PolygonIn = Annotated[PolygonGeometry, BeforeValidator(_validator(("Polygon",)))]
#: A Polygon or MultiPolygon (a site boundary).
AreaIn = Annotated[
    PolygonGeometry | MultiPolygonGeometry,
    Field(discriminator="type"),
    BeforeValidator(_validator(("Polygon", "MultiPolygon"))),
]
#: A Point, Polygon or MultiPolygon (where work is delivered).
LocationIn = Annotated[
    PointGeometry | PolygonGeometry | MultiPolygonGeometry,
    Field(discriminator="type"),
    BeforeValidator(_validator(("Point", "Polygon", "MultiPolygon"))),
]


# --- bounding boxes ---------------------------------------------------------------------------

#: (west, south, east, north) in degrees.
BBox = tuple[float, float, float, float]


def parse_bbox(value: str) -> BBox:
    """``west,south,east,north`` in degrees, checked, or InvalidInputError naming ``bbox``."""
    parts = [p.strip() for p in value.split(",")]
    if len(parts) != 4:
        raise InvalidInputError(
            f"bbox: expected 4 numbers west,south,east,north, got {len(parts)} value(s)"
        )
    try:
        w, s, e, n = (float(p) for p in parts)
    except ValueError:
        raise InvalidInputError(f"bbox: {value!r} is not 4 comma-separated numbers") from None
    if not all(math.isfinite(v) for v in (w, s, e, n)):
        raise InvalidInputError("bbox: numbers must be finite")
    if not (-180 <= w <= 180 and -180 <= e <= 180):
        raise InvalidInputError("bbox: west and east must be in [-180, 180]")
    if not (-90 <= s <= 90 and -90 <= n <= 90):
        raise InvalidInputError("bbox: south and north must be in [-90, 90]")
    if w >= e:
        raise InvalidInputError(f"bbox: west ({w}) must be less than east ({e})")
    if s >= n:
        raise InvalidInputError(f"bbox: south ({s}) must be less than north ({n})")
    return w, s, e, n


# --- to shapely ------------------------------------------------------------------------------


def _validity_error(field: str, geom: BaseGeometry) -> InvalidInputError:
    reason = shapely.is_valid_reason(geom)  # e.g. "Self-intersection[-0.09 51.51]"
    what, _, rest = reason.partition("[")
    where = ""
    if rest:
        coords = rest.rstrip("]").split()
        if len(coords) >= 2:
            where = f" at {_fmt(float(coords[0]), float(coords[1]))}"
    return InvalidInputError(f"{field}: not a valid polygon: {what.strip().lower()}{where}")


def shape_of(field: str, geometry: BaseModel | dict[str, Any]) -> BaseGeometry:
    """A valid, 2D shapely geometry of an input checked by the types above.

    Adds the checks that need GEOS: every polygon has an area and the geometry is valid
    (no self-intersection, holes inside). Raises :class:`InvalidInputError` naming ``field``.
    """
    data = geometry.model_dump() if isinstance(geometry, BaseModel) else geometry
    try:
        check_geojson(data, ("Point", "Polygon", "MultiPolygon"))
    except GeometryInputError as exc:
        raise InvalidInputError(f"{field}: {exc}") from None
    geom = shapely.force_2d(shape(data))
    if data["type"] != "Point":
        parts = [geom] if data["type"] == "Polygon" else list(geom.geoms)
        for i, part in enumerate(parts):
            # checked first: GEOS calls a flat ring self-intersecting
            if part.convex_hull.area <= 0:
                which = "the polygon" if data["type"] == "Polygon" else f"polygon {i + 1}"
                raise InvalidInputError(f"{field}: {which} has no area")
            if not part.is_valid:
                raise _validity_error(field, part)
        if not geom.is_valid:
            raise _validity_error(field, geom)
    return geom
