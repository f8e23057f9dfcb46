"""Atomic throttle counters with exponential back-off, one row per key. No HTTP, no commit.

Every attempt is counted *before* the work it guards (a password check, a registration), with
one conditional ``UPDATE`` that only succeeds while the key is not blocked; the update that
brings the count to the limit also blocks the key for ``backoff_s`` and doubles the back-off
(capped). Concurrent attempts therefore serialise on the row: of 40 parallel wrong passwords
exactly ``limit`` are checked, on SQLite and PostgreSQL alike. A row not touched for ``window_s``
starts afresh. Times are Unix seconds (floats), so the arithmetic is the same SQL on both engines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models import AccountThrottle

T = cast(sa.Table, AccountThrottle.__table__)


@dataclass(frozen=True)
class Rule:
    """``limit`` attempts per ``window_s``; then blocked ``base_s``, doubling up to ``cap_s``."""

    limit: int
    window_s: float
    base_s: float
    cap_s: float


def _ensure(session: Session, key: str) -> None:
    """Insert the row for ``key`` if it is missing (a concurrent insert is not an error)."""
    values = {"key": key, "count": 0, "backoff_s": 0.0, "blocked_until_s": 0.0, "updated_s": 0.0}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(T).values(values).on_conflict_do_nothing(index_elements=["key"]))
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(
            sqlite_insert(T).values(values).on_conflict_do_nothing(index_elements=["key"])
        )


def hit(session: Session, key: str, rule: Rule, now_s: float) -> float | None:
    """Count one attempt on ``key``; ``None`` when allowed, else seconds until it may retry."""
    _ensure(session, key)
    stale = T.c.updated_s < now_s - rule.window_s
    count = sa.case((stale, 1), else_=T.c.count + 1)
    backoff = sa.case((stale | (T.c.backoff_s <= 0), rule.base_s), else_=T.c.backoff_s)
    reaches = count >= rule.limit
    doubled = sa.case((backoff * 2 > rule.cap_s, rule.cap_s), else_=backoff * 2)
    result = session.execute(
        sa.update(T)
        .where(T.c.key == key, T.c.blocked_until_s <= now_s)
        .values(
            count=count,
            blocked_until_s=sa.case((reaches, now_s + backoff), else_=0.0),
            backoff_s=sa.case((reaches, doubled), else_=backoff),
            updated_s=now_s,
        )
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        return None
    until = session.scalar(sa.select(T.c.blocked_until_s).where(T.c.key == key)) or now_s
    return max(1.0, float(until) - now_s)


def refund(session: Session, key: str) -> None:
    """Take back one counted attempt (it turned out to be a success)."""
    session.execute(sa.update(T).where(T.c.key == key, T.c.count > 0).values(count=T.c.count - 1))


def succeed(session: Session, key: str, now_s: float) -> None:
    """Clear ``key`` after a success and remember when it last succeeded."""
    _ensure(session, key)
    session.execute(
        sa.update(T)
        .where(T.c.key == key)
        .values(count=0, backoff_s=0.0, blocked_until_s=0.0, updated_s=now_s, last_success_s=now_s)
    )


def succeeded_since(session: Session, key: str, since_s: float) -> bool:
    """Whether ``key`` had a success at or after ``since_s``."""
    last = session.scalar(sa.select(T.c.last_success_s).where(T.c.key == key))
    return last is not None and float(last) >= since_s


def prune(session: Session, idle_before_s: float, success_before_s: float) -> int:
    """Delete rows idle since ``idle_before_s`` (and not blocked) unless they remember a success
    since ``success_before_s`` (a known client); returns how many went."""
    result = session.execute(
        sa.delete(T).where(
            T.c.updated_s < idle_before_s,
            T.c.blocked_until_s < idle_before_s,
            sa.or_(T.c.last_success_s.is_(None), T.c.last_success_s < success_before_s),
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
