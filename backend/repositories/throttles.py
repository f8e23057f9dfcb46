"""Per-key mutual exclusion inside a transaction, so a count-then-act check cannot race.

A throttle that counts what was done (comments posted in the last N minutes) and then does one
more is only correct if no one else counts between the count and the commit. :func:`serialize`
makes that so on both engines, without a counter table:

- PostgreSQL: ``pg_advisory_xact_lock`` on a 64-bit hash of the key; concurrent transactions
  with the same key wait here until the holder commits or rolls back (READ COMMITTED then lets
  the next one's count see the holder's rows). Other keys do not wait.
- SQLite: a writing session already holds the database's one write lock from its first statement
  (``BEGIN IMMEDIATE``, see :mod:`backend.db.engine`), which serialises every writer; nothing to
  add. Calling it from a read session is a programming error and raises.

Use it first in the transaction, before counting, and commit (or roll back) promptly::

    throttles.serialize(session, f"comment-author:{user_id}")
    if repo.posted_since(session, ...)[0] >= limit:
        raise RateLimitedError(...)
    session.add(comment)
    session.commit()  # releases the lock

For a stored counter with back-off (login, registration) see
:mod:`backend.repositories.account_throttles`, whose single conditional ``UPDATE`` is atomic by
itself.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.engine import READ_ONLY_OPTION


def lock_id(key: str) -> int:
    """A stable signed 64-bit number for ``key`` (PostgreSQL's advisory lock space)."""
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def serialize(session: Session, key: str) -> None:
    """Hold a lock on ``key`` until the session's transaction ends."""
    conn = session.connection()
    if conn.get_execution_options().get(READ_ONLY_OPTION):
        # SpatiaLite: no write lock to hold; PostGIS: autocommit, a lock gone with its statement
        raise RuntimeError(f"throttle {key!r} needs a writing session (this one only reads)")
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id(key)})
        return
    # SQLite: the writing transaction began with BEGIN IMMEDIATE and holds the write lock.


__all__ = ["lock_id", "serialize"]
