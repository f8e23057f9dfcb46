"""``/api/v1/schemes``: funding and business-support schemes; schemes for my organisation and
beside a work package."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from backend.api.deps import SME, OptionalPrincipal, SessionDep, require_roles
from backend.api.errors import error_responses
from backend.api.pagination import Pagination
from backend.api.params import ResourceId
from backend.schemas.funding import (
    BusinessStage,
    EligibleSize,
    SchemeCreate,
    SchemeFilters,
    SchemeKind,
    SchemeList,
    SchemeMatchList,
    SchemePublic,
    SchemeUpdate,
)
from backend.services import funding as service
from backend.services.auth import Principal

router = APIRouter(tags=["funding"])

#: A funder (city, development bank, chamber) or an admin.
Funder = Annotated[Principal, Depends(require_roles("funder"))]


def scheme_filters(
    kind: Annotated[
        list[SchemeKind], Query(max_length=6, description="Any of these kinds (repeatable)")
    ] = [],  # noqa: B006 - FastAPI copies defaults
    size: Annotated[EligibleSize | None, Query(description="Open to this size")] = None,
    sector: Annotated[
        str | None, Query(max_length=12, description="CPV prefix (45, 4511) or NACE code (F, 43.3)")
    ] = None,
    stage: Annotated[BusinessStage | None, Query(description="Open to this business stage")] = None,
    open_on: Annotated[date | None, Query(description="Open for applications on this day")] = None,
    lon: Annotated[
        float | None, Query(ge=-180, le=180, description="Applicant's longitude")
    ] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90, description="Applicant's latitude")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Free text, any language")] = None,
    opportunity_id: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="Shown beside this work package")
    ] = None,
    provider: Annotated[
        str | None, Query(max_length=200, description="Provider name contains")
    ] = None,
) -> SchemeFilters:
    return SchemeFilters(
        kind=kind,
        size=size,
        sector=sector,
        stage=stage,
        open_on=open_on,
        lon=lon,
        lat=lat,
        q=q,
        opportunity_id=opportunity_id,
        provider=provider,
    )


Filters = Annotated[SchemeFilters, Depends(scheme_filters)]


@router.get(
    "/schemes",
    response_model=SchemeList,
    operation_id="listSchemes",
    responses=error_responses(422),
    summary="Find funding and support schemes by kind, size, sector, stage, place, date, text",
)
def list_schemes(
    session: SessionDep, principal: OptionalPrincipal, filters: Filters, page: Pagination
) -> SchemeList:
    found = service.find(session, principal, filters)
    items = service.publics(session, found[page.offset : page.offset + page.limit])
    return page.of(SchemeList, items, len(found))


@router.post(
    "/schemes",
    response_model=SchemePublic,
    status_code=201,
    operation_id="createScheme",
    responses=error_responses(401, 403, 422),
    summary="Publish a scheme (a funder or an admin)",
)
def create_scheme(data: SchemeCreate, principal: Funder, session: SessionDep) -> SchemePublic:
    new_id = service.create(session, principal, data)
    return service.get_public(session, principal, new_id)


# before /schemes/{scheme_id}, whose integer id would refuse the word
@router.get(
    "/schemes/managed",
    response_model=SchemeList,
    operation_id="listManagedSchemes",
    responses=error_responses(401, 403),
    summary="The schemes I may change, drafts included (a funder: its own; an admin: all)",
)
def list_managed_schemes(principal: Funder, session: SessionDep, page: Pagination) -> SchemeList:
    found = service.managed(session, principal)
    items = service.publics(session, found[page.offset : page.offset + page.limit])
    return page.of(SchemeList, items, len(found))


@router.get(
    "/schemes/{scheme_id}",
    response_model=SchemePublic,
    operation_id="getScheme",
    responses=error_responses(404),
    summary="One scheme (drafts only for their funder)",
)
def get_scheme(
    scheme_id: ResourceId, principal: OptionalPrincipal, session: SessionDep
) -> SchemePublic:
    return service.get_public(session, principal, scheme_id)


@router.patch(
    "/schemes/{scheme_id}",
    response_model=SchemePublic,
    operation_id="updateScheme",
    responses=error_responses(401, 403, 404, 422),
    summary="Change a scheme (its funder or an admin)",
)
def update_scheme(
    scheme_id: ResourceId, data: SchemeUpdate, principal: Funder, session: SessionDep
) -> SchemePublic:
    service.update(session, principal, scheme_id, data)
    return service.get_public(session, principal, scheme_id)


@router.delete(
    "/schemes/{scheme_id}",
    status_code=204,
    operation_id="deleteScheme",
    responses=error_responses(401, 403, 404),
    summary="Delete a scheme (its funder or an admin)",
)
def delete_scheme(scheme_id: ResourceId, principal: Funder, session: SessionDep) -> Response:
    service.delete(session, principal, scheme_id)
    return Response(status_code=204)


@router.get(
    "/organisations/me/schemes",
    response_model=SchemeMatchList,
    operation_id="listMySchemes",
    responses=error_responses(401, 403, 404),
    summary="Open schemes my organisation is eligible for, with the reasons",
)
def list_my_schemes(
    principal: SME,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> SchemeMatchList:
    items, total = service.matches(session, principal, limit)
    return SchemeMatchList(items=items, total=total)


@router.get(
    "/opportunities/{opportunity_id}/schemes",
    response_model=list[SchemePublic],
    operation_id="listOpportunitySchemes",
    responses=error_responses(404),
    summary="Schemes shown beside a work package (e.g. a guarantee for its contract bond)",
)
def list_opportunity_schemes(
    opportunity_id: ResourceId, principal: OptionalPrincipal, session: SessionDep
) -> list[SchemePublic]:
    found = service.find(session, principal, SchemeFilters(opportunity_id=opportunity_id))
    return service.publics(session, [s for s in found if s.status == "published"])
