"""The public data sets: what OGC API, downloads and analytics read. No HTTP, no commit.

Public means: proposals past ``draft``; their published comments; their opportunities; every
city building. Filters are portable SQL (``ST_Intersects`` with a lon/lat rectangle, comparisons
on timestamps), the same on SpatiaLite and PostGIS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session, lazyload

from backend.db.models import Building, Comment, Opportunity, Proposal
from backend.db.models_impact import ImpactJob
from backend.repositories.impact import latest_done_ids
from backend.repositories.opportunities import envelope, public_proposal_clause

Collection = Literal["proposals", "buildings", "comments", "opportunities", "impact"]
BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class CollectionSource:
    model: type[Any]
    geometry: InstrumentedAttribute[Any]
    time: InstrumentedAttribute[Any] | None


SOURCES: dict[str, CollectionSource] = {
    "proposals": CollectionSource(Proposal, Proposal.site_boundary, Proposal.created_at),
    "buildings": CollectionSource(Building, Building.footprint, None),
    "comments": CollectionSource(Comment, Comment.anchor_point, Comment.created_at),
    "opportunities": CollectionSource(
        Opportunity, Opportunity.delivery_location, Opportunity.tender_end
    ),
    # the latest impact study of each public proposal, at its site (issue 13)
    "impact": CollectionSource(ImpactJob, Proposal.site_boundary, ImpactJob.finished_at),
}


def base_query(collection: str, *, include_drafts: bool = False) -> sa.Select[Any]:
    """Public rows of ``collection`` (``include_drafts``: also those of draft proposals).

    Built once per collection (statements are immutable: every filter makes a new one), so the
    unfiltered statement keeps its cache key and :func:`page` its paged form (issue 10)."""
    key = (collection, include_drafts)
    stmt = _BASES.get(key)
    if stmt is None:
        stmt = _BASES[key] = _base_query(collection, include_drafts)
    return stmt


_BASES: dict[tuple[str, bool], sa.Select[Any]] = {}


def _base_query(collection: str, include_drafts: bool) -> sa.Select[Any]:
    public = sa.true() if include_drafts else public_proposal_clause()
    if collection == "proposals":
        # features carry a proposal's own row: its massing loads only if asked for
        return sa.select(Proposal).where(public).options(lazyload(Proposal.massing))
    if collection == "buildings":
        return sa.select(Building)
    if collection == "comments":
        return (
            sa.select(Comment)
            .join(Proposal, Proposal.id == Comment.proposal_id)
            .where(public, Comment.state == "published")
        )
    if collection == "opportunities":
        return (
            sa.select(Opportunity)
            .join(Proposal, Proposal.id == Opportunity.proposal_id)
            .where(public)
        )
    if collection == "impact":
        return (
            sa.select(ImpactJob)
            .join(Proposal, Proposal.id == ImpactJob.proposal_id)
            .where(public, ImpactJob.id.in_(latest_done_ids()))
        )
    raise KeyError(collection)


def filtered(
    collection: str,
    *,
    bboxes: Sequence[BBox] = (),
    start: datetime | None = None,
    end: datetime | None = None,
    proposal_id: int | None = None,
    require_geometry: bool = False,
    include_drafts: bool = False,
) -> sa.Select[Any]:
    source = SOURCES[collection]
    stmt = base_query(collection, include_drafts=include_drafts)
    if bboxes:
        stmt = stmt.where(
            sa.or_(*(sa.func.ST_Intersects(source.geometry, envelope(b)) for b in bboxes))
        )
    if require_geometry:
        stmt = stmt.where(source.geometry.is_not(None))
    if source.time is not None:
        if start is not None:
            stmt = stmt.where(source.time >= start)
        if end is not None:
            stmt = stmt.where(source.time <= end)
    if proposal_id is not None and collection in ("comments", "opportunities"):
        stmt = stmt.where(source.model.proposal_id == proposal_id)
    return stmt


#: The paged statement of each unfiltered collection, by the base statement's id (the bases
#: live as long as the process, so an id is never reused for another statement).
_PAGED: dict[int, tuple[sa.Select[Any], sa.Select[Any]]] = {}


def page(
    session: Session, stmt: sa.Select[Any], collection: str, limit: int, offset: int
) -> tuple[list[Any], int]:
    """One page of rows in id order and the number matched.

    One statement: the total rides on each row as ``count(*) OVER ()`` (computed over the
    filtered rows before LIMIT/OFFSET); only a page past the end, which has no row to carry it,
    asks for the count on its own."""
    cached = _PAGED.get(id(stmt))
    if cached is not None and cached[0] is stmt:
        paged = cached[1]
    else:
        model = SOURCES[collection].model
        paged = (
            stmt.add_columns(sa.func.count().over().label("matched"))
            .order_by(model.id)
            .limit(sa.bindparam("limit", type_=sa.Integer))
            .offset(sa.bindparam("offset", type_=sa.Integer))
        )
        if any(stmt is base for base in _BASES.values()):  # an unfiltered list: kept
            _PAGED[id(stmt)] = (stmt, paged)
    found = session.execute(paged, {"limit": limit, "offset": offset}).all()
    if found:
        return [row[0] for row in found], int(found[0].matched)
    if offset == 0:
        return [], 0
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    return [], int(total)


def all_rows(session: Session, stmt: sa.Select[Any], collection: str) -> list[Any]:
    model = SOURCES[collection].model
    return list(session.scalars(stmt.order_by(model.id)).all())


def one(session: Session, collection: str, feature_id: int) -> Any | None:
    model = SOURCES[collection].model
    return session.scalars(base_query(collection).where(model.id == feature_id)).first()


def proposals_by_id(session: Session, ids: Sequence[int]) -> dict[int, Proposal]:
    if not ids:
        return {}
    rows = session.scalars(sa.select(Proposal).where(Proposal.id.in_(list(set(ids))))).all()
    return {p.id: p for p in rows}


def buildings_by_building_id(session: Session, building_ids: Sequence[str]) -> dict[str, Building]:
    if not building_ids:
        return {}
    rows = session.scalars(
        sa.select(Building).where(Building.building_id.in_(list(set(building_ids))))
    ).all()
    return {b.building_id: b for b in rows}


def public_proposal(session: Session, proposal_id: int) -> Proposal | None:
    return session.scalars(
        sa.select(Proposal).where(Proposal.id == proposal_id, public_proposal_clause())
    ).first()


def any_proposal(session: Session, proposal_id: int) -> Proposal | None:
    return session.get(Proposal, proposal_id)
