"""``/tiles/{tileset}/...``: pipeline output served as static 3D Tiles."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/tiles", tags=["tiles"])
