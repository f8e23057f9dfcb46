"""Queries about one account as a whole: what is stored about it, and erasing it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models import (
    ApiToken,
    AuditLog,
    Comment,
    InterestRegistration,
    Reaction,
    Report,
    SavedSearch,
    UserRole,
)


@dataclass(frozen=True)
class Belongings:
    """Rows that are the user's own (as author, reactor, reporter, owner or actor)."""

    comments: Sequence[Comment]
    reactions: Sequence[Reaction]
    reports: Sequence[Report]
    searches: Sequence[SavedSearch]
    interests: Sequence[InterestRegistration]
    tokens: Sequence[ApiToken]
    actions: Sequence[AuditLog]


def belongings(session: Session, user_id: int) -> Belongings:
    return Belongings(
        comments=session.scalars(sa.select(Comment).where(Comment.author_id == user_id)).all(),
        reactions=session.scalars(sa.select(Reaction).where(Reaction.user_id == user_id)).all(),
        reports=session.scalars(sa.select(Report).where(Report.reporter_id == user_id)).all(),
        searches=session.scalars(
            sa.select(SavedSearch).where(SavedSearch.user_id == user_id)
        ).all(),
        interests=session.scalars(
            sa.select(InterestRegistration).where(InterestRegistration.user_id == user_id)
        ).all(),
        tokens=session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user_id)).all(),
        actions=session.scalars(sa.select(AuditLog).where(AuditLog.actor_id == user_id)).all(),
    )


def other_admins(session: Session, user_id: int) -> int:
    """Accounts other than ``user_id`` with the admin role."""
    query = (
        sa.select(sa.func.count())
        .select_from(UserRole)
        .where(UserRole.role == "admin", UserRole.user_id != user_id)
    )
    return int(session.scalar(query) or 0)


def comments_by(session: Session, user_id: int) -> int:
    query = sa.select(sa.func.count()).select_from(Comment).where(Comment.author_id == user_id)
    return int(session.scalar(query) or 0)


def erase_belongings(session: Session, user_id: int) -> None:
    """Delete the user's API tokens and saved searches; forget the addresses of their comments
    (the comments stay, shown as by a deleted user)."""
    session.execute(sa.delete(ApiToken).where(ApiToken.user_id == user_id))
    session.execute(sa.delete(SavedSearch).where(SavedSearch.user_id == user_id))
    session.execute(
        sa.update(Comment).where(Comment.author_id == user_id).values(author_ip_hash=None)
    )
