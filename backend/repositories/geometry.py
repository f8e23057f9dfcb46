"""Geometry between the database's columns and shapely, for services (no GeoAlchemy2 above here).

:func:`to_shape` reads a stored geometry (a WKB element, as GeoAlchemy2 loads it) into a shapely
geometry; :func:`from_shape` makes a shapely geometry storable with its SRID.
"""

from __future__ import annotations

from typing import Any

from geoalchemy2.elements import WKBElement
from geoalchemy2.shape import from_shape as _from_shape
from geoalchemy2.shape import to_shape as _to_shape
from shapely.geometry.base import BaseGeometry

from backend.db.types import SRID


def to_shape(value: Any) -> BaseGeometry:
    """The shapely geometry of a stored geometry column value."""
    return _to_shape(value)


def from_shape(geometry: BaseGeometry, srid: int = SRID) -> WKBElement:
    """A storable value of ``geometry`` (lon/lat, EPSG:4326 unless ``srid`` says otherwise)."""
    return _from_shape(geometry, srid=srid)
