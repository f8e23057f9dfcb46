"""`/api/v1` routes: cpv."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["opportunities"])
