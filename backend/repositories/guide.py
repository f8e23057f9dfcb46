"""Queries on the one-stop-shop guide's steps. No HTTP, no commit."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models_sme import GuideStep


def get(session: Session, step_id: int) -> GuideStep | None:
    return session.get(GuideStep, step_id)


def steps(session: Session, journey: str | None = None) -> list[GuideStep]:
    stmt = sa.select(GuideStep).order_by(GuideStep.journey, GuideStep.position, GuideStep.id)
    if journey is not None:
        stmt = stmt.where(GuideStep.journey == journey)
    return list(session.scalars(stmt))
