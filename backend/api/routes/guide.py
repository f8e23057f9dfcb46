"""``/api/v1/guide``: the one-stop-shop guide for businesses, edited by the city."""

from __future__ import annotations

from fastapi import APIRouter, Response

from backend.api.deps import Planner, SessionDep
from backend.api.errors import error_responses
from backend.api.params import ResourceId
from backend.schemas.guide import JourneyPublic, StepCreate, StepPublic, StepUpdate
from backend.services import guide as service

router = APIRouter(prefix="/guide", tags=["funding"])


@router.get(
    "",
    response_model=list[JourneyPublic],
    operation_id="getGuide",
    summary="The journeys (start, grow, bid for public work, go abroad) and their steps",
)
def get_guide(session: SessionDep) -> list[JourneyPublic]:
    return service.journeys(session)


@router.post(
    "/steps",
    response_model=StepPublic,
    status_code=201,
    operation_id="createGuideStep",
    responses=error_responses(401, 403, 422),
    summary="Add a step to a journey (a planner or an admin)",
)
def create_step(data: StepCreate, principal: Planner, session: SessionDep) -> StepPublic:
    return service.create(session, principal, data)


@router.patch(
    "/steps/{step_id}",
    response_model=StepPublic,
    operation_id="updateGuideStep",
    responses=error_responses(401, 403, 404, 422),
    summary="Change or move a step (a planner or an admin)",
)
def update_step(
    step_id: ResourceId, data: StepUpdate, principal: Planner, session: SessionDep
) -> StepPublic:
    return service.update(session, principal, step_id, data)


@router.delete(
    "/steps/{step_id}",
    status_code=204,
    operation_id="deleteGuideStep",
    responses=error_responses(401, 403, 404),
    summary="Remove a step (a planner or an admin)",
)
def delete_step(step_id: ResourceId, principal: Planner, session: SessionDep) -> Response:
    service.delete(session, principal, step_id)
    return Response(status_code=204)
