"""``/api/v1/analytics``: consultation analytics for planners, per proposal or for an area."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.api.bbox import RequiredBBox
from backend.api.deps import Planner, SessionDep
from backend.api.errors import error_responses
from backend.api.params import ResourceId
from backend.schemas.analytics import Analytics
from backend.services import analytics

router = APIRouter(prefix="/analytics", tags=["analytics"])

CellSize = Annotated[float, Query(ge=5, le=5000, description="Heat-map grid cell size in metres")]


@router.get(
    "/proposals/{proposal_id}",
    response_model=Analytics,
    operation_id="getProposalAnalytics",
    responses=error_responses(401, 403, 404, 422),
    summary="Sentiment × topic, comments per day, most discussed buildings, heat map",
)
def proposal_analytics(
    proposal_id: ResourceId, principal: Planner, session: SessionDep, cell_m: CellSize = 25
) -> Analytics:
    return analytics.for_proposal(session, proposal_id, cell_m)


@router.get(
    "/area",
    response_model=Analytics,
    operation_id="getAreaAnalytics",
    responses=error_responses(401, 403, 422),
    summary="The same analytics over every public proposal's comments in a bbox",
)
def area_analytics(
    principal: Planner,
    session: SessionDep,
    bbox: RequiredBBox,
    cell_m: CellSize = 100,
) -> Analytics:
    return analytics.for_area(session, bbox, cell_m)
