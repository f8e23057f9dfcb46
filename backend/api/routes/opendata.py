"""`/api/v1` routes: opendata."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["open data"])
