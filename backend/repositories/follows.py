"""Follows of proposals and areas. No HTTP, no commit."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models_engagement import Follow


def of_user(session: Session, user_id: int) -> list[Follow]:
    return list(
        session.scalars(sa.select(Follow).where(Follow.user_id == user_id).order_by(Follow.id))
    )


def count_of_user(session: Session, user_id: int) -> int:
    return session.scalar(sa.select(sa.func.count()).where(Follow.user_id == user_id)) or 0


def get(session: Session, follow_id: int) -> Follow | None:
    return session.get(Follow, follow_id)


def of_proposal(session: Session, user_id: int, proposal_id: int) -> Follow | None:
    return session.scalar(
        sa.select(Follow).where(Follow.user_id == user_id, Follow.proposal_id == proposal_id)
    )


def area_of(session: Session, follow: Follow) -> bytes | None:
    """The followed area as standard WKB (SpatiaLite's own blob is not WKB)."""
    return session.scalar(sa.select(sa.func.ST_AsBinary(Follow.area)).where(Follow.id == follow.id))
