"""Queries on contract awards and what the KPIs count. No HTTP, no commit."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models import InterestRegistration, Opportunity, Organisation, Proposal
from backend.db.models_sme import ContractAward
from backend.repositories.opportunities import public_proposal_clause


def get(session: Session, award_id: int) -> ContractAward | None:
    return session.get(ContractAward, award_id)


def of_opportunities(
    session: Session, opportunity_ids: Sequence[int]
) -> list[tuple[ContractAward, Organisation]]:
    if not opportunity_ids:
        return []
    stmt = (
        sa.select(ContractAward, Organisation)
        .join(Organisation, Organisation.id == ContractAward.supplier_id)
        .where(ContractAward.opportunity_id.in_(list(opportunity_ids)))
        .order_by(ContractAward.awarded_on, ContractAward.id)
    )
    return [(a, o) for a, o in session.execute(stmt)]


def for_kpis(
    session: Session, proposal_id: int | None
) -> list[tuple[ContractAward, Organisation, Opportunity, Proposal]]:
    """Every award of public work packages (of one proposal, or all)."""
    stmt = (
        sa.select(ContractAward, Organisation, Opportunity, Proposal)
        .join(Organisation, Organisation.id == ContractAward.supplier_id)
        .join(Opportunity, Opportunity.id == ContractAward.opportunity_id)
        .join(Proposal, Proposal.id == Opportunity.proposal_id)
        .where(public_proposal_clause())
        .order_by(ContractAward.id)
    )
    if proposal_id is not None:
        stmt = stmt.where(Proposal.id == proposal_id)
    return [(a, o, op, p) for a, o, op, p in session.execute(stmt)]


def work_package_count(session: Session, proposal_id: int | None) -> int:
    stmt = (
        sa.select(sa.func.count(Opportunity.id))
        .join(Proposal, Proposal.id == Opportunity.proposal_id)
        .where(public_proposal_clause(), Opportunity.parent_id.is_(None))
    )
    if proposal_id is not None:
        stmt = stmt.where(Proposal.id == proposal_id)
    return int(session.scalar(stmt) or 0)


def engagement(session: Session, proposal_id: int | None) -> tuple[int, int]:
    """(active interest registrations, distinct SMEs among them)."""
    base = (
        sa.select(InterestRegistration.id, Organisation.id, Organisation.size)
        .join(Organisation, Organisation.id == InterestRegistration.organisation_id)
        .join(Opportunity, Opportunity.id == InterestRegistration.opportunity_id)
        .join(Proposal, Proposal.id == Opportunity.proposal_id)
        .where(public_proposal_clause(), InterestRegistration.withdrawn_at.is_(None))
    )
    if proposal_id is not None:
        base = base.where(Proposal.id == proposal_id)
    rows = session.execute(base).all()
    return len(rows), len({org for _, org, size in rows if size != "large"})
