"""``/api/v1/buildings``: existing city buildings as GeoJSON (footprint, height, attributes).

A building is addressed by its tileset and its stable ``building_id`` (the id in the 3D Tiles
feature metadata): ``/buildings/{tileset}/{building_id}``; ids may contain ``/``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from backend.api.bbox import OptionalBBox
from backend.api.deps import SessionDep
from backend.api.errors import error_responses
from backend.api.pagination import next_link
from backend.api.params import Offset
from backend.schemas.buildings import BuildingCollection, BuildingFeature
from backend.services import buildings

router = APIRouter(tags=["city"])


@router.get(
    "/buildings",
    response_model=BuildingCollection,
    operation_id="listBuildings",
    responses=error_responses(422),
    summary="Buildings intersecting a bounding box, as a GeoJSON FeatureCollection",
)
def list_buildings(
    request: Request,
    session: SessionDep,
    bbox: OptionalBBox,
    tileset: Annotated[str | None, Query(max_length=100, description="Only this tileset")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> BuildingCollection:
    features, total = buildings.in_bbox(session, bbox, tileset, limit, offset)
    nxt = next_link(request, total, limit, offset)
    return BuildingCollection(
        features=features,
        numberMatched=total,
        numberReturned=len(features),
        limit=limit,
        offset=offset,
        next=nxt,
    )


@router.get(
    "/buildings/{tileset}/{building_id:path}",
    response_model=BuildingFeature,
    operation_id="getBuilding",
    responses=error_responses(404),
    summary="One building as a GeoJSON Feature",
)
def get_building(tileset: str, building_id: str, session: SessionDep) -> BuildingFeature:
    return buildings.get_building(session, tileset, building_id)
