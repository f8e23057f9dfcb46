"""``/api/v1/city/changes``: approved schemes applied to the city tileset, and undone.

Approving a proposal queues its change (see ``changeProposalStage``); planners may queue one by
hand, follow its state and revert the latest change of a tileset. Applying runs in the
background after the response (202): the answer is the queued change, to poll.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request, status

from backend.api.deps import Planner, SessionDep, SettingsDep
from backend.api.errors import error_responses
from backend.api.pagination import PageParams, page_params
from backend.api.params import MAX_ID, ResourceId
from backend.db.models_twin import CityChange
from backend.schemas.city_changes import CityChangeList, CityChangePublic
from backend.services import city_changes, proposals

router = APIRouter(tags=["city"])


#: Changes run one at a time, in a thread of their own: a FastAPI background task would run
#: while the request still holds its session (on SpatiaLite, the write lock).
_JOBS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="city-change")


def schedule(background: BackgroundTasks, request: Request, change: CityChange | None) -> None:
    """Run ``change`` after the response is sent."""
    if change is None:
        return
    db = request.app.state.db
    settings = request.app.state.settings
    background.add_task(_JOBS.submit, city_changes.run, db.sessions, settings.tiles_dir, change.id)


@router.get(
    "/city/changes",
    response_model=CityChangeList,
    operation_id="listCityChanges",
    responses=error_responses(401, 403, 422),
    summary="Approved schemes applied to city tilesets (newest first), with their state",
)
def list_changes(
    principal: Planner,
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params(default=50, maximum=200))],
    tileset: Annotated[
        str | None, Query(max_length=100, description="Only changes of this tileset")
    ] = None,
    proposal_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only changes of this proposal")
    ] = None,
) -> CityChangeList:
    items, total = city_changes.search(session, tileset, proposal_id, page.limit, page.offset)
    return page.of(CityChangeList, items, total)


@router.get(
    "/city/changes/{change_id}",
    response_model=CityChangePublic,
    operation_id="getCityChange",
    responses=error_responses(401, 403, 404),
    summary="One city change: its state and the tiles and buildings it changed",
)
def get_change(change_id: ResourceId, principal: Planner, session: SessionDep) -> CityChangePublic:
    return city_changes.public_view(city_changes.get(session, change_id))


@router.post(
    "/proposals/{proposal_id}/city-change",
    response_model=CityChangePublic,
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="applyProposalToCity",
    responses=error_responses(401, 403, 404, 409),
    summary="Queue putting an approved proposal's massing into its city tileset",
)
def apply_proposal(
    proposal_id: ResourceId,
    request: Request,
    background: BackgroundTasks,
    principal: Planner,
    session: SessionDep,
) -> CityChangePublic:
    proposal = proposals.visible(session, principal, proposal_id)
    change = city_changes.queue(session, principal.user.id, proposal)
    schedule(background, request, change)
    return city_changes.public_view(change)


@router.post(
    "/city/changes/{change_id}/revert",
    response_model=CityChangePublic,
    operation_id="revertCityChange",
    responses=error_responses(401, 403, 404, 409),
    summary="Undo the latest change applied to a tileset (its previous state is swapped back)",
)
def revert_change(
    change_id: ResourceId, principal: Planner, session: SessionDep, settings: SettingsDep
) -> CityChangePublic:
    change = city_changes.revert(session, principal.user.id, change_id, settings.tiles_dir)
    return city_changes.public_view(change)
