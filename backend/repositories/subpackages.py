"""Queries on sub-packages (opportunities under a parent work package). No HTTP, no commit."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models import Opportunity
from backend.db.models_sme import ContractAward


def won_by(session: Session, opportunity_id: int, organisation_id: int) -> bool:
    """Whether ``organisation_id`` holds an award of the work package."""
    stmt = sa.select(ContractAward.id).where(
        ContractAward.opportunity_id == opportunity_id,
        ContractAward.supplier_id == organisation_id,
    )
    return session.scalar(stmt.limit(1)) is not None


def relatives(
    session: Session, opportunity_ids: Sequence[int], parent_ids: Sequence[int]
) -> tuple[list[Opportunity], list[Opportunity]]:
    """(the parents with ``parent_ids``, the children of ``opportunity_ids``)."""
    parents = (
        list(session.scalars(sa.select(Opportunity).where(Opportunity.id.in_(list(parent_ids)))))
        if parent_ids
        else []
    )
    children = (
        list(
            session.scalars(
                sa.select(Opportunity)
                .where(Opportunity.parent_id.in_(list(opportunity_ids)))
                .order_by(Opportunity.id)
            )
        )
        if opportunity_ids
        else []
    )
    return parents, children


def children_ids(session: Session, opportunity_id: int) -> list[int]:
    return list(
        session.scalars(
            sa.select(Opportunity.id)
            .where(Opportunity.parent_id == opportunity_id)
            .order_by(Opportunity.id)
        )
    )
