"""``/api/v1/audit-log``: who did what, when and why (admins)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from backend.api.deps import Admin, SessionDep
from backend.api.errors import error_responses
from backend.api.pagination import PageParams, page_params
from backend.api.params import MAX_ID
from backend.schemas.users import AuditLogPage
from backend.services import audit

router = APIRouter(prefix="/audit-log", tags=["accounts"])

AuditPage = Annotated[PageParams, Depends(page_params(default=50, maximum=200))]


@router.get(
    "",
    response_model=AuditLogPage,
    operation_id="listAuditLog",
    responses=error_responses(401, 403, 422),
    summary="The audit log, newest first, by actor, action and date (admins)",
)
def list_audit_log(
    admin: Admin,
    session: SessionDep,
    page: AuditPage,
    actor_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only what this account did")
    ] = None,
    action: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=50,
            pattern=r"^[a-z_]+(\.[a-z_]*)?$",
            description="One action (``roles.set``) or every action of an area (``comment.``)",
        ),
    ] = None,
    since: Annotated[date | None, Query(description="From this day (UTC), included")] = None,
    until: Annotated[date | None, Query(description="To this day (UTC), included")] = None,
) -> AuditLogPage:
    items, total = audit.entries(
        session,
        actor_id=actor_id,
        action=action,
        since=since,
        until=until,
        limit=page.limit,
        offset=page.offset,
    )
    return page.of(AuditLogPage, items, total)
