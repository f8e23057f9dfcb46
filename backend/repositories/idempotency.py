"""Idempotency keys: found, recorded with the transaction that creates, answered.

The key of a request is written by :func:`record_on_commit` into the *same* transaction as the
rows that request creates, so either both are committed or neither is: a worker killed before
its commit leaves no key (the retry runs again and creates once), one killed after leaves the
key (the retry is never run twice). The response is stored in its own short transaction once
it is known (:func:`store_response`).
"""

from __future__ import annotations

import contextvars
import json
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_mapper

from backend.db.models import IdempotencyKey
from backend.db.types import utcnow
from backend.errors import ConflictError

#: How many created rows a key names (a bulk create names its first ones).
MAX_CREATED = 20


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
    row = IdempotencyKey(
        scope_hash=pending.scope_hash, key=pending.key, request_hash=pending.request_hash
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        # the same key committed meanwhile by a concurrent request: this one must not create;
        # the failed commit leaves the session to be rolled back when it closes
        raise ConflictError(
            "Idempotency-Key: a request with this key was carried out meanwhile; "
            "retry to get its response"
        ) from None
    # which rows were created, now that they have their ids: should the worker die before
    # its response is stored, a retry is answered from the resource (backend.api.idempotency)
    created = session.info.get(_CREATED, [])[:MAX_CREATED]
    row.created = json.dumps([[t, pk] for t, pk in created if t != IdempotencyKey.__tablename__])
    pending.recorded = True


_CREATED = "idempotency_created"


@event.listens_for(Session, "after_flush")
def _note_created(session: Session, _context: object) -> None:
    """While a request with a key runs, note the rows each flush inserts, with their ids (a
    service often flushes before its commit to learn an id)."""
    if current.get() is None or not session.new:
        return
    noted = session.info.setdefault(_CREATED, [])
    if len(noted) < MAX_CREATED:
        noted.extend(t for t in map(_identity, session.new) if t[0] is not None)


@event.listens_for(Session, "after_commit")
def _forget_committed(session: Session) -> None:
    session.info.pop(_CREATED, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_created(session: Session, _previous: object) -> None:
    session.info.pop(_CREATED, None)


def _identity(obj: object) -> tuple[str | None, int | None]:
    mapper = object_mapper(obj)
    keys = mapper.primary_key
    if len(keys) != 1:
        return None, None
    value = getattr(obj, mapper.get_property_by_column(keys[0]).key, None)
    table = getattr(mapper.local_table, "name", None)
    return (table, value) if isinstance(value, int) and table else (None, None)


def created_rows(row: IdempotencyKey) -> list[tuple[str, int]]:
    """The (table, id) of the rows the key's request created, in the order they were added."""
    try:
        found = json.loads(row.created or "[]")
    except ValueError:
        return []
    return [(str(t), int(i)) for t, i in found]


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
