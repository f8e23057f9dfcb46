"""`/api/v1` routes: saved_searches."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["opportunities"])
