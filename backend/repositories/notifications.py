"""Notifications, their events, preferences and the set-based fan-out. No HTTP, no commit.

The fan-out is one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` per event on both engines: the
recipients are selected in SQL (followers of the proposal, and followers of an area whose
bounding box overlaps the site's and whose polygon ``ST_Intersects`` it), their preference for
the kind is looked up in the same statement, and the unique ``(user_id, dedupe_key)`` makes a
repeated run a no-op. The outbox rows of immediate notifications are a second
``INSERT … SELECT`` (the unsubscribe link concatenated in SQL from the stored token). The rows
each one inserted are counted by the database (``_inserted``), never by reading ids back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from shapely import wkb
from sqlalchemy.orm import Session

from backend.db.models import OutboxMessage, Proposal, User
from backend.db.models_engagement import (
    NOTIFICATION_KINDS,
    Follow,
    Notification,
    NotificationEvent,
    NotificationPreference,
    UnsubscribeToken,
)
from backend.db.types import UTCDateTime


def _insert(session: Session, table: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def _inserted(session: Session, stmt: Any, key: Any) -> int:
    """Run an ``INSERT … SELECT`` and return the rows it inserted, counted by the database.

    PostgreSQL counts them in the same statement (``WITH ins AS (INSERT … RETURNING) SELECT
    count(*) FROM ins``); SQLite cannot put an INSERT in a CTE, and its ``rowcount`` is
    ``sqlite3_changes()``, the rows inserted by that statement (conflicts left out). Either way
    no id crosses into Python (a fan-out to 100,000 accounts used to read 100,000 ids back).
    """
    if session.get_bind().dialect.name == "postgresql":
        ins = stmt.returning(key).cte("ins")
        return int(session.scalar(sa.select(sa.func.count()).select_from(ins)) or 0)
    count = getattr(session.execute(stmt), "rowcount", None)
    if count is None or count < 0:  # never on sqlite3; a clear error rather than a wrong count
        raise RuntimeError(f"the driver reported no row count for {stmt.table.name}")
    return int(count)


def _now(now: datetime) -> Any:
    return sa.literal(now, UTCDateTime())


# --- tokens and preferences --------------------------------------------------------------


def ensure_token(session: Session, user_id: int, token: str) -> None:
    stmt = _insert(session, UnsubscribeToken).values(user_id=user_id, token=token)
    session.execute(stmt.on_conflict_do_update(index_elements=["user_id"], set_={"token": token}))


def preferences(session: Session, user_id: int) -> dict[str, str]:
    rows = session.execute(
        sa.select(NotificationPreference.kind, NotificationPreference.frequency).where(
            NotificationPreference.user_id == user_id
        )
    ).all()
    return {str(k): str(f) for k, f in rows}


def set_preference(session: Session, user_id: int, kind: str, frequency: str) -> None:
    stmt = _insert(session, NotificationPreference).values(
        user_id=user_id, kind=kind, frequency=frequency
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["user_id", "kind"], set_={"frequency": frequency}
        )
    )


def all_off(session: Session, user_id: int) -> int:
    for kind in NOTIFICATION_KINDS:
        set_preference(session, user_id, kind, "off")
    # what was waiting for an e-mail is not sent either
    session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user_id, Notification.queued_at.is_(None))
        .values(delivery="off")
    )
    return len(NOTIFICATION_KINDS)


def _delivery(user_id: Any, kind: str) -> Any:
    pref = (
        sa.select(NotificationPreference.frequency)
        .where(NotificationPreference.user_id == user_id, NotificationPreference.kind == kind)
        .scalar_subquery()
    )
    return sa.func.coalesce(pref, "immediate")


# --- events ------------------------------------------------------------------------------


def add_event(
    session: Session, kind: str, proposal_id: int, dedupe_key: str, data: dict[str, Any]
) -> None:
    session.add(
        NotificationEvent(kind=kind, proposal_id=proposal_id, dedupe_key=dedupe_key, data=data)
    )


def pending_events(session: Session, limit: int = 100) -> list[NotificationEvent]:
    return list(
        session.scalars(
            sa.select(NotificationEvent)
            .where(NotificationEvent.processed_at.is_(None))
            .order_by(NotificationEvent.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def proposal_bbox(session: Session, proposal_id: int) -> tuple[float, float, float, float] | None:
    """The site's (west, south, east, north), read as standard WKB (ST_MinX is SpatiaLite's,
    ST_XMin PostGIS's)."""
    raw = session.scalar(
        sa.select(sa.func.ST_AsBinary(Proposal.site_boundary)).where(
            Proposal.id == proposal_id, Proposal.site_boundary.is_not(None)
        )
    )
    if raw is None:
        return None
    west, south, east, north = wkb.loads(bytes(raw)).bounds
    return float(west), float(south), float(east), float(north)


def _recipients(
    session: Session,
    proposal_id: int,
    *,
    areas: bool,
    proposal_followers: bool,
    followed_by: datetime,
) -> Any:
    """A SELECT of the distinct user ids to notify about ``proposal_id``: those following it
    (or its area) at ``followed_by``, when it happened (a later follow is not told old news)."""
    parts = []
    if proposal_followers:
        parts.append(
            sa.select(Follow.user_id).where(
                Follow.proposal_id == proposal_id, Follow.created_at <= followed_by
            )
        )
    bbox = proposal_bbox(session, proposal_id) if areas else None
    if bbox is not None:
        west, south, east, north = bbox
        site = sa.select(Proposal.site_boundary).where(Proposal.id == proposal_id).scalar_subquery()
        parts.append(
            sa.select(Follow.user_id).where(
                Follow.area.is_not(None),
                Follow.created_at <= followed_by,
                Follow.min_lon <= east,
                Follow.max_lon >= west,
                Follow.min_lat <= north,
                Follow.max_lat >= south,
                sa.func.ST_Intersects(Follow.area, site),
            )
        )
    if not parts:
        return None
    return sa.union(*parts).subquery() if len(parts) > 1 else parts[0].subquery()


def _localised(texts: str | Mapping[str, str]) -> sa.ColumnElement[str]:
    """One text, or one per locale picked by the recipient's ``users.locale`` (English when the
    account's locale has none), inside the same set-based statement."""
    if isinstance(texts, str):
        return sa.literal(texts)
    default = texts["en"]
    whens = {locale: value for locale, value in texts.items() if locale != "en"}
    return sa.case(
        *[(User.locale == locale, sa.literal(value)) for locale, value in whens.items()],
        else_=sa.literal(default),
    )


def fan_out(
    session: Session,
    *,
    kind: str,
    proposal_id: int,
    dedupe_key: str,
    title: str | Mapping[str, str],
    body: str | Mapping[str, str],
    link: str,
    now: datetime,
    areas: bool,
    proposal_followers: bool,
    followed_by: datetime,
    exclude_user_id: int | None = None,
) -> int:
    """Insert one notification per recipient (set-based); returns the rows inserted."""
    recipients = _recipients(
        session,
        proposal_id,
        areas=areas,
        proposal_followers=proposal_followers,
        followed_by=followed_by,
    )
    if recipients is None:
        return 0
    uid = recipients.c.user_id
    select = (
        sa.select(
            uid,
            sa.literal(kind),
            sa.literal(proposal_id),
            sa.literal(dedupe_key),
            _localised(title),
            _localised(body),
            sa.literal(link),
            _delivery(uid, kind),
            _now(now),
        )
        .select_from(recipients)
        .join(User, User.id == uid)
        .where(User.is_active.is_(True), User.deleted_at.is_(None))
    )
    if exclude_user_id is not None:
        select = select.where(uid != exclude_user_id)
    columns = [
        "user_id",
        "kind",
        "proposal_id",
        "dedupe_key",
        "title",
        "body",
        "link",
        "delivery",
        "created_at",
    ]
    stmt = _insert(session, Notification).from_select(columns, select).on_conflict_do_nothing()
    return _inserted(session, stmt, Notification.id)


def notify_one(
    session: Session,
    *,
    user_id: int,
    kind: str,
    proposal_id: int | None,
    dedupe_key: str,
    title: str,
    body: str,
    link: str,
    now: datetime,
) -> int:
    select = sa.select(
        sa.literal(user_id),
        sa.literal(kind),
        sa.literal(proposal_id),
        sa.literal(dedupe_key),
        sa.literal(title),
        sa.literal(body),
        sa.literal(link),
        _delivery(sa.literal(user_id), kind),
        _now(now),
    ).where(sa.true())  # SQLite: an upsert's SELECT needs a WHERE (parsing ambiguity)
    columns = [
        "user_id",
        "kind",
        "proposal_id",
        "dedupe_key",
        "title",
        "body",
        "link",
        "delivery",
        "created_at",
    ]
    stmt = _insert(session, Notification).from_select(columns, select).on_conflict_do_nothing()
    return _inserted(session, stmt, Notification.id)


def queue_immediate(
    session: Session,
    dedupe_key: str,
    unsubscribe_base: str,
    footer: str | Mapping[str, str],
    now: datetime,
) -> int:
    """Put every not yet queued immediate notification of ``dedupe_key`` in the outbox."""
    link = (
        sa.literal(unsubscribe_base)
        + sa.cast(Notification.user_id, sa.String)
        + sa.literal("&token=")
        + UnsubscribeToken.token
    )
    pending = (
        Notification.dedupe_key == dedupe_key,
        Notification.delivery == "immediate",
        Notification.queued_at.is_(None),
    )
    select = (
        sa.select(
            User.email,
            Notification.title,
            Notification.body
            + sa.literal("\n\n")
            + Notification.link
            + _localised(footer)
            + link
            + sa.literal("\n"),
            _now(now),
            sa.literal(0),
            link,
        )
        .join(User, User.id == Notification.user_id)
        .join(UnsubscribeToken, UnsubscribeToken.user_id == Notification.user_id)
        .where(*pending, User.email.is_not(None))
    )
    stmt = sa.insert(OutboxMessage).from_select(
        ["to_address", "subject", "body", "created_at", "attempts", "unsubscribe_url"], select
    )
    queued = _inserted(session, stmt, OutboxMessage.id)
    session.execute(sa.update(Notification).where(*pending).values(queued_at=now))
    return queued


# --- digests -------------------------------------------------------------------------------


def digest_due(session: Session, frequency: str, older_than: datetime) -> list[int]:
    """Accounts with pending ``frequency`` notifications, the oldest created before
    ``older_than`` (so a digest goes at most once per period)."""
    return list(
        session.scalars(
            sa.select(Notification.user_id)
            .where(Notification.delivery == frequency, Notification.queued_at.is_(None))
            .group_by(Notification.user_id)
            .having(sa.func.min(Notification.created_at) <= older_than)
        )
    )


def pending_digest(session: Session, user_id: int, frequency: str) -> list[Notification]:
    return list(
        session.scalars(
            sa.select(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.delivery == frequency,
                Notification.queued_at.is_(None),
            )
            .order_by(Notification.id)
        )
    )


def token_of(session: Session, user_id: int) -> str | None:
    return session.scalar(
        sa.select(UnsubscribeToken.token).where(UnsubscribeToken.user_id == user_id)
    )


# --- the in-app list ---------------------------------------------------------------------


def page_of(
    session: Session, user_id: int, *, unread_only: bool, limit: int, offset: int
) -> tuple[list[Notification], int, int]:
    where = [Notification.user_id == user_id]
    if unread_only:
        where.append(Notification.read_at.is_(None))
    total = session.scalar(sa.select(sa.func.count()).where(*where)) or 0
    unread = (
        session.scalar(
            sa.select(sa.func.count()).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )
    rows = session.scalars(
        sa.select(Notification)
        .where(*where)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total), int(unread)


def mark_read(session: Session, user_id: int, ids: list[int] | None, now: datetime) -> int:
    stmt = sa.update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(ids))
    result = session.execute(stmt.values(read_at=now))
    return int(getattr(result, "rowcount", 0) or 0)


def unread_count(session: Session, user_id: int) -> int:
    return int(
        session.scalar(
            sa.select(sa.func.count()).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def get(session: Session, notification_id: int) -> Notification | None:
    return session.get(Notification, notification_id)


def event_exists(session: Session, dedupe_key: str) -> bool:
    return (
        session.scalar(
            sa.select(NotificationEvent.id).where(NotificationEvent.dedupe_key == dedupe_key)
        )
        is not None
    )


def closing_between(session: Session, first: date, last: date) -> list[Proposal]:
    return list(
        session.scalars(
            sa.select(Proposal).where(
                Proposal.stage == "consultation",
                Proposal.consultation_end.is_not(None),
                Proposal.consultation_end >= first,
                Proposal.consultation_end <= last,
            )
        )
    )
