"""``/api/v1/organisations``: SME profiles, matches and my interest registrations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from backend.api.deps import SME, SessionDep, SettingsDep
from backend.api.errors import error_responses
from backend.api.pagination import PageParams, page_params
from backend.api.params import ResourceId
from backend.schemas.opportunities import InterestPublic, MatchList
from backend.schemas.organisations import (
    OrganisationList,
    OrganisationPublic,
    OrganisationUpdate,
)
from backend.services import interest, organisations

router = APIRouter(prefix="/organisations", tags=["organisations"])
#: A directory page: 10 by default, at most 50 (a picker shows a handful).
SearchPage = Annotated[PageParams, Depends(page_params(10, 50))]


@router.get(
    "/me",
    response_model=OrganisationPublic,
    operation_id="getMyOrganisation",
    responses=error_responses(401, 403, 404),
)
def get_my_organisation(principal: SME) -> OrganisationPublic:
    return organisations.to_public(organisations.mine(principal))


@router.patch(
    "/me",
    response_model=OrganisationPublic,
    operation_id="updateMyOrganisation",
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Edit my organisation's profile: size, sectors (CPV), location, service radius",
)
def update_my_organisation(
    data: OrganisationUpdate, principal: SME, session: SessionDep
) -> OrganisationPublic:
    return organisations.to_public(organisations.update_mine(session, principal, data))


@router.get(
    "/me/matches",
    response_model=MatchList,
    operation_id="listMyMatches",
    responses=error_responses(401, 403, 404, 422),
    summary="Open opportunities for my organisation, ranked by sector overlap and distance",
)
def list_my_matches(
    principal: SME,
    session: SessionDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> MatchList:
    items, total = organisations.matches(session, principal, limit, settings.ocid_prefix)
    return MatchList(items=items, total=total)


@router.get(
    "/me/interests",
    response_model=list[InterestPublic],
    operation_id="listMyInterests",
    responses=error_responses(401, 403, 409),
)
def list_my_interests(principal: SME, session: SessionDep) -> list[InterestPublic]:
    return interest.mine(session, principal)


@router.get(
    "",
    response_model=OrganisationList,
    operation_id="searchOrganisations",
    responses=error_responses(422),
    summary="The organisation directory: by name (any part, any case) or identifier",
)
def search_organisations(
    q: Annotated[
        str,
        Query(
            min_length=2,
            max_length=100,
            description="Part of the name, or the identifier (e.g. a company number)",
        ),
    ],
    session: SessionDep,
    page: SearchPage,
) -> OrganisationList:
    items, total = organisations.search(session, q, page.limit, page.offset)
    return page.of(OrganisationList, items, total)


@router.get(
    "/{organisation_id}",
    response_model=OrganisationPublic,
    operation_id="getOrganisation",
    responses=error_responses(404),
    summary="An organisation's public profile",
)
def get_organisation(organisation_id: ResourceId, session: SessionDep) -> OrganisationPublic:
    return organisations.to_public(organisations.get(session, organisation_id))
