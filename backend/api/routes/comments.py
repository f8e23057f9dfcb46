"""`/api/v1` routes: comments."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["comments"])
