"""Questionnaire questions, submissions and answers. No HTTP, no commit."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models_engagement import Answer, Question, QuestionnaireSubmission


def questions_of(session: Session, proposal_id: int) -> list[Question]:
    return list(
        session.scalars(
            sa.select(Question)
            .where(Question.proposal_id == proposal_id)
            .order_by(Question.position, Question.id)
        )
    )


def submission_count(session: Session, proposal_id: int) -> int:
    return (
        session.scalar(
            sa.select(sa.func.count()).where(QuestionnaireSubmission.proposal_id == proposal_id)
        )
        or 0
    )


def has_answered(session: Session, proposal_id: int, user_id: int) -> bool:
    return (
        session.scalar(
            sa.select(QuestionnaireSubmission.id).where(
                QuestionnaireSubmission.proposal_id == proposal_id,
                QuestionnaireSubmission.user_id == user_id,
            )
        )
        is not None
    )


def delete_questions(session: Session, proposal_id: int) -> None:
    session.execute(sa.delete(Question).where(Question.proposal_id == proposal_id))


def answers_of(session: Session, proposal_id: int) -> list[tuple[Answer, bytes | None]]:
    """Every answer of the proposal's questionnaire, with a placed point as standard WKB."""
    rows = session.execute(
        sa.select(Answer, sa.func.ST_AsBinary(Answer.point))
        .join(Question, Question.id == Answer.question_id)
        .where(Question.proposal_id == proposal_id)
        .order_by(Answer.id)
    ).all()
    return [(a, bytes(p) if p is not None else None) for a, p in rows]
