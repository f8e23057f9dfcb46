"""City changes (approved schemes applied to a city tileset): rows of ``city_changes``."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models_twin import CityChange

#: states of a change that holds its proposal (another one for it would be a duplicate)
ACTIVE_STATES = ("queued", "running", "applied")


def get(session: Session, change_id: int) -> CityChange | None:
    return session.get(CityChange, change_id)


def add(session: Session, change: CityChange) -> CityChange:
    session.add(change)
    session.flush()
    return change


def active_for_proposal(session: Session, proposal_id: int) -> CityChange | None:
    return session.scalars(
        sa.select(CityChange)
        .where(CityChange.proposal_id == proposal_id, CityChange.state.in_(ACTIVE_STATES))
        .order_by(CityChange.id.desc())
        .limit(1)
    ).first()


def applied_after(session: Session, tileset: str, change_id: int) -> Sequence[CityChange]:
    """Changes applied to ``tileset`` after ``change_id`` (still in place), newest first."""
    return session.scalars(
        sa.select(CityChange)
        .where(
            CityChange.tileset == tileset,
            CityChange.id > change_id,
            CityChange.state.in_(("running", "applied")),
        )
        .order_by(CityChange.id.desc())
    ).all()


def search(
    session: Session,
    *,
    tileset: str | None,
    proposal_id: int | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[CityChange], int]:
    query = sa.select(CityChange)
    if tileset is not None:
        query = query.where(CityChange.tileset == tileset)
    if proposal_id is not None:
        query = query.where(CityChange.proposal_id == proposal_id)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    items = session.scalars(query.order_by(CityChange.id.desc()).limit(limit).offset(offset)).all()
    return items, int(total)
