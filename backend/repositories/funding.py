"""Queries on funding schemes, their links to opportunities and grant awards. No HTTP, no commit."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models import Organisation
from backend.db.models_sme import FundingScheme, GrantAward, SchemeOpportunity


def get(session: Session, scheme_id: int) -> FundingScheme | None:
    return session.get(FundingScheme, scheme_id)


def listed(
    session: Session,
    *,
    kinds: Sequence[str] = (),
    viewer_id: int | None = None,
    everything: bool = False,
    opportunity_id: int | None = None,
) -> list[FundingScheme]:
    """Published schemes (plus the viewer's own drafts, or all for ``everything``), newest first.

    Eligibility (size, sector, area, dates, text) is judged by the service on these rows."""
    stmt = sa.select(FundingScheme)
    if not everything:
        visible = FundingScheme.status != "draft"
        if viewer_id is not None:
            visible = sa.or_(visible, FundingScheme.created_by_id == viewer_id)
        stmt = stmt.where(visible)
    if kinds:
        stmt = stmt.where(FundingScheme.kind.in_(kinds))
    if opportunity_id is not None:
        stmt = stmt.where(
            FundingScheme.id.in_(
                sa.select(SchemeOpportunity.scheme_id).where(
                    SchemeOpportunity.opportunity_id == opportunity_id
                )
            )
        )
    stmt = stmt.order_by(FundingScheme.published_at.desc(), FundingScheme.id.desc())
    return list(session.scalars(stmt))


def managed(session: Session, created_by_id: int | None) -> list[FundingScheme]:
    """The schemes one funder created (``None``: every scheme), drafts included, the latest
    changed first."""
    stmt = sa.select(FundingScheme)
    if created_by_id is not None:
        stmt = stmt.where(FundingScheme.created_by_id == created_by_id)
    stmt = stmt.order_by(FundingScheme.updated_at.desc(), FundingScheme.id.desc())
    return list(session.scalars(stmt))


def linked_opportunities(session: Session, scheme_ids: Sequence[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {i: [] for i in scheme_ids}
    if not scheme_ids:
        return found
    rows = session.execute(
        sa.select(SchemeOpportunity.scheme_id, SchemeOpportunity.opportunity_id)
        .where(SchemeOpportunity.scheme_id.in_(scheme_ids))
        .order_by(SchemeOpportunity.opportunity_id)
    )
    for scheme_id, opportunity_id in rows:
        found[scheme_id].append(opportunity_id)
    return found


def set_links(session: Session, scheme_id: int, opportunity_ids: Sequence[int]) -> None:
    session.execute(sa.delete(SchemeOpportunity).where(SchemeOpportunity.scheme_id == scheme_id))
    session.add_all(
        SchemeOpportunity(scheme_id=scheme_id, opportunity_id=i)
        for i in sorted(set(opportunity_ids))
    )


def grants(
    session: Session, scheme_id: int | None = None
) -> list[tuple[GrantAward, FundingScheme, Organisation]]:
    stmt = (
        sa.select(GrantAward, FundingScheme, Organisation)
        .join(FundingScheme, FundingScheme.id == GrantAward.scheme_id)
        .join(Organisation, Organisation.id == GrantAward.organisation_id)
        .where(FundingScheme.status != "draft")
        .order_by(GrantAward.awarded_on, GrantAward.id)
    )
    if scheme_id is not None:
        stmt = stmt.where(GrantAward.scheme_id == scheme_id)
    return [(g, s, o) for g, s, o in session.execute(stmt)]
