"""Queries on users, sessions, tokens and sign-in attempts. No HTTP, no commit."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models import ApiToken, LoginAttempt, User, UserRole, UserSession


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


def count_failures(session: Session, *, email: str, client_ip: str, since: datetime) -> int:
    by_mail = session.scalar(
        sa.select(sa.func.count()).where(LoginAttempt.email == email, LoginAttempt.at >= since)
    )
    by_ip = session.scalar(
        sa.select(sa.func.count()).where(
            LoginAttempt.client_ip == client_ip, LoginAttempt.at >= since
        )
    )
    # an address gets more room than an account: several people may share it
    return max(int(by_mail or 0), int(by_ip or 0) // 4)


def clear_failures(session: Session, email: str) -> None:
    session.execute(sa.delete(LoginAttempt).where(LoginAttempt.email == email))


def delete_sessions(session: Session, user_id: int) -> None:
    session.execute(sa.delete(UserSession).where(UserSession.user_id == user_id))


def list_users(
    session: Session, *, role: str | None, limit: int, offset: int
) -> tuple[list[User], int]:
    query = sa.select(User).where(User.deleted_at.is_(None))
    if role:
        query = query.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == role)))
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(User.id).limit(limit).offset(offset)).all()
    return list(rows), int(total)
