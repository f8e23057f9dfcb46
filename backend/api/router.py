"""All routers, composed in one place."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from backend.api import ogc
from backend.api.errors import ErrorModel
from backend.api.routes import (
    analytics,
    audit,
    auth,
    awards,
    buildings,
    city,
    comments,
    config,
    cpv,
    documents,
    events,
    follows,
    funding,
    grants,
    guide,
    health,
    impact,
    moderation,
    notifications,
    oc4ids,
    opendata,
    opportunities,
    organisations,
    proposals,
    questionnaires,
    reports,
    responses,
    saved_searches,
    subpackages,
    tiles,
    tilesets,
    users,
    variants,
)

#: The error model, documented once for every operation: whatever 4xx or 5xx an operation
#: answers, the body is ``{"detail", "code"}`` (FastAPI's default 422 array is never sent, so
#: it is not documented either: FastAPI adds it only to operations without a ``4XX`` entry).
ERROR_MODEL_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorModel, "description": "Client error: `{detail, code}`"},
    "5XX": {"model": ErrorModel, "description": "Server error or unavailable: `{detail, code}`"},
}

api_router = APIRouter(prefix="/api/v1", responses=ERROR_MODEL_RESPONSES)
for module in (
    health,
    config,
    auth,
    users,
    audit,
    proposals,
    documents,
    tilesets,
    buildings,
    comments,
    events,
    moderation,
    opportunities,
    organisations,
    cpv,
    saved_searches,
    opendata,
    analytics,
    funding,
    impact,
):
    api_router.include_router(module.router)
# a twin that follows decisions (issue 12): approved schemes applied to the city tileset
api_router.include_router(city.router)
# participation loop (issue 14): responses, follows, notifications, variants, questionnaires,
# timeline and consultation reports
for module in (responses, follows, notifications, variants, questionnaires, reports):
    api_router.include_router(module.router)
# SME one-stop shop (issue 15): awards and KPIs, contractors' sub-packages, OC4IDS, 360Giving,
# the one-stop-shop guide
for module in (awards, subpackages, oc4ids, grants, guide):
    api_router.include_router(module.router)

#: Routers outside ``/api/v1``: static 3D Tiles and OGC API - Features.
_root = APIRouter(responses=ERROR_MODEL_RESPONSES)
_root.include_router(tiles.router)
_root.include_router(ogc.router)
root_routers = (_root,)
