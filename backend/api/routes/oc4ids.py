"""OC4IDS 0.9 project packages: a proposal with procurement linked to its contracting processes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from backend.api import examples
from backend.api.deps import BulkSessionDep, OptionalPrincipal, SessionDep, SettingsDep
from backend.api.errors import error_responses
from backend.api.links import LinksDep
from backend.api.params import ResourceId
from backend.services import oc4ids

router = APIRouter(tags=["opportunities"])

_BASE = "https://civictwin.example.org"
OC4IDS_EXAMPLE: dict[str, Any] = {
    "uri": f"{_BASE}/api/v1/proposals/1/oc4ids.json",
    "version": "0.9",
    "publishedDate": "2025-07-15T10:00:00Z",
    "publisher": {"name": "CivicTwin"},
    "license": "https://creativecommons.org/publicdomain/zero/1.0/",
    "projects": [
        {
            "id": "oc4ids-civictwin-1",
            "updated": "2025-07-15T10:00:00Z",
            "language": "en",
            "identifiers": [{"id": "24/00123/FULL", "scheme": "planning-application-reference"}],
            "publicAuthority": {"id": "public-authority", "name": "CivicTwin"},
            "title": "Bank Junction Tower",
            "status": "implementation",
            "type": "construction",
            "locations": [
                {
                    "id": "site",
                    "description": "1 Bank Junction",
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [
                            [
                                [-0.0890, 51.5130],
                                [-0.0880, 51.5130],
                                [-0.0880, 51.5136],
                                [-0.0890, 51.5130],
                            ]
                        ],
                    },
                }
            ],
            "budget": {"amount": {"amount": 250000.0, "currency": "GBP"}},
            "parties": [
                {
                    "id": "public-authority",
                    "name": "CivicTwin",
                    "roles": ["publicAuthority", "buyer"],
                },
                {
                    "id": "org-8",
                    "name": "Barbican Gardens Ltd",
                    "roles": ["supplier"],
                    "details": {"scale": "small"},
                },
            ],
            "contractingProcesses": [
                {
                    "id": "ocds-civictwin-opp-4",
                    "summary": {
                        "ocid": "ocds-civictwin-opp-4",
                        "title": "Landscaping works",
                        "status": "active",
                        "tender": {
                            "procurementMethod": "open",
                            "costEstimate": {"amount": 250000.0, "currency": "GBP"},
                        },
                        "suppliers": [{"id": "org-8", "name": "Barbican Gardens Ltd"}],
                        "contractValue": {"amount": 240000.0, "currency": "GBP"},
                    },
                    "releases": [
                        {
                            "id": "ocds-civictwin-opp-4-20250715T100000Z",
                            "tag": ["tender", "award"],
                            "date": "2025-07-15T10:00:00Z",
                            "url": f"{_BASE}/api/v1/opportunities/4/release-package.json",
                        }
                    ],
                }
            ],
        }
    ],
}


@router.get(
    "/proposals/{proposal_id}/oc4ids.json",
    operation_id="getProposalOc4ids",
    responses={
        200: {
            "description": "OC4IDS 0.9 project package",
            "content": examples.json_content(OC4IDS_EXAMPLE),
        },
        **error_responses(404),
    },
    summary="A proposal with procurement as an OC4IDS project package",
)
def proposal_oc4ids(
    proposal_id: ResourceId,
    principal: OptionalPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    links: LinksDep,
) -> JSONResponse:
    return JSONResponse(oc4ids.package_one(session, settings, links, principal, proposal_id))


@router.get(
    "/oc4ids/project-package.json",
    operation_id="getOc4idsPackage",
    responses={
        200: {
            "description": "OC4IDS 0.9 project package",
            "content": examples.json_content(OC4IDS_EXAMPLE),
        }
    },
    summary="Every public proposal with procurement as an OC4IDS project package",
)
def oc4ids_package(session: BulkSessionDep, settings: SettingsDep, links: LinksDep) -> JSONResponse:
    return JSONResponse(oc4ids.package_all(session, settings, links))
