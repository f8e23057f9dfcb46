"""`/api/v1` routes: organisations."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["organisations"])
