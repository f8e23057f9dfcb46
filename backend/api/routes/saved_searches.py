"""``/api/v1/saved-searches``: my saved opportunity searches and their alert frequency."""

from __future__ import annotations

from fastapi import APIRouter, Response

from backend.api.deps import CurrentPrincipal, SessionDep
from backend.api.errors import error_responses
from backend.api.params import ResourceId
from backend.schemas.alerts import SavedSearchCreate, SavedSearchPublic, SavedSearchUpdate
from backend.services import alerts

router = APIRouter(prefix="/saved-searches", tags=["opportunities"])


@router.get(
    "",
    response_model=list[SavedSearchPublic],
    operation_id="listSavedSearches",
    responses=error_responses(401),
)
def list_saved_searches(
    principal: CurrentPrincipal, session: SessionDep
) -> list[SavedSearchPublic]:
    return [alerts.to_public(s) for s in alerts.mine(session, principal)]


@router.post(
    "",
    response_model=SavedSearchPublic,
    status_code=201,
    operation_id="createSavedSearch",
    responses=error_responses(401, 403, 422),
    summary="Save the discovery filters and get alerts of new matches",
)
def create_saved_search(
    data: SavedSearchCreate, principal: CurrentPrincipal, session: SessionDep
) -> SavedSearchPublic:
    return alerts.to_public(alerts.create(session, principal, data))


@router.patch(
    "/{search_id}",
    response_model=SavedSearchPublic,
    operation_id="updateSavedSearch",
    responses=error_responses(401, 403, 404, 422),
)
def update_saved_search(
    search_id: ResourceId, data: SavedSearchUpdate, principal: CurrentPrincipal, session: SessionDep
) -> SavedSearchPublic:
    return alerts.to_public(alerts.update(session, principal, search_id, data))


@router.delete(
    "/{search_id}",
    status_code=204,
    operation_id="deleteSavedSearch",
    responses=error_responses(401, 403, 404),
)
def delete_saved_search(
    search_id: ResourceId, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    alerts.delete(session, principal, search_id)
    return Response(status_code=204)
