"""``/api/v1/saved-searches``: my saved opportunity searches and their alert frequency;
``/api/v1/saved-searches/funding``: my saved searches of funding schemes (issue 15). Deleting
and pausing (``paused`` in a PATCH) work on either kind; ``/{id}/stop`` is the digest's one-click
stop link (no sign-in: the signed token is the credential)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from backend.api.deps import CurrentPrincipal, SessionDep, SettingsDep
from backend.api.errors import error_responses
from backend.api.onebutton import one_button_page, one_button_responses
from backend.api.pagination import Pagination
from backend.api.params import ResourceId
from backend.schemas.alerts import (
    AlertsStopped,
    FundingSavedSearchCreate,
    FundingSavedSearchPublic,
    FundingSavedSearchUpdate,
    SavedSearchCreate,
    SavedSearchPublic,
    SavedSearchUpdate,
)
from backend.schemas.funding import SchemeList
from backend.services import alerts, funding

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


@router.get(
    "/funding",
    response_model=list[FundingSavedSearchPublic],
    operation_id="listFundingSavedSearches",
    responses=error_responses(401),
    tags=["funding"],
)
def list_funding_saved_searches(
    principal: CurrentPrincipal, session: SessionDep
) -> list[FundingSavedSearchPublic]:
    return [alerts.funding_to_public(s) for s in alerts.mine_funding(session, principal)]


@router.post(
    "/funding",
    response_model=FundingSavedSearchPublic,
    status_code=201,
    operation_id="createFundingSavedSearch",
    responses=error_responses(401, 403, 422),
    summary="Save the funding directory's filters and get alerts of newly published schemes",
    tags=["funding"],
)
def create_funding_saved_search(
    data: FundingSavedSearchCreate, principal: CurrentPrincipal, session: SessionDep
) -> FundingSavedSearchPublic:
    return alerts.funding_to_public(alerts.create_funding(session, principal, data))


@router.patch(
    "/funding/{search_id}",
    response_model=FundingSavedSearchPublic,
    operation_id="updateFundingSavedSearch",
    responses=error_responses(401, 403, 404, 422),
    tags=["funding"],
)
def update_funding_saved_search(
    search_id: ResourceId,
    data: FundingSavedSearchUpdate,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> FundingSavedSearchPublic:
    return alerts.funding_to_public(alerts.update_funding(session, principal, search_id, data))


@router.get(
    "/funding/{search_id}/schemes",
    response_model=SchemeList,
    operation_id="runFundingSavedSearch",
    responses=error_responses(401, 404),
    summary="Run a saved funding search again: the schemes matching it now",
    tags=["funding"],
)
def run_funding_saved_search(
    search_id: ResourceId, principal: CurrentPrincipal, session: SessionDep, page: Pagination
) -> SchemeList:
    found = alerts.funding_matches(session, principal, search_id)
    items = funding.publics(session, found[page.offset : page.offset + page.limit])
    return page.of(SchemeList, items, len(found))


@router.delete(
    "/{search_id}",
    status_code=204,
    operation_id="deleteSavedSearch",
    responses=error_responses(401, 403, 404),
    summary="Delete a saved search (of opportunities or of funding) and stop its alerts",
)
def delete_saved_search(
    search_id: ResourceId, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    alerts.delete(session, principal, search_id)
    return Response(status_code=204)


StopToken = Annotated[
    str, Query(min_length=1, max_length=64, description="The stop link's signed token")
]


@router.get(
    "/{search_id}/stop",
    response_class=Response,
    operation_id="stopAlertsPage",
    responses=one_button_responses("pauses the alerts"),
    summary="The page of a digest's stop link",
)
def stop_alerts_page(request: Request, search_id: ResourceId, token: StopToken) -> HTMLResponse:
    return one_button_page(
        request,
        title="Stop alerts",
        heading="Stop these alerts",
        text="Press the button to pause the e-mail alerts of this saved search. The search "
        "stays in your account; you can resume its alerts there.",
        button="Stop alerts",
    )


@router.post(
    "/{search_id}/stop",
    response_model=AlertsStopped,
    operation_id="stopAlerts",
    responses=error_responses(403, 422),
    summary="Pause a saved search's alerts from its digest (RFC 8058 one-click), no sign-in",
)
def stop_alerts(
    search_id: ResourceId, token: StopToken, session: SessionDep, settings: SettingsDep
) -> AlertsStopped:
    return alerts.stop_alerts(session, settings.secret_key.get_secret_value(), search_id, token)
