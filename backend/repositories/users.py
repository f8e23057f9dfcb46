"""Queries on users, sessions, tokens and sign-in attempts. No HTTP, no commit."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models import (
    AccountToken,
    ApiToken,
    Comment,
    Report,
    User,
    UserRole,
    UserSession,
)


def _like_escape(text: str) -> str:
    """``text`` taken literally inside a LIKE pattern (``%`` and ``_`` are not wildcards)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def by_email(session: Session, email: str) -> User | None:
    return session.scalars(sa.select(User).where(User.email == email.lower())).first()


def by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def by_session_hash(session: Session, token_hash: str, now: datetime) -> UserSession | None:
    return session.scalars(
        sa.select(UserSession).where(
            UserSession.token_hash == token_hash, UserSession.expires_at > now
        )
    ).first()


def by_token_hash(session: Session, token_hash: str, now: datetime) -> ApiToken | None:
    return session.scalars(
        sa.select(ApiToken).where(
            ApiToken.token_hash == token_hash,
            ApiToken.revoked_at.is_(None),
            sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
        )
    ).first()


def add_account_token(
    session: Session, user_id: int, purpose: str, token_hash: str, expires_at: datetime
) -> AccountToken:
    token = AccountToken(
        user_id=user_id, purpose=purpose, token_hash=token_hash, expires_at=expires_at
    )
    session.add(token)
    return token


def by_account_token(session: Session, purpose: str, token_hash: str, now: datetime) -> int | None:
    """The user id of a live (unused, unexpired) token, or ``None``."""
    found = session.scalar(
        sa.select(AccountToken.user_id).where(
            AccountToken.token_hash == token_hash,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > now,
        )
    )
    return None if found is None else int(found)


def use_account_token(session: Session, purpose: str, token_hash: str, now: datetime) -> int | None:
    """Mark a live token used, atomically; the user id, or ``None`` if none was live."""
    user_id = session.scalar(
        sa.select(AccountToken.user_id).where(
            AccountToken.token_hash == token_hash, AccountToken.purpose == purpose
        )
    )
    if user_id is None:
        return None
    result = session.execute(
        sa.update(AccountToken)
        .where(
            AccountToken.token_hash == token_hash,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > now,
        )
        .values(used_at=now)
    )
    return int(user_id) if result.rowcount == 1 else None  # type: ignore[attr-defined]


def expire_account_tokens(session: Session, user_id: int, purpose: str, now: datetime) -> None:
    """Make every unused token of ``purpose`` of the user unusable."""
    session.execute(
        sa.update(AccountToken)
        .where(
            AccountToken.user_id == user_id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
    )


def delete_other_sessions(session: Session, user_id: int, keep_hash: str | None) -> int:
    query = sa.delete(UserSession).where(UserSession.user_id == user_id)
    if keep_hash is not None:
        query = query.where(UserSession.token_hash != keep_hash)
    return int(session.execute(query).rowcount or 0)  # type: ignore[attr-defined]


def revoke_api_tokens(session: Session, user_id: int, now: datetime) -> int:
    """Revoke every live API token of the user; returns how many were revoked."""
    result = session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def established_filter(created_before: datetime) -> sa.ColumnElement[bool]:
    """Users whose word counts for auto-hide: verified, and created before ``created_before``
    (older than the configured age) or with a published comment of their own."""
    published = sa.select(Comment.id).where(
        Comment.author_id == User.id, Comment.state == "published"
    )
    return sa.and_(
        User.email_verified_at.is_not(None),
        User.deleted_at.is_(None),
        sa.or_(
            User.created_at <= created_before,
            published.exists(),
        ),
    )


def count_established_open_reports(
    session: Session, comment_id: int, created_before: datetime
) -> int:
    """Open reports on the comment filed by established accounts."""
    return int(
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Report)
            .join(User, User.id == Report.reporter_id)
            .where(
                Report.comment_id == comment_id,
                Report.resolved_at.is_(None),
                established_filter(created_before),
            )
        )
        or 0
    )


def established_ids(session: Session, user_ids: list[int], created_before: datetime) -> set[int]:
    if not user_ids:
        return set()
    rows = session.scalars(
        sa.select(User.id).where(User.id.in_(user_ids), established_filter(created_before))
    )
    return set(rows)


def delete_sessions(session: Session, user_id: int) -> None:
    session.execute(sa.delete(UserSession).where(UserSession.user_id == user_id))


def list_users(
    session: Session, *, role: str | None, limit: int, offset: int, search: str | None = None
) -> tuple[list[User], int]:
    """Live accounts by id; ``search`` matches a part of the display name or e-mail, any case."""
    query = sa.select(User).where(User.deleted_at.is_(None))
    if search:
        pattern = "%" + _like_escape(search.lower()) + "%"
        query = query.where(
            sa.or_(
                sa.func.lower(User.display_name).like(pattern, escape="\\"),
                sa.func.lower(User.email).like(pattern, escape="\\"),
            )
        )
    if role:
        query = query.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == role)))
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(User.id).limit(limit).offset(offset)).all()
    return list(rows), int(total)
