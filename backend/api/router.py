"""All routers, composed in one place."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api import ogc
from backend.api.routes import (
    analytics,
    auth,
    buildings,
    comments,
    config,
    cpv,
    documents,
    events,
    health,
    moderation,
    opendata,
    opportunities,
    organisations,
    proposals,
    saved_searches,
    tiles,
    tilesets,
    users,
)

api_router = APIRouter(prefix="/api/v1")
for module in (
    health,
    config,
    auth,
    users,
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
):
    api_router.include_router(module.router)

#: Routers outside ``/api/v1``: static 3D Tiles and OGC API - Features.
root_routers = (tiles.router, ogc.router)
