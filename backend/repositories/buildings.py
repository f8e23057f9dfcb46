"""Queries on the city's buildings and bulk loading. Spatial SQL both engines share; no commit.

Bounding-box filters use ``ST_Intersects`` with a polygon built by ``ST_GeomFromText`` (both
engines have it). PostGIS uses the GiST index for that on its own; SpatiaLite needs the R*Tree
index table queried explicitly, so on SQLite a ``rowid IN (SELECT pkid FROM idx_...)`` prefilter
is added here, where the dialect difference stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from backend.db.models import Building
from backend.db.types import SRID

BBox = tuple[float, float, float, float]


def envelope(bbox: BBox) -> ColumnElement[Any]:
    """The bbox ``(west, south, east, north)`` as an EPSG:4326 polygon expression."""
    w, s, e, n = (float(v) for v in bbox)
    wkt = f"POLYGON(({w} {s},{e} {s},{e} {n},{w} {n},{w} {s}))"
    return sa.func.ST_GeomFromText(wkt, SRID, type_=Geometry)


def bbox_filter(
    session: Session, table: str, column: Any, id_column: Any, bbox: BBox
) -> ColumnElement[bool]:
    """``column`` intersects ``bbox``, using the spatial index on both engines."""
    condition = sa.func.ST_Intersects(column, envelope(bbox))
    if session.get_bind().dialect.name == "sqlite":
        w, s, e, n = bbox
        index = sa.table(
            f"idx_{table}_{column.key}",
            sa.column("pkid"),
            *(sa.column(c) for c in ("xmin", "xmax", "ymin", "ymax")),
        )
        prefilter = sa.select(index.c.pkid).where(
            index.c.xmin <= e, index.c.xmax >= w, index.c.ymin <= n, index.c.ymax >= s
        )
        return sa.and_(id_column.in_(prefilter), condition)
    return condition


def in_bbox(
    session: Session, bbox: BBox | None, tileset: str | None, limit: int, offset: int
) -> tuple[list[Building], int]:
    query = sa.select(Building)
    if tileset is not None:
        query = query.where(Building.tileset == tileset)
    if bbox is not None:
        query = query.where(
            bbox_filter(session, "buildings", Building.footprint, Building.id, bbox)
        )
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Building.id).limit(limit).offset(offset)).all()
    return list(rows), int(total)


def get(session: Session, tileset: str, building_id: str) -> Building | None:
    return session.scalars(
        sa.select(Building).where(Building.tileset == tileset, Building.building_id == building_id)
    ).first()


def intersecting(
    session: Session, geometry_wkt: str, bbox: BBox, tileset: str | None
) -> list[tuple[str, str, bytes]]:
    """``(tileset, building_id, footprint WKB)`` of buildings intersecting the geometry."""
    geom = sa.func.ST_GeomFromText(geometry_wkt, SRID, type_=Geometry)
    query = sa.select(
        Building.tileset, Building.building_id, sa.func.ST_AsBinary(Building.footprint)
    ).where(
        bbox_filter(session, "buildings", Building.footprint, Building.id, bbox),
        sa.func.ST_Intersects(Building.footprint, geom),
    )
    if tileset is not None:
        query = query.where(Building.tileset == tileset)
    return [(t, b, bytes(wkb)) for t, b, wkb in session.execute(query.order_by(Building.id))]


def delete_tileset_buildings(session: Session, tileset: str) -> int:
    result = session.execute(sa.delete(Building).where(Building.tileset == tileset))
    return int(getattr(result, "rowcount", 0) or 0)


def delete_ids(session: Session, tileset: str, building_ids: Sequence[str]) -> int:
    """Delete the buildings of ``tileset`` with these ids (a scheme applied replaced them)."""
    if not building_ids:
        return 0
    result = session.execute(
        sa.delete(Building).where(
            Building.tileset == tileset, Building.building_id.in_(list(building_ids))
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def insert_many(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert building rows with one ``executemany``.

    ``footprint_wkb`` is the footprint as WKB bytes, turned into geometry in SQL
    (``ST_GeomFromWKB`` on both engines), so no Python geometry objects are built per row.
    """
    if not rows:
        return
    columns = [c for c in rows[0] if c != "footprint_wkb"]
    stmt = sa.insert(cast(sa.Table, Building.__table__)).values(
        {
            **{c: sa.bindparam(c) for c in columns},
            "footprint": sa.func.ST_GeomFromWKB(
                sa.bindparam("footprint_wkb", type_=sa.LargeBinary), SRID, type_=Geometry
            ),
        }
    )
    session.execute(stmt, list(rows))
