"""All ``/api/v1`` routers, composed in one place."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api.routes import auth, health, users

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(health.router)
api_router.include_router(auth.router)
api_router.include_router(users.router)
