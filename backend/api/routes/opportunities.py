"""``/api/v1/opportunities``: publish, discover and register interest in work packages; OCDS."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from backend.api import examples
from backend.api.deps import (
    SME,
    BulkSessionDep,
    OptionalPrincipal,
    Planner,
    ReadsDep,
    SessionDep,
    SettingsDep,
)
from backend.api.errors import error_responses
from backend.api.links import LinksDep
from backend.api.pagination import Pagination
from backend.api.params import ResourceId
from backend.schemas.opportunities import (
    MAX_FILTER_VALUES,
    CPVFilter,
    InterestList,
    InterestPublic,
    InterestWrite,
    Money,
    OpportunityCreate,
    OpportunityFilters,
    OpportunityList,
    OpportunityPublic,
    OpportunityStatus,
    OpportunityUpdate,
    SortKey,
)
from backend.services import interest, ocds
from backend.services import opportunities as service

router = APIRouter(prefix="/opportunities", tags=["opportunities"])

OCDS_MEDIA_TYPE = "application/json"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


async def opportunity_filters(  # no I/O: no thread-pool hop
    cpv: Annotated[
        list[CPVFilter],
        Query(
            max_length=MAX_FILTER_VALUES,
            description="CPV code or digit prefix (repeatable, at most "
            f"{MAX_FILTER_VALUES}); a prefix matches its subtree",
            examples=["4511"],
        ),
    ] = [],  # noqa: B006 - FastAPI copies defaults
    lon: Annotated[
        float | None, Query(ge=-180, le=180, description="Longitude of the point")
    ] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90, description="Latitude of the point")] = None,
    radius_km: Annotated[
        float | None, Query(gt=0, le=20000, description="Within this distance of the point")
    ] = None,
    min_value: Annotated[Money | None, Query(description="Value range overlaps from")] = None,
    max_value: Annotated[Money | None, Query(description="Value range overlaps to")] = None,
    status: Annotated[
        list[OpportunityStatus],
        Query(max_length=MAX_FILTER_VALUES, description="Any of these (repeatable)"),
    ] = [],  # noqa: B006
    closing_after: Annotated[
        datetime | None, Query(description="Tender closes at or after (ISO 8601)")
    ] = None,
    closing_before: Annotated[
        datetime | None, Query(description="Tender closes at or before (ISO 8601)")
    ] = None,
    sme_suitable: Annotated[bool | None, Query(description="Only SME-suitable ones")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Free text")] = None,
    proposal_id: Annotated[int | None, Query(description="Of this proposal")] = None,
) -> OpportunityFilters:
    return OpportunityFilters(
        cpv=cpv,
        lon=lon,
        lat=lat,
        radius_km=radius_km,
        min_value=min_value,
        max_value=max_value,
        status=status,
        closing_after=closing_after,
        closing_before=closing_before,
        sme_suitable=sme_suitable,
        q=q,
        proposal_id=proposal_id,
    )


Filters = Annotated[OpportunityFilters, Depends(opportunity_filters)]


@router.get(
    "",
    response_model=OpportunityList,
    operation_id="listOpportunities",
    responses=error_responses(422),
    summary="Find opportunities by sector, distance, value, dates and text",
)
async def list_opportunities(
    request: Request,
    reads: ReadsDep,
    settings: SettingsDep,
    filters: Filters,
    page: Pagination,
    sort: Annotated[
        SortKey, Query(description="closing (soonest first), distance, value…")
    ] = "closing",
) -> OpportunityList:
    def listing(session: Session) -> OpportunityList:
        items, total = service.list_page(
            session,
            filters,
            sort=sort,
            limit=page.limit,
            offset=page.offset,
            ocid_prefix=settings.ocid_prefix,
        )
        return page.of(OpportunityList, items, total)

    # one thread-pool hop (or the event loop on PostGIS): deps.Reads
    return await reads.run(listing)


@router.post(
    "",
    response_model=OpportunityPublic,
    status_code=201,
    operation_id="createOpportunity",
    responses=error_responses(401, 403, 404, 422),
    summary="Publish a work package of a proposal (its planner or an admin)",
)
def create_opportunity(
    data: OpportunityCreate, principal: Planner, session: SessionDep, settings: SettingsDep
) -> OpportunityPublic:
    new_id = service.create(session, principal, data)
    return service.get_public(session, principal, new_id, settings.ocid_prefix)


@router.get(
    "/release-package.json",
    operation_id="getOpportunitiesReleasePackage",
    responses={
        200: {
            "description": "OCDS 1.1 release package",
            "content": examples.json_content(examples.OCDS_PACKAGE, OCDS_MEDIA_TYPE),
        }
    },
    summary="All public opportunities as an OCDS 1.1 release package",
)
def release_package(
    session: BulkSessionDep, settings: SettingsDep, links: LinksDep
) -> JSONResponse:
    return JSONResponse(ocds.package_all(session, settings, links), media_type=OCDS_MEDIA_TYPE)


@router.get(
    "/{opportunity_id}",
    response_model=OpportunityPublic,
    operation_id="getOpportunity",
    responses=error_responses(404),
    summary="One opportunity (drafts' only for planners)",
)
def get_opportunity(
    opportunity_id: ResourceId,
    principal: OptionalPrincipal,
    session: SessionDep,
    settings: SettingsDep,
) -> OpportunityPublic:
    return service.get_public(session, principal, opportunity_id, settings.ocid_prefix)


@router.patch(
    "/{opportunity_id}",
    response_model=OpportunityPublic,
    operation_id="updateOpportunity",
    responses=error_responses(401, 403, 404, 422),
    summary="Change an opportunity (its planner or an admin)",
)
def update_opportunity(
    opportunity_id: ResourceId,
    data: OpportunityUpdate,
    principal: Planner,
    session: SessionDep,
    settings: SettingsDep,
) -> OpportunityPublic:
    service.update(session, principal, opportunity_id, data)
    return service.get_public(session, principal, opportunity_id, settings.ocid_prefix)


@router.delete(
    "/{opportunity_id}",
    status_code=204,
    operation_id="deleteOpportunity",
    responses=error_responses(401, 403, 404),
    summary="Delete an opportunity (its planner or an admin)",
)
def delete_opportunity(
    opportunity_id: ResourceId, principal: Planner, session: SessionDep
) -> Response:
    service.delete(session, principal, opportunity_id)
    return Response(status_code=204)


@router.get(
    "/{opportunity_id}/release-package.json",
    operation_id="getOpportunityReleasePackage",
    responses={
        200: {
            "description": "OCDS 1.1 release package",
            "content": examples.json_content(examples.OCDS_PACKAGE, OCDS_MEDIA_TYPE),
        },
        **error_responses(404),
    },
    summary="One opportunity as an OCDS 1.1 release package",
)
def opportunity_release_package(
    opportunity_id: ResourceId,
    principal: OptionalPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    links: LinksDep,
) -> JSONResponse:
    data: dict[str, Any] = ocds.package_one(session, settings, links, principal, opportunity_id)
    return JSONResponse(data, media_type=OCDS_MEDIA_TYPE)


@router.put(
    "/{opportunity_id}/interest",
    response_model=InterestPublic,
    operation_id="registerInterest",
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Register (or update) my organisation's interest; idempotent",
    description=(
        "One registration per organisation and opportunity: repeating the call updates the "
        "message (and undoes a withdrawal). The organisation's name and size are published as "
        "an `interestedParty` in the opportunity's OCDS release."
    ),
)
def register_interest(
    opportunity_id: ResourceId, data: InterestWrite, principal: SME, session: SessionDep
) -> InterestPublic:
    return interest.register(session, principal, opportunity_id, data.message)


@router.delete(
    "/{opportunity_id}/interest",
    response_model=InterestPublic,
    operation_id="withdrawInterest",
    responses=error_responses(401, 403, 404),
    summary="Withdraw my organisation's interest",
)
def withdraw_interest(
    opportunity_id: ResourceId, principal: SME, session: SessionDep
) -> InterestPublic:
    return interest.withdraw(session, principal, opportunity_id)


@router.get(
    "/{opportunity_id}/interests",
    response_model=InterestList,
    operation_id="listInterests",
    responses=error_responses(401, 403, 404),
    summary="Organisations interested in my opportunity (publishing planner or admin)",
)
def list_interests(
    opportunity_id: ResourceId,
    principal: Planner,
    session: SessionDep,
    include_withdrawn: Annotated[bool, Query(description="Also withdrawn ones")] = False,
) -> InterestList:
    items = interest.for_publisher(session, principal, opportunity_id, include_withdrawn)
    return InterestList(items=items, total=len(items))


@router.get(
    "/{opportunity_id}/interests.csv",
    operation_id="exportInterests",
    response_class=Response,
    responses={
        200: {
            "description": "CSV, one row per registration",
            "content": {
                "text/csv": {"schema": {"type": "string"}, "example": examples.INTERESTS_CSV}
            },
        },
        **error_responses(401, 403, 404),
    },
    summary="Interest registrations of my opportunity as CSV (withdrawn ones included)",
)
def export_interests(
    opportunity_id: ResourceId, principal: Planner, session: SessionDep
) -> Response:
    body = interest.export_csv(session, principal, opportunity_id)
    name = f"opportunity-{opportunity_id}-interest.csv"
    return Response(
        body,
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
