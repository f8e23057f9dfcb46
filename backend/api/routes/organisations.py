"""``/api/v1/organisations``: SME profiles, matches and my interest registrations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.api.deps import SME, SessionDep, SettingsDep
from backend.api.errors import error_responses
from backend.api.params import ResourceId
from backend.schemas.opportunities import InterestPublic, MatchList
from backend.schemas.organisations import OrganisationPublic, OrganisationUpdate
from backend.services import interest, organisations

router = APIRouter(prefix="/organisations", tags=["organisations"])


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
    "/{organisation_id}",
    response_model=OrganisationPublic,
    operation_id="getOrganisation",
    responses=error_responses(404),
    summary="An organisation's public profile",
)
def get_organisation(organisation_id: ResourceId, session: SessionDep) -> OrganisationPublic:
    return organisations.to_public(organisations.get(session, organisation_id))
