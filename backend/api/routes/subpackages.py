"""Contractors' sub-packages under a work package they won
(``/api/v1/opportunities/{id}/sub-packages``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from backend.api.deps import OptionalPrincipal, SessionDep, SettingsDep, require_roles
from backend.api.errors import error_responses
from backend.api.params import ResourceId
from backend.schemas.opportunities import OpportunityPublic
from backend.schemas.subpackages import SubPackageCreate
from backend.services import opportunities, subpackages
from backend.services.auth import Principal

router = APIRouter(tags=["opportunities"])

Contractor = Annotated[Principal, Depends(require_roles("contractor"))]


@router.post(
    "/opportunities/{opportunity_id}/sub-packages",
    response_model=OpportunityPublic,
    status_code=201,
    operation_id="createSubPackage",
    responses=error_responses(401, 403, 404, 422),
    summary="Post a sub-package under a work package my organisation won (a contractor)",
)
def create_sub_package(
    opportunity_id: ResourceId,
    data: SubPackageCreate,
    principal: Contractor,
    session: SessionDep,
    settings: SettingsDep,
) -> OpportunityPublic:
    new_id = subpackages.create(session, principal, opportunity_id, data)
    return opportunities.get_public(session, principal, new_id, settings.ocid_prefix)


@router.get(
    "/opportunities/{opportunity_id}/sub-packages",
    response_model=list[OpportunityPublic],
    operation_id="listSubPackages",
    responses=error_responses(404),
    summary="Sub-packages posted under a work package",
)
def list_sub_packages(
    opportunity_id: ResourceId,
    principal: OptionalPrincipal,
    session: SessionDep,
    settings: SettingsDep,
) -> list[OpportunityPublic]:
    return subpackages.of_parent(session, principal, opportunity_id, settings.ocid_prefix)
