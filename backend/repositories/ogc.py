"""Collection extents for OGC API - Features: what each public collection covers in space and
time. No HTTP, no commit.

Portable SQL only: ``ST_Envelope(ST_Collect(geom))`` (``ST_Collect`` is an aggregate on both
SpatiaLite and PostGIS) read back as standard WKB with ``ST_AsBinary``, and ``MIN``/``MAX`` on
timestamps. The extent is computed from the *public* rows, so a draft proposal never shows
through its collection's bounding box. Buildings use the bboxes the pipeline stored on their
tilesets and only fall back to the data for a tileset loaded without one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import shapely.wkb
import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models import Building, Tileset
from backend.repositories.opendata import SOURCES, BBox, filtered


@dataclass(frozen=True)
class Extent:
    """``bbox`` (west, south, east, north) in CRS84, ``None`` when nothing has a geometry;
    ``start``/``end`` of the collection's time property, ``None`` when it has none."""

    bbox: BBox | None
    start: datetime | None = None
    end: datetime | None = None


def _envelope(session: Session, geometry: Any, stmt: sa.Select[Any]) -> BBox | None:
    """The bounding box of ``geometry`` over the rows of ``stmt`` (one aggregate query)."""
    rows = stmt.with_only_columns(geometry.label("g")).where(geometry.is_not(None)).subquery()
    wkb = session.scalar(
        sa.select(sa.func.ST_AsBinary(sa.func.ST_Envelope(sa.func.ST_Collect(rows.c.g))))
    )
    if wkb is None:
        return None
    geom = shapely.wkb.loads(bytes(wkb))
    if geom.is_empty:
        return None
    west, south, east, north = (float(v) for v in geom.bounds)
    return (west, south, east, north)


def _union(boxes: list[BBox]) -> BBox | None:
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _buildings_bbox(session: Session) -> BBox | None:
    loaded = sa.select(Building.tileset).distinct()
    tilesets = session.scalars(sa.select(Tileset).where(Tileset.name.in_(loaded))).all()
    boxes: list[BBox] = []
    without = []
    for tileset in tilesets:
        if tileset.bbox is not None and len(tileset.bbox) == 4:
            w, s, e, n = (float(v) for v in tileset.bbox)
            boxes.append((w, s, e, n))
        else:
            without.append(tileset.name)
    if without:
        found = _envelope(
            session, Building.footprint, sa.select(Building).where(Building.tileset.in_(without))
        )
        if found is not None:
            boxes.append(found)
    return _union(boxes)


def extent(session: Session, collection: str) -> Extent:
    """The spatial (and, for collections with a time property, temporal) extent of the public
    rows of ``collection``."""
    source = SOURCES[collection]
    if collection == "buildings":
        return Extent(_buildings_bbox(session))
    public = filtered(collection)
    bbox = _envelope(session, source.geometry, public)
    if source.time is None:
        return Extent(bbox)
    times = public.with_only_columns(source.time.label("t")).subquery()
    start, end = session.execute(sa.select(sa.func.min(times.c.t), sa.func.max(times.c.t))).one()
    return Extent(bbox, start, end)
