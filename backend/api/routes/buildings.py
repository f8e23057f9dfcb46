"""`/api/v1` routes: buildings."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["city"])
