"""Ground features from the inputs: OSM PBF/XML through GDAL's OSM driver (the buildings' own
``osmconf.ini`` and, in a build, the same pass over the file: :mod:`tiles.readers.osm`), or GIS
layers (GeoJSON, GeoPackage, ...) whose columns use OSM's key names
(``highway``, ``railway``, ``landuse``, ``leisure``, ``natural``, ``water``, ``name``, ...).

Everything comes back as plain arrays in EPSG:4326: centre lines with a class and a width, and
areas with a class; turning lines into polygons is :mod:`tiles.ground.shapes`' job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import pyogrio.errors
import shapely
from numpy.typing import NDArray

from tiles.errors import CRSError, InvalidInputError
from tiles.geometry.crs import parse_crs, to_wgs84
from tiles.ground.classes import classify_areas, classify_lines
from tiles.readers.osm import LayerQuery, OsmRows, read_layers

log = logging.getLogger(__name__)

OSM_SUFFIXES = (".pbf", ".osm")
LINE_TAGS = ("name", "highway", "railway", "lanes", "width", "tunnel", "layer", "covered", "indoor")
AREA_TAGS = (
    "name",
    "highway",
    "area:highway",
    "landuse",
    "leisure",
    "natural",
    "place",
    "water",
    "waterway",
    "amenity",
    "railway",
    "building",
    "tunnel",
    "layer",
    "covered",
    "indoor",
)
PLACE_LABELS = {"square", "neighbourhood", "quarter", "suburb", "locality", "city_block"}
# what the ground reads of an OSM file, all in one pass (tiles.readers.osm.read_layers): every
# area (classified here), the centre lines of roads, paths and rail, and named places
OSM_QUERIES = {
    "multipolygons": LayerQuery(AREA_TAGS),
    "lines": LayerQuery(LINE_TAGS, "highway IS NOT NULL OR railway IS NOT NULL"),
    "points": LayerQuery(("name", "place"), "place IS NOT NULL"),
}
MAX_GROUND_FEATURES = 2_000_000  # bounded before any geometry work


@dataclass
class GroundSource:
    """Ground features of the inputs, in EPSG:4326."""

    line_geom: NDArray[np.object_] = field(default_factory=lambda: np.zeros(0, object))
    line_class: NDArray[np.int16] = field(default_factory=lambda: np.zeros(0, np.int16))
    line_width_m: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    line_kind: NDArray[np.object_] = field(default_factory=lambda: np.zeros(0, object))
    line_name: NDArray[np.object_] = field(default_factory=lambda: np.zeros(0, object))
    line_id: NDArray[np.object_] = field(default_factory=lambda: np.zeros(0, object))
    area_geom: NDArray[np.object_] = field(default_factory=lambda: np.zeros(0, object))
    area_class: NDArray[np.int16] = field(default_factory=lambda: np.zeros(0, np.int16))
    area_kind: NDArray[np.object_] = field(default_factory=lambda: np.zeros(0, object))
    area_name: NDArray[np.object_] = field(default_factory=lambda: np.zeros(0, object))
    area_id: NDArray[np.object_] = field(default_factory=lambda: np.zeros(0, object))
    area_own_road: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))
    place_points: list[tuple[float, float, str, str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return int(self.line_geom.shape[0] + self.area_geom.shape[0])

    def extend(self, other: GroundSource) -> None:
        for name in self.__dataclass_fields__:
            if name == "place_points":
                self.place_points += other.place_points
            else:
                setattr(self, name, np.concatenate([getattr(self, name), getattr(other, name)]))


def _strings(values: Any, n: int) -> NDArray[np.object_]:
    out = np.full(n, "", dtype=object)
    if values is None:
        return out
    arr = np.asarray(values, dtype=object)
    ok = np.array([v is not None and v == v for v in arr], dtype=bool)  # not None, not NaN
    out[ok] = [str(v) for v in arr[ok]]
    return out


def _read_layer(path: Path, layer: str, columns: tuple[str, ...], **kw: Any) -> Any:
    try:
        return pyogrio.read_dataframe(path, layer=layer, **kw)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise InvalidInputError(f"{path}: cannot read layer {layer!r} ({exc})") from exc


def _osm_ids(columns: dict[str, Any], n: int) -> NDArray[np.object_]:
    rel = _strings(columns.get("osm_id"), n)
    if "osm_way_id" not in columns:
        return np.array(["way/" + r for r in rel], dtype=object)
    way = _strings(columns["osm_way_id"], n)
    return np.where(way != "", "way/" + way.astype(str), "relation/" + rel.astype(str)).astype(
        object
    )


def _tags(columns: dict[str, Any], keys: tuple[str, ...], n: int) -> dict[str, NDArray[np.object_]]:
    return {k: _strings(columns.get(k), n) for k in keys}


@dataclass
class _Rows:
    """Features of one kind (lines or areas): shapely geometries, raw columns and ids."""

    geom: NDArray[np.object_]
    columns: dict[str, Any]
    ids: NDArray[np.object_]


def _from_rows(lines: _Rows | None, areas: _Rows | None) -> GroundSource:
    out = GroundSource()
    if lines is not None and lines.geom.size:
        n = lines.geom.shape[0]
        is_line = np.isin(shapely.get_type_id(lines.geom), [1, 5])
        tags = _tags(lines.columns, LINE_TAGS, n)
        cls, width, kind = classify_lines(tags, n)
        keep = (cls >= 0) & is_line
        out.line_geom = lines.geom[keep]
        out.line_class = cls[keep]
        out.line_width_m = width[keep]
        out.line_kind = kind[keep]
        out.line_name = tags["name"][keep]
        out.line_id = lines.ids[keep]
    if areas is not None and areas.geom.size:
        n = areas.geom.shape[0]
        is_area = np.isin(shapely.get_type_id(areas.geom), [3, 6])
        tags = _tags(areas.columns, AREA_TAGS, n)
        cls, kind, own = classify_areas(tags, n)
        keep = (cls >= 0) & is_area
        out.area_geom = shapely.make_valid(areas.geom[keep])
        out.area_class = cls[keep]
        out.area_kind = kind[keep]
        out.area_name = tags["name"][keep]
        out.area_id = areas.ids[keep]
        out.area_own_road = own[keep]
    return out


def _osm_rows(rows: OsmRows) -> _Rows:
    n = len(rows)
    geom = shapely.from_wkb(rows.wkb, on_invalid="ignore") if n else np.zeros(0, object)
    return _Rows(np.asarray(geom, dtype=object), rows.columns, _osm_ids(rows.columns, n))


def read_osm_ground(path: Path, layers: dict[str, OsmRows] | None = None) -> GroundSource:
    """Roads, paths, rail, water and green of an OSM PBF/XML file (EPSG:4326), from ``layers``
    when the buildings' read already holds them (:data:`OSM_QUERIES`), else in one pass."""
    if layers is None:
        layers = read_layers(path, OSM_QUERIES)
    lines, areas, points = layers["lines"], layers["multipolygons"], layers["points"]
    if len(lines) + len(areas) > MAX_GROUND_FEATURES:
        raise InvalidInputError(
            f"{path}: {len(lines) + len(areas)} ground features, more than the "
            f"{MAX_GROUND_FEATURES} a ground layer is built from at once; split the input"
        )
    out = _from_rows(_osm_rows(lines), _osm_rows(areas))
    n = len(points)
    if n:
        xy = shapely.get_coordinates(shapely.from_wkb(points.wkb, on_invalid="ignore"))
        names, places = _strings(points.columns["name"], n), _strings(points.columns["place"], n)
        for (x, y), name, place in zip(xy.tolist(), names, places, strict=True):
            if name and place in PLACE_LABELS:
                out.place_points.append((float(x), float(y), str(name), str(place)))
    return out


def read_gis_ground(
    path: Path, src_crs: str | None = None, layer: str | None = None
) -> GroundSource:
    """Ground features of every layer (or ``layer``) of a GIS file whose columns carry OSM key
    names; lines and polygons are told apart by geometry type."""
    try:
        layers = [layer] if layer else [str(row[0]) for row in pyogrio.list_layers(path)]
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise InvalidInputError(f"{path}: cannot read ({exc})") from exc
    out = GroundSource()
    for name in layers:
        frame = _read_layer(path, name, AREA_TAGS)
        if len(frame) > MAX_GROUND_FEATURES:
            raise InvalidInputError(
                f"{path}, layer {name!r}: {len(frame)} features, more than {MAX_GROUND_FEATURES}"
            )
        if not len(frame):
            continue
        crs = src_crs or (frame.crs.to_string() if frame.crs is not None else None)
        if crs is None:
            raise CRSError(f"{path}, layer {name!r}: declares no CRS; pass --crs")
        geom = to_wgs84(
            np.asarray(frame.geometry.values, dtype=object), parse_crs(crs, where=str(path))
        )
        types = shapely.get_type_id(geom)
        ids = np.array(
            [f"{name}/{v}" for v in (frame["id"] if "id" in frame else range(len(frame)))],
            dtype=object,
        )
        geom_name = frame.geometry.name
        columns = {str(c): frame[c].to_numpy() for c in frame.columns if c != geom_name}
        rows = [np.isin(types, t) for t in ([1, 5], [3, 6])]
        lines, areas = (_Rows(geom[r], {k: v[r] for k, v in columns.items()}, ids[r]) for r in rows)
        out.extend(_from_rows(lines, areas))
    return out


def is_osm(path: Path) -> bool:
    """Whether GDAL's OSM driver reads ``path`` (by suffix, as the footprint readers decide)."""
    return path.suffix.lower() in OSM_SUFFIXES


def read_ground(
    paths: list[Path],
    src_crs: str | None = None,
    osm_layers: dict[str, dict[str, OsmRows]] | None = None,
) -> GroundSource:
    """Ground features of every input: OSM files by suffix, the rest as GIS layers.

    ``osm_layers`` holds, by ``str(path)``, the layers of :data:`OSM_QUERIES` that the buildings'
    read already took from an OSM file (each is used once and let go)."""
    out = GroundSource()
    held = osm_layers if osm_layers is not None else {}
    for path in paths:
        if is_osm(path):
            part = read_osm_ground(path, held.pop(str(path), None))
        elif path.suffix.lower() == ".json" and path.name.lower().endswith(".city.json"):
            continue  # CityJSON: buildings only
        else:
            part = read_gis_ground(path, src_crs)
        log.info(
            "ground %s: %d lines, %d areas", path, part.line_geom.shape[0], part.area_geom.shape[0]
        )
        out.extend(part)
    return out
