"""Design variants and variant preferences. No HTTP, no commit."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models import Comment
from backend.db.models_engagement import ProposalVariant, VariantPreference


def of_proposal(session: Session, proposal_id: int) -> list[ProposalVariant]:
    return list(
        session.scalars(
            sa.select(ProposalVariant)
            .where(ProposalVariant.proposal_id == proposal_id)
            .order_by(ProposalVariant.position, ProposalVariant.id)
        )
    )


def get(session: Session, variant_id: int) -> ProposalVariant | None:
    return session.get(ProposalVariant, variant_id)


def uses_document(session: Session, proposal_id: int, document_id: int) -> bool:
    """Whether one of the proposal's variants is drawn with this model document."""
    return any(
        v.model and int(v.model.get("document_id", 0)) == document_id
        for v in of_proposal(session, proposal_id)
    )


def clear_model(session: Session, proposal_id: int, document_id: int) -> None:
    """Variants drawn with a model document that goes have no model any more."""
    for v in of_proposal(session, proposal_id):
        if v.model and int(v.model.get("document_id", 0)) == document_id:
            v.model = None


def count(session: Session, proposal_id: int) -> int:
    return (
        session.scalar(sa.select(sa.func.count()).where(ProposalVariant.proposal_id == proposal_id))
        or 0
    )


def preference_counts(session: Session, proposal_id: int) -> dict[int, int]:
    rows = session.execute(
        sa.select(VariantPreference.variant_id, sa.func.count())
        .where(VariantPreference.proposal_id == proposal_id)
        .group_by(VariantPreference.variant_id)
    ).all()
    return {int(v): int(n) for v, n in rows}


def comment_counts(session: Session, proposal_id: int) -> dict[int, int]:
    rows = session.execute(
        sa.select(Comment.variant_id, sa.func.count())
        .where(
            Comment.proposal_id == proposal_id,
            Comment.state == "published",
            Comment.variant_id.is_not(None),
        )
        .group_by(Comment.variant_id)
    ).all()
    return {int(v): int(n) for v, n in rows}


def preference_of(session: Session, user_id: int, proposal_id: int) -> VariantPreference | None:
    return session.get(VariantPreference, (user_id, proposal_id))


def clear_comments(session: Session, variant_id: int) -> None:
    """Comments naming a variant that goes name none (SQLite has no foreign key to do it)."""
    session.execute(
        sa.update(Comment).where(Comment.variant_id == variant_id).values(variant_id=None)
    )
