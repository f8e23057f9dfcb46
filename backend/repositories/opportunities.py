"""Queries on opportunities, their CPV codes and interest registrations. No HTTP, no commit.

Spatial filtering here is a bounding-box prefilter only (``ST_Intersects`` with a rectangle, which
SpatiaLite and PostGIS both have); the exact geodesic distance is computed by the service with
pyproj, so both engines give the same answers (see ``backend.services.opportunities``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from geoalchemy2.shape import from_shape
from shapely.geometry import box
from sqlalchemy.orm import Session, lazyload

from backend.db.models import (
    Document,
    InterestRegistration,
    Opportunity,
    OpportunityCPV,
    Organisation,
    Proposal,
    User,
)
from backend.db.types import SRID

PUBLIC_STAGES_EXCLUDED = ("draft",)


@dataclass
class OpportunityQuery:
    """Filters that run in SQL. ``bbox`` is (west, south, east, north) in degrees."""

    cpv_prefixes: Sequence[str] = ()
    statuses: Sequence[str] = ()
    min_value: float | None = None
    max_value: float | None = None
    closing_after: datetime | None = None
    closing_before: datetime | None = None
    sme_suitable: bool | None = None
    text: str | None = None
    proposal_id: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    public_only: bool = True
    ids: Sequence[int] | None = None
    exclude_ids: Sequence[int] = field(default_factory=tuple)


def is_public(proposal: Proposal) -> bool:
    return proposal.stage not in PUBLIC_STAGES_EXCLUDED


def public_proposal_clause() -> sa.ColumnElement[bool]:
    return Proposal.stage.not_in(PUBLIC_STAGES_EXCLUDED)


def _low() -> sa.ColumnElement[object]:
    return sa.func.coalesce(Opportunity.value_min, Opportunity.value_amount, Opportunity.value_max)


def _high() -> sa.ColumnElement[object]:
    return sa.func.coalesce(Opportunity.value_max, Opportunity.value_amount, Opportunity.value_min)


def envelope(bbox: tuple[float, float, float, float]) -> object:
    return from_shape(box(*bbox), srid=SRID)


def search(session: Session, q: OpportunityQuery) -> list[tuple[Opportunity, Proposal]]:
    """Opportunities (with their proposal) passing every SQL filter, in id order."""
    stmt = sa.select(Opportunity, Proposal).join(Proposal, Proposal.id == Opportunity.proposal_id)
    # lists show a package's proposal by its row: the massing loads only if asked for
    stmt = stmt.options(lazyload(Proposal.massing))
    if q.public_only:
        stmt = stmt.where(public_proposal_clause())
    if q.ids is not None:
        stmt = stmt.where(Opportunity.id.in_(list(q.ids)))
    if q.exclude_ids:
        stmt = stmt.where(Opportunity.id.not_in(list(q.exclude_ids)))
    if q.cpv_prefixes:
        stmt = stmt.where(
            Opportunity.id.in_(
                sa.select(OpportunityCPV.opportunity_id).where(
                    sa.or_(*(OpportunityCPV.code.startswith(p) for p in q.cpv_prefixes))
                )
            )
        )
    if q.statuses:
        stmt = stmt.where(Opportunity.status.in_(list(q.statuses)))
    # a value range overlaps the wanted range; opportunities without any value are kept out
    if q.min_value is not None:
        stmt = stmt.where(_high() >= q.min_value)
    if q.max_value is not None:
        stmt = stmt.where(_low() <= q.max_value)
    if q.closing_after is not None:
        stmt = stmt.where(Opportunity.tender_end >= q.closing_after)
    if q.closing_before is not None:
        stmt = stmt.where(Opportunity.tender_end <= q.closing_before)
    if q.sme_suitable is not None:
        stmt = stmt.where(Opportunity.sme_suitable.is_(q.sme_suitable))
    if q.text:
        needle = f"%{q.text.lower()}%"
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Opportunity.title).like(needle),
                sa.func.lower(Opportunity.description).like(needle),
            )
        )
    if q.proposal_id is not None:
        stmt = stmt.where(Opportunity.proposal_id == q.proposal_id)
    if q.bbox is not None:
        # the delivery location, or the development's site when the package has none
        where = sa.func.coalesce(Opportunity.delivery_location, Proposal.site_boundary)
        stmt = stmt.where(sa.func.ST_Intersects(where, envelope(q.bbox)))
    rows = session.execute(stmt.order_by(Opportunity.id)).all()
    return [(opp, prop) for opp, prop in rows]


def get(session: Session, opportunity_id: int) -> tuple[Opportunity, Proposal] | None:
    row = session.execute(
        sa.select(Opportunity, Proposal)
        .join(Proposal, Proposal.id == Opportunity.proposal_id)
        .where(Opportunity.id == opportunity_id)
    ).first()
    return None if row is None else (row[0], row[1])


def documents_of(session: Session, opportunity_ids: Sequence[int]) -> dict[int, list[Document]]:
    found: dict[int, list[Document]] = {}
    if not opportunity_ids:
        return found
    for doc in session.scalars(
        sa.select(Document)
        .where(Document.opportunity_id.in_(list(opportunity_ids)))
        .order_by(Document.id)
    ):
        assert doc.opportunity_id is not None
        found.setdefault(doc.opportunity_id, []).append(doc)
    return found


def interest(
    session: Session, opportunity_id: int, organisation_id: int
) -> InterestRegistration | None:
    return session.scalars(
        sa.select(InterestRegistration).where(
            InterestRegistration.opportunity_id == opportunity_id,
            InterestRegistration.organisation_id == organisation_id,
        )
    ).first()


def interests_of(
    session: Session, opportunity_ids: Sequence[int], *, active_only: bool
) -> list[tuple[InterestRegistration, Organisation, User | None]]:
    if not opportunity_ids:
        return []
    stmt = (
        sa.select(InterestRegistration, Organisation, User)
        .join(Organisation, Organisation.id == InterestRegistration.organisation_id)
        .outerjoin(User, User.id == InterestRegistration.user_id)
        .where(InterestRegistration.opportunity_id.in_(list(opportunity_ids)))
        .order_by(InterestRegistration.created_at, InterestRegistration.id)
    )
    if active_only:
        stmt = stmt.where(InterestRegistration.withdrawn_at.is_(None))
    return [(i, o, u) for i, o, u in session.execute(stmt).all()]


def interests_of_organisation(
    session: Session, organisation_id: int
) -> list[tuple[InterestRegistration, Organisation]]:
    stmt = (
        sa.select(InterestRegistration, Organisation)
        .join(Organisation, Organisation.id == InterestRegistration.organisation_id)
        .where(InterestRegistration.organisation_id == organisation_id)
        .order_by(InterestRegistration.created_at.desc(), InterestRegistration.id)
    )
    return [(i, o) for i, o in session.execute(stmt).all()]


def proposal(session: Session, proposal_id: int) -> Proposal | None:
    return session.get(Proposal, proposal_id)
