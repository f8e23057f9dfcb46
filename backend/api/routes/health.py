"""``/api/v1/health``."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from backend.api.deps import DatabaseDep, admitted
from backend.api.errors import error_responses
from backend.schemas.health import Health
from backend.services import health

router = APIRouter(tags=["system"])


@router.get(
    "/health",
    response_model=Health,
    operation_id="getHealth",
    summary="Service health: database engine, spatial extension and schema revision",
    responses=error_responses(503),
)
async def get_health(db: DatabaseDep) -> Health:
    async with admitted(db, reads=True):
        return await run_in_threadpool(health.check, db)
