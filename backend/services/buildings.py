"""City buildings: bulk loading from the tiles pipeline, and GeoJSON views.

:func:`load_tileset` replaces one tileset's Tileset and Building rows in a single transaction
with one ``executemany`` insert; footprints go in as WKB made by shapely in one vectorised call.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

# pyogrio's bundled GDAL must be loaded before mod_spatialite, or the process crashes at exit:
# imported here, at import time, before any database connection is opened.
import pyogrio
import shapely
import shapely.geometry

from backend.db.models import Building, Tileset
from backend.db.types import utcnow
from backend.errors import InvalidInputError, NotFoundError
from backend.repositories import buildings as repo
from backend.repositories import tilesets as tilesets_repo
from backend.repositories.geometry import to_shape
from backend.repositories.session import Session
from backend.schemas.buildings import BuildingCollection, BuildingFeature, BuildingProperties
from backend.services.tilesets import OSM_ATTRIBUTION

logger = logging.getLogger(__name__)

#: What the tiles pipeline writes beside a tileset (see ``tiles.pipeline``).
BUILDINGS_FILE = "buildings.fgb"
REPORT_FILE = "build-report.json"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
BATCH = 10_000
#: String columns and their lengths in the buildings table (PostgreSQL enforces them).
_TEXT = {
    "building_id": 100,
    "source_id": 100,
    "height_source": 32,
    "building_type": 100,
    "name": 300,
    "address": 300,
    "dataset": 100,
}


def check_tileset_name(name: str) -> str:
    if not _NAME.match(name) or name == "proposals":
        raise InvalidInputError(
            f"name: {name!r} is not a tileset name (letters, digits, '_', '.', '-'; "
            "not 'proposals')"
        )
    return name


def _text(values: Any, length: int, empty_is_null: bool) -> list[str | None]:
    out: list[str | None] = []
    for v in values:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out.append(None)
            continue
        s = str(v)[:length]
        out.append(None if empty_is_null and s == "" else s)
    return out


def _rows(name: str, table: Any) -> list[dict[str, Any]]:
    geoms = np.asarray(table.geometry.values, dtype=object)
    if len(geoms) and (shapely.is_missing(geoms).any() or shapely.is_empty(geoms).any()):
        raise InvalidInputError("buildings: some footprints are missing or empty")
    geoms = shapely.force_2d(geoms)
    polygons = shapely.get_type_id(geoms) == 3
    if polygons.any():
        idx = np.flatnonzero(polygons)
        geoms[idx] = shapely.multipolygons(geoms[idx], indices=np.arange(len(idx)))
    bad = shapely.get_type_id(geoms) != 6
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidInputError(
            f"buildings: footprints must be polygons, got {shapely.get_type(geoms[i])} at row {i}"
        )
    wkb = shapely.to_wkb(geoms)
    n = len(geoms)
    cols = {c: table[c] if c in table else [None] * n for c in _TEXT}
    text = {c: _text(cols[c], size, c not in ("building_id",)) for c, size in _TEXT.items()}
    if any(v is None for v in text["building_id"]):
        raise InvalidInputError("buildings: every building needs a building_id")
    height = np.asarray(table["height_m"], dtype=float)
    base = (
        np.asarray(table["base_height_m"], dtype=float) if "base_height_m" in table else np.zeros(n)
    )
    levels = np.asarray(table["levels"], dtype=float) if "levels" in table else np.full(n, np.nan)
    parent = table["parent_id"] if "parent_id" in table else [""] * n
    drawn = table["drawn"] if "drawn" in table else [True] * n
    return [
        {
            "tileset": name,
            "building_id": text["building_id"][i],
            "source_id": text["source_id"][i],
            "height_m": float(height[i]),
            "base_height_m": float(base[i]) if np.isfinite(base[i]) else 0.0,
            "levels": float(levels[i]) if np.isfinite(levels[i]) else None,
            "height_source": text["height_source"][i] or "unknown",
            "building_type": text["building_type"][i],
            "name": text["name"][i],
            "address": text["address"][i],
            "dataset": text["dataset"][i],
            "attributes": {"parent_id": str(parent[i] or "") or None, "drawn": bool(drawn[i])},
            "footprint_wkb": wkb[i],
        }
        for i in range(n)
    ]


def load_tileset(
    session: Session,
    name: str,
    title: str,
    attribution: str,
    buildings_table: Any,
    bbox: Sequence[float] | None,
    report: dict[str, Any] | None,
    licence: str | None = None,
) -> Tileset:
    """Replace the Tileset row and every Building row of ``name`` in one transaction.

    ``buildings_table`` is the pipeline's buildings table (a GeoDataFrame in EPSG:4326 with
    building_id, source_id, height_m, base_height_m, levels, height_source, building_type,
    name, address, dataset; optional parent_id and drawn go to ``attributes``).
    """
    check_tileset_name(name)
    t0 = time.perf_counter()
    rows = _rows(name, buildings_table)
    if bbox is None and rows:
        bbox = [float(v) for v in buildings_table.total_bounds]
    t1 = time.perf_counter()
    try:
        tileset = tilesets_repo.get(session, name)
        if tileset is None:
            tileset = Tileset(name=name, title=title)
            session.add(tileset)
        tileset.title = title
        tileset.attribution = attribution
        tileset.licence = licence
        tileset.bbox = [float(v) for v in bbox] if bbox is not None else None
        tileset.building_count = len(rows)
        tileset.built_at = utcnow()
        tileset.report = report
        session.flush()
        repo.delete_tileset_buildings(session, name)
        for start in range(0, len(rows), BATCH):
            repo.insert_many(session, rows[start : start + BATCH])
        session.commit()
    except Exception:
        session.rollback()
        raise
    t2 = time.perf_counter()
    logger.info(
        "loaded tileset %s: %d buildings (prepare %.2f s, insert %.2f s)",
        name,
        len(rows),
        t1 - t0,
        t2 - t1,
    )
    return tileset


def replace_buildings(
    session: Session, name: str, remove_ids: Sequence[str], add_table: Any
) -> int:
    """Take ``remove_ids`` out of tileset ``name``'s Building rows and add ``add_table``'s rows
    (same columns as :func:`load_tileset`'s), when the tileset is loaded; no commit. Returns
    the new building count (0 when the tileset is not loaded)."""
    tileset = tilesets_repo.get(session, name)
    if tileset is None:
        return 0
    removed = repo.delete_ids(session, name, list(remove_ids))
    rows = _rows(name, add_table) if len(add_table) else []
    repo.insert_many(session, rows)
    tileset.building_count = max(int(tileset.building_count or 0) - removed + len(rows), 0)
    return int(tileset.building_count)


def load_tileset_folder(
    session: Session,
    folder: Path,
    *,
    name: str | None = None,
    title: str | None = None,
    attribution: str | None = None,
    licence: str | None = None,
) -> Tileset:
    """Load the buildings a pipeline build wrote beside its tileset (``buildings.fgb``)."""
    path = folder / BUILDINGS_FILE
    if not path.is_file():
        raise InvalidInputError(
            f"{folder}: no {BUILDINGS_FILE} here; build the tileset with `civictwin tiles build`"
        )
    report: dict[str, Any] | None = None
    if (folder / REPORT_FILE).is_file():
        report = json.loads((folder / REPORT_FILE).read_text(encoding="utf-8"))
    table = pyogrio.read_dataframe(path)
    name = name or (report or {}).get("name") or folder.name
    bbox = (report or {}).get("bbox")
    return load_tileset(
        session,
        str(name),
        title or str(name),
        attribution if attribution is not None else OSM_ATTRIBUTION,
        table,
        bbox,
        report,
        licence=licence if licence is not None else "ODbL-1.0",
    )


# --- views ----------------------------------------------------------------------------------


def feature(b: Building) -> BuildingFeature:
    return BuildingFeature(
        id=f"{b.tileset}/{b.building_id}",
        geometry=dict(shapely.geometry.mapping(to_shape(b.footprint))),
        properties=BuildingProperties(
            tileset=b.tileset,
            building_id=b.building_id,
            source_id=b.source_id,
            height_m=b.height_m,
            base_height_m=b.base_height_m,
            levels=b.levels,
            height_source=b.height_source,
            building_type=b.building_type,
            name=b.name,
            address=b.address,
            dataset=b.dataset,
        ),
    )


def get_building(session: Session, tileset: str, building_id: str) -> BuildingFeature:
    b = repo.get(session, tileset, building_id)
    if b is None:
        raise NotFoundError(f"building {building_id!r} not found in tileset {tileset!r}")
    return feature(b)


def in_bbox(
    session: Session,
    bbox: tuple[float, float, float, float] | None,
    tileset: str | None,
    limit: int,
    offset: int,
) -> tuple[list[BuildingFeature], int]:
    rows, total = repo.in_bbox(session, bbox, tileset, limit, offset)
    return [feature(b) for b in rows], total


__all__ = [
    "BuildingCollection",
    "get_building",
    "in_bbox",
    "load_tileset",
    "load_tileset_folder",
]
