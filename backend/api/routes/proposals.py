"""`/api/v1` routes: proposals."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["proposals"])
