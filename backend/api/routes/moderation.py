"""`/api/v1` routes: moderation."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["moderation"])
