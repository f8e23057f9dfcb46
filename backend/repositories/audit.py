"""The audit log: who did what, when, why. Rows join the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models import AuditLog


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    entity_type: str,
    entity_id: object,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditLog:
    entry = AuditLog(
        actor_id=actor_id,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        reason=reason,
        details=details or {},
    )
    session.add(entry)
    return entry


def for_entity(session: Session, entity_type: str, entity_id: object) -> list[AuditLog]:
    return list(
        session.scalars(
            sa.select(AuditLog)
            .where(AuditLog.entity_type == entity_type, AuditLog.entity_id == str(entity_id))
            .order_by(AuditLog.at, AuditLog.id)
        )
    )


def entries(
    session: Session,
    *,
    actor_id: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int,
    offset: int,
) -> tuple[list[AuditLog], int]:
    """A page of the log, newest first, filtered by actor, action (or its ``area.`` prefix) and
    time (``since`` inclusive, ``until`` exclusive); with the total over all pages."""
    query = sa.select(AuditLog)
    if actor_id is not None:
        query = query.where(AuditLog.actor_id == actor_id)
    if action:
        if action.endswith("."):
            query = query.where(AuditLog.action.startswith(action, autoescape=True))
        else:
            query = query.where(AuditLog.action == action)
    if since is not None:
        query = query.where(AuditLog.at >= since)
    if until is not None:
        query = query.where(AuditLog.at < until)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit).offset(offset)
    ).all()
    return list(rows), int(total)


def actions(session: Session) -> list[str]:
    """The actions the log holds, for a filter's choices."""
    return sorted(session.scalars(sa.select(AuditLog.action).distinct()))
