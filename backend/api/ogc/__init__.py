"""OGC API - Features (Part 1, Core) at ``/ogc``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/ogc", tags=["OGC API - Features"])
