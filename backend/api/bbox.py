"""The ``bbox`` query parameter of ``/api/v1`` lists, parsed once.

``west,south,east,north`` in degrees (EPSG:4326), checked by
:func:`backend.schemas.geometry.parse_bbox`; a bad box is a 422 naming ``bbox``. (OGC API
routes keep their own parser: the OGC spec's bbox allows 6 numbers and the antimeridian, and
answers 400.)
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from backend.schemas.geometry import BBox, parse_bbox

_DOC = "west,south,east,north in degrees (lon/lat, EPSG:4326)"
_EXAMPLE = "-0.0915,51.5135,-0.0885,51.5155"


async def optional_bbox(  # no I/O: async, so FastAPI runs it without a thread hop
    bbox: Annotated[
        str | None,
        Query(max_length=200, description=f"{_DOC}: only what intersects it", examples=[_EXAMPLE]),
    ] = None,
) -> BBox | None:
    return None if bbox is None else parse_bbox(bbox)


async def required_bbox(
    bbox: Annotated[str, Query(max_length=200, description=_DOC, examples=[_EXAMPLE])],
) -> BBox:
    return parse_bbox(bbox)


OptionalBBox = Annotated[BBox | None, Depends(optional_bbox)]
RequiredBBox = Annotated[BBox, Depends(required_bbox)]
