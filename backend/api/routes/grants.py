"""Grants awarded under funding schemes, and the 360Giving export."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from backend.api.deps import BulkSessionDep, OptionalPrincipal, SessionDep, SettingsDep
from backend.api.errors import error_responses
from backend.api.links import LinksDep
from backend.api.params import ResourceId
from backend.api.routes.funding import Funder
from backend.schemas.grants import GrantCreate, GrantPublic
from backend.services import giving360

router = APIRouter(tags=["funding"])

GIVING360_EXAMPLE: dict[str, Any] = {
    "version": "1.4",
    "grants": [
        {
            "id": "360G-civictwin-5",
            "title": "Bid-ready grant: first tender",
            "description": "Up to £5,000 towards the cost of preparing a first public tender.",
            "currency": "GBP",
            "amountAwarded": 4500.0,
            "awardDate": "2025-06-02T00:00:00Z",
            "recipientOrganization": [
                {"id": "360G-civictwin-org-8", "name": "Barbican Gardens Ltd"}
            ],
            "fundingOrganization": [
                {
                    "id": "360G-civictwin-funder-west-midlands-growth-company",
                    "name": "West Midlands Growth Company",
                }
            ],
            "grantProgramme": [
                {
                    "code": "scheme-3",
                    "title": "Bid-ready grant",
                    "url": "https://civictwin.example.org/api/v1/schemes/3",
                }
            ],
            "fromOpenCall": "Yes",
            "fundingType": [{"vocabulary": "civictwin-scheme-kind", "code": "grant"}],
            "dateModified": "2025-06-02T10:00:00+00:00",
        }
    ],
}


@router.post(
    "/schemes/{scheme_id}/grants",
    response_model=GrantPublic,
    status_code=201,
    operation_id="createGrant",
    responses=error_responses(401, 403, 404, 422),
    summary="Record a grant awarded under my scheme (its funder or an admin)",
)
def create_grant(
    scheme_id: ResourceId, data: GrantCreate, principal: Funder, session: SessionDep
) -> GrantPublic:
    return giving360.record(session, principal, scheme_id, data)


@router.delete(
    "/grants/{grant_id}",
    status_code=204,
    operation_id="deleteGrant",
    responses=error_responses(401, 403, 404),
    summary="Withdraw a grant recorded in error (the scheme's funder or an admin)",
)
def delete_grant(grant_id: ResourceId, principal: Funder, session: SessionDep) -> Response:
    giving360.withdraw(session, principal, grant_id)
    return Response(status_code=204)


@router.get(
    "/schemes/{scheme_id}/grants",
    response_model=list[GrantPublic],
    operation_id="listGrants",
    responses=error_responses(404),
    summary="Grants awarded under a scheme",
)
def list_grants(
    scheme_id: ResourceId, principal: OptionalPrincipal, session: SessionDep
) -> list[GrantPublic]:
    return giving360.of_scheme(session, principal, scheme_id)


@router.get(
    "/grants/360giving.json",
    operation_id="getGrants360Giving",
    responses={
        200: {
            "description": "360Giving grant package (1.4)",
            "content": {"application/json": {"example": GIVING360_EXAMPLE}},
        },
        **error_responses(404),
    },
    summary="Awarded grants as 360Giving open data (404 while none is awarded)",
)
def grants_360giving(
    session: BulkSessionDep, settings: SettingsDep, links: LinksDep
) -> JSONResponse:
    return JSONResponse(giving360.package(session, settings, links))
