"""What a consultation report reads, in few set-based queries. No HTTP, no commit."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models import Comment, Proposal
from backend.db.models_engagement import ConsultationReport


def published_comments(session: Session, proposal_id: int) -> list[Any]:
    """Every published comment of the proposal with its anchor as lon/lat (oldest first)."""
    return list(
        session.execute(
            sa.select(
                Comment.id,
                Comment.parent_id,
                Comment.author_id,
                Comment.body,
                Comment.sentiment,
                Comment.topics,
                Comment.created_at,
                Comment.variant_id,
                sa.func.ST_X(Comment.anchor_point).label("lon"),
                sa.func.ST_Y(Comment.anchor_point).label("lat"),
            )
            .where(Comment.proposal_id == proposal_id, Comment.state == "published")
            .order_by(Comment.created_at, Comment.id)
        ).all()
    )


def site_wkb(session: Session, proposal_id: int) -> bytes | None:
    raw = session.scalar(
        sa.select(sa.func.ST_AsBinary(Proposal.site_boundary)).where(Proposal.id == proposal_id)
    )
    return bytes(raw) if raw is not None else None


def reports_of(session: Session, proposal_id: int) -> list[ConsultationReport]:
    return list(
        session.scalars(
            sa.select(ConsultationReport)
            .where(ConsultationReport.proposal_id == proposal_id)
            .order_by(ConsultationReport.id)
        )
    )


def due_at_close(session: Session, today: date) -> list[Proposal]:
    """Published proposals whose consultation has closed (a later stage, or the end date
    passed) and which have no report made at close yet."""
    has_report = (
        sa.select(ConsultationReport.id)
        .where(ConsultationReport.proposal_id == Proposal.id, ConsultationReport.trigger == "close")
        .exists()
    )
    closed = sa.or_(
        Proposal.stage.in_(("assessment", "decided")),
        sa.and_(Proposal.stage == "consultation", Proposal.consultation_end < today),
    )
    return list(
        session.scalars(
            sa.select(Proposal)
            .where(closed, Proposal.published_at.is_not(None), ~has_report)
            .order_by(Proposal.id)
        )
    )
