"""The audit log as admins read it: who did what, newest first, with the actors' names."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from backend.errors import InvalidInputError
from backend.repositories import audit as repo
from backend.repositories import comments as comments_repo
from backend.repositories.session import Session
from backend.schemas.users import AuditActor, AuditEntry


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def entries(
    session: Session,
    *,
    actor_id: int | None,
    action: str | None,
    since: date | None,
    until: date | None,
    limit: int,
    offset: int,
) -> tuple[list[AuditEntry], int]:
    """A page of the log; ``since`` and ``until`` are whole UTC days, both included."""
    if since is not None and until is not None and until < since:
        raise InvalidInputError(
            f"until: {until.isoformat()} is before since {since.isoformat()}",
            key="date_order",
            params={"field": "until", "since": since.isoformat(), "until": until.isoformat()},
        )
    rows, total = repo.entries(
        session,
        actor_id=actor_id,
        action=action,
        since=None if since is None else _start_of(since),
        until=None if until is None else _start_of(until + timedelta(days=1)),
        limit=limit,
        offset=offset,
    )
    actors = comments_repo.users_by_id(session, (r.actor_id for r in rows))
    items = []
    for r in rows:
        who = actors.get(r.actor_id) if r.actor_id is not None else None
        items.append(
            AuditEntry(
                id=r.id,
                at=r.at,
                actor=None if who is None else AuditActor(id=who.id, display_name=who.display_name),
                action=r.action,
                entity_type=r.entity_type,
                entity_id=r.entity_id,
                reason=r.reason,
                details=dict(r.details or {}),
            )
        )
    return items, total


def actions(session: Session) -> list[str]:
    return repo.actions(session)
