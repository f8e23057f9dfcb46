"""Idempotency keys: found, recorded with the transaction that creates, answered.

The key of a request is written by :func:`record_on_commit` into the *same* transaction as the
rows that request creates, so either both are committed or neither is: a worker killed before
its commit leaves no key (the retry runs again and creates once), one killed after leaves the
key (the retry is never run twice). The response is stored in its own short transaction once
it is known (:func:`store_response`).
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.db.models import IdempotencyKey
from backend.db.types import utcnow
from backend.errors import ConflictError


@dataclass
class PendingKey:
    """The key of the request being handled (one per request, in a context variable)."""

    scope_hash: str
    key: str
    request_hash: str
    recorded: bool = False


current: contextvars.ContextVar[PendingKey | None] = contextvars.ContextVar(
    "idempotency_key", default=None
)


def find(session: Session, scope_hash: str, key: str) -> IdempotencyKey | None:
    return session.scalar(
        sa.select(IdempotencyKey).where(
            IdempotencyKey.scope_hash == scope_hash, IdempotencyKey.key == key
        )
    )


@event.listens_for(Session, "before_commit")
def record_on_commit(session: Session) -> None:
    """Add the request's key to the first commit that inserts rows (the creating one)."""
    pending = current.get()
    if pending is None or pending.recorded or not session.new:
        return
    session.add(
        IdempotencyKey(
            scope_hash=pending.scope_hash, key=pending.key, request_hash=pending.request_hash
        )
    )
    try:
        session.flush()
    except IntegrityError:
        # the same key committed meanwhile by a concurrent request: this one must not create;
        # the failed commit leaves the session to be rolled back when it closes
        raise ConflictError(
            "Idempotency-Key: a request with this key was carried out meanwhile; "
            "retry to get its response"
        ) from None
    pending.recorded = True


def store_response(
    session: Session,
    pending: PendingKey,
    status: int,
    content_type: str | None,
    location: str | None,
    body: bytes,
) -> None:
    session.execute(
        sa.update(IdempotencyKey)
        .where(
            IdempotencyKey.scope_hash == pending.scope_hash,
            IdempotencyKey.key == pending.key,
        )
        .values(status=status, content_type=content_type, location=location, body=body)
    )
    session.commit()


def forget(session: Session, pending: PendingKey) -> None:
    """Drop a recorded key whose response must not be replayed (it set a cookie)."""
    session.execute(
        sa.delete(IdempotencyKey).where(
            IdempotencyKey.scope_hash == pending.scope_hash, IdempotencyKey.key == pending.key
        )
    )
    session.commit()


def purge_older_than(session: Session, hours: float) -> int:
    cutoff = utcnow() - timedelta(hours=hours)
    result = session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
