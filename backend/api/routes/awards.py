"""Awards of work packages and the supply-chain KPIs (``/api/v1/opportunities/{id}/awards``,
``/api/v1/awards``)."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Query, Response

from backend.api.deps import OptionalPrincipal, Planner, SessionDep, SettingsDep
from backend.api.errors import error_responses
from backend.api.params import ResourceId
from backend.schemas.awards import AwardCreate, AwardPublic, Kpis
from backend.services import awards as service

router = APIRouter(tags=["awards"])

KPI_CSV_EXAMPLE = (
    "proposal_id,currency,local_radius_km,work_packages,awarded_work_packages,awards,"
    "awarded_value,sme_value,local_sme_value,sme_share,local_sme_share,sme_awards,smes_engaged,"
    "interest_registrations,median_days_to_award\r\n"
    "1,GBP,30.0,4,2,2,300000.0,240000.0,240000.0,0.8,0.8,1,3,5,14.0\r\n"
    ",GBP,30.0,4,2,2,300000.0,240000.0,240000.0,0.8,0.8,1,3,5,14.0\r\n"
)


@router.post(
    "/opportunities/{opportunity_id}/awards",
    response_model=AwardPublic,
    status_code=201,
    operation_id="createAward",
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Record the award of a work package to a supplier (its planner or an admin)",
)
def create_award(
    opportunity_id: ResourceId, data: AwardCreate, principal: Planner, session: SessionDep
) -> AwardPublic:
    return service.record(session, principal, opportunity_id, data)


@router.get(
    "/opportunities/{opportunity_id}/awards",
    response_model=list[AwardPublic],
    operation_id="listAwards",
    responses=error_responses(404),
    summary="Awards of a work package",
)
def list_awards(
    opportunity_id: ResourceId, principal: OptionalPrincipal, session: SessionDep
) -> list[AwardPublic]:
    return service.of_opportunity(session, principal, opportunity_id)


@router.delete(
    "/awards/{award_id}",
    status_code=204,
    operation_id="deleteAward",
    responses=error_responses(401, 403, 404),
    summary="Withdraw a recorded award (the work package's planner or an admin)",
)
def delete_award(award_id: ResourceId, principal: Planner, session: SessionDep) -> Response:
    service.delete(session, principal, award_id)
    return Response(status_code=204)


@router.get(
    "/awards/kpis",
    response_model=Kpis,
    operation_id="getAwardKpis",
    responses=error_responses(404, 422),
    summary="Supply-chain KPIs of a development or city-wide: SME shares, engagement, time",
)
def award_kpis(
    session: SessionDep,
    settings: SettingsDep,
    proposal_id: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="One development; city-wide if left out")
    ] = None,
) -> Kpis:
    return service.kpis(session, proposal_id, settings.local_radius_km)


@router.get(
    "/awards/kpis.csv",
    operation_id="exportAwardKpis",
    response_class=Response,
    responses={
        200: {
            "description": "CSV: one row per development with awards, then city-wide (empty id)",
            "content": {"text/csv": {"schema": {"type": "string"}, "example": KPI_CSV_EXAMPLE}},
        }
    },
    summary="Supply-chain KPIs as open data (CSV)",
)
def export_award_kpis(session: SessionDep, settings: SettingsDep) -> Response:
    rows = service.kpis_csv_rows(session, settings.local_radius_km)
    out = io.StringIO()
    fields = [k for k in Kpis.model_fields if k != "by_size"]
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8")
