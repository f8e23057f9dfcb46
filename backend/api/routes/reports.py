"""A proposal's public timeline and its consultation reports."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api.deps import CurrentPrincipal, OptionalPrincipal, SessionDep, SettingsDep
from backend.api.errors import error_responses
from backend.api.params import ResourceId
from backend.schemas.reports import ConsultationReportList, ConsultationReportPublic
from backend.schemas.timeline import Timeline
from backend.services import reports, timeline

router = APIRouter(prefix="/proposals/{proposal_id}", tags=["reports"])


@router.get(
    "/timeline",
    response_model=Timeline,
    operation_id="getTimeline",
    responses=error_responses(404),
    summary="The proposal's public history: stages, documents, variants, decision, reports",
)
def get_timeline(
    proposal_id: ResourceId, principal: OptionalPrincipal, session: SessionDep
) -> Timeline:
    return timeline.build(session, principal, proposal_id)


@router.get(
    "/reports",
    response_model=ConsultationReportList,
    operation_id="listConsultationReports",
    responses=error_responses(404),
)
def list_consultation_reports(
    proposal_id: ResourceId, principal: OptionalPrincipal, session: SessionDep
) -> ConsultationReportList:
    return reports.listing(session, principal, proposal_id)


@router.post(
    "/reports",
    response_model=ConsultationReportPublic,
    status_code=201,
    operation_id="createConsultationReport",
    responses=error_responses(401, 403, 404, 409),
    summary="Make a consultation report now (the proposal's planner); attached as documents",
)
def create_consultation_report(
    proposal_id: ResourceId, principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> ConsultationReportPublic:
    return reports.view(reports.on_demand(session, principal, proposal_id, settings.uploads_dir))
