"""``buildings.fgb``: one row per building or part, EPSG:4326, the table the backend loads.

Written either in one call from a whole table (small builds) or streamed batch by batch from the
work units of a bounded build (as an Arrow record-batch stream): GDAL's FlatGeobuf
driver buffers one small record per feature for the spatial index, not the features, and sorts
them along a Hilbert curve, so both ways give the same file.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyarrow as pa
import shapely
from numpy.typing import NDArray
from pyogrio.raw import write as ogr_write
from pyogrio.raw import write_arrow

from tiles.model import FeatureTable, HeightSource

CRS = "EPSG:4326"
# column -> Arrow type of the streamed writer; the order is the file's
KINDS = {
    "building_id": pa.string(),
    "source_id": pa.string(),
    "height_m": pa.float64(),
    "base_height_m": pa.float64(),
    "levels": pa.float64(),
    "height_source": pa.string(),
    "building_type": pa.string(),
    "name": pa.string(),
    "address": pa.string(),
    "dataset": pa.string(),
    "tileset": pa.string(),
    "parent_id": pa.string(),
    "drawn": pa.bool_(),
}
GEOMETRY = pa.field("geometry", pa.binary(), metadata={"ARROW:extension:name": "ogc.wkb"})
SCHEMA = pa.schema([*(pa.field(k, t) for k, t in KINDS.items()), GEOMETRY])
MULTIPOLYGON = 6

log = logging.getLogger(__name__)


def buildings_columns(
    table: FeatureTable, datasets: list[str], name: str
) -> dict[str, NDArray[Any]]:
    sources = np.array([s.name.lower() for s in HeightSource], dtype=object)
    columns = {
        "building_id": table.building_id,  # object arrays of str already: no copies
        "source_id": table.source_id,
        "height_m": np.round(table.height_m, 3),
        "base_height_m": np.round(table.base_height_m, 3),
        "levels": table.levels,
        "height_source": sources[table.height_source],
        "building_type": table.building_type,
        "name": table.name,
        "address": table.address,
        "dataset": np.asarray(datasets, dtype=object)[table.dataset],
        "tileset": np.full(len(table), name, dtype=object),
        "parent_id": table.parent_id,
        "drawn": table.drawn,
    }
    assert list(columns) == list(KINDS)
    return columns


def buildings_frame(table: FeatureTable, datasets: list[str], name: str) -> gpd.GeoDataFrame:
    """The buildings table the backend loads: plain columns, footprints in EPSG:4326."""
    table = table.expanded()
    return gpd.GeoDataFrame(
        buildings_columns(table, datasets, name), geometry=table.footprint, crs=CRS
    )


def wkb_type(wkb: NDArray[np.object_]) -> NDArray[np.int64]:
    """Geometry type codes of WKB values (either byte order), without decoding them."""
    if len(wkb) == 0:
        return np.zeros(0, np.int64)
    # the 5-byte headers side by side: byte order, then the uint32 type in that order
    head = np.frombuffer(b"".join([w[:5] for w in wkb]), np.uint8).reshape(-1, 5)
    code = head[:, 1:5].copy()
    little = head[:, 0] == 1
    le = code.view("<u4").ravel().astype(np.int64)
    be = code.view(">u4").ravel().astype(np.int64)
    # EWKB flags (Z, M, SRID) in the high bits; ISO Z/M types as 1000s
    return (np.where(little, le, be) & 0x0FFFFFFF) % 1000


def write_buildings_file(path: Path, table: FeatureTable, datasets: list[str], name: str) -> None:
    """Write ``buildings.fgb`` straight from the table's arrays, in one call: no GeoDataFrame of
    the whole table is built (only the WKB and the few derived columns exist besides the table).
    """
    columns = buildings_columns(table, datasets, name)
    wkb = table.footprint if table.compact else shapely.to_wkb(table.footprint)
    multi = bool(np.any(wkb_type(wkb) == MULTIPOLYGON))
    ogr_write(
        path,
        wkb,
        list(columns.values()),
        list(columns),
        driver="FlatGeobuf",
        geometry_type="MultiPolygon" if multi else "Polygon",
        promote_to_multi=multi,
        crs=CRS,
    )


_ONE_PART = {
    1: b"\x01" + MULTIPOLYGON.to_bytes(4, "little") + (1).to_bytes(4, "little"),
    0: b"\x00" + MULTIPOLYGON.to_bytes(4, "big") + (1).to_bytes(4, "big"),
}


def _as_multi(wkb: NDArray[np.object_]) -> NDArray[np.object_]:
    """Polygon WKB wrapped as one-part MultiPolygon WKB (what ``promote_to_multi`` does)."""
    single = wkb_type(wkb) != MULTIPOLYGON
    out = np.empty(len(wkb), dtype=object)
    out[:] = [_ONE_PART[w[0]] + w if s else w for w, s in zip(wkb, single, strict=True)]
    return out


def stream_buildings_file(
    path: Path, tables: Iterable[FeatureTable], datasets: list[str], name: str, multi: bool
) -> int:
    """Write ``buildings.fgb`` from ``tables`` (compact or not) one at a time; ``multi``: some
    footprint is a MultiPolygon (the layer type is decided before the first row). Returns the
    number of rows written."""

    rows = 0

    def batches() -> Iterator[pa.RecordBatch]:
        nonlocal rows
        for table in tables:
            wkb = table.footprint if table.compact else shapely.to_wkb(table.footprint)
            wkb = np.asarray(wkb, dtype=object)
            columns = buildings_columns(table, datasets, name)
            # NaN is written as null, as pyogrio's numpy writer does (from_pandas semantics)
            arrays = [pa.array(columns[k], type=t, from_pandas=True) for k, t in KINDS.items()]
            arrays.append(pa.array(_as_multi(wkb) if multi else wkb, type=pa.binary()))
            rows += len(wkb)
            yield pa.RecordBatch.from_arrays(arrays, schema=SCHEMA)
        # GDAL then sorts its index records and writes the spatial index and the features
        log.debug("buildings streamed: %d rows", rows)

    write_arrow(
        pa.RecordBatchReader.from_batches(SCHEMA, batches()),
        path,
        driver="FlatGeobuf",
        geometry_name="geometry",
        geometry_type="MultiPolygon" if multi else "Polygon",
        crs=CRS,
    )
    return rows
