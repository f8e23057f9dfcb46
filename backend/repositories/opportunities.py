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
from backend.repositories.paging import rows_and_total

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


def envelope(bbox: tuple[float, float, float, float]) -> object:
    return from_shape(box(*bbox), srid=SRID)


def search(session: Session, q: OpportunityQuery) -> list[tuple[Opportunity, Proposal]]:
    """Opportunities (with their proposal) passing every SQL filter, in id order."""
    stmt = sa.select(Opportunity, Proposal).join(Proposal, Proposal.id == Opportunity.proposal_id)
    # lists show a package's proposal by its row: the massing loads only if asked for
    stmt = stmt.options(lazyload(Proposal.massing))
    # the same filters as the public list's (one definition: see _list_where below)
    stmt = stmt.where(*_list_where(q))
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


# --- the public list's read path (issue 10) ----------------------------------------------------
# ``GET /api/v1/opportunities`` reads Core rows of the columns its view shows (no ORM entities: no
# identity map, no instrumented attributes, no ``selectin`` load of every package's CPV codes),
# with the order and the page in SQL and the total from the same statement (count(*) OVER ());
# the page's CPV codes and documents come in one statement each, by id. ``search`` above stays
# for the callers that need entities (alerts, an organisation's matches).

_opps = sa.inspect(Opportunity).local_table
_props = sa.inspect(Proposal).local_table
_cpv = sa.inspect(OpportunityCPV).local_table
_docs = sa.inspect(Document).local_table

#: What a list item of an opportunity reads: its own columns and its proposal's reference/title.
LIST_COLUMNS = (
    _opps.c.id,
    _opps.c.proposal_id,
    _props.c.reference.label("proposal_reference"),
    _props.c.title.label("proposal_title"),
    _opps.c.parent_id,
    _opps.c.title,
    _opps.c.description,
    _opps.c.value_amount,
    _opps.c.value_min,
    _opps.c.value_max,
    _opps.c.currency,
    _opps.c.sme_suitable,
    _opps.c.tender_start,
    _opps.c.tender_end,
    _opps.c.contract_start,
    _opps.c.contract_end,
    _opps.c.delivery_location,
    _opps.c.status,
    _opps.c.social_value,
    _opps.c.contact_name,
    _opps.c.contact_email,
    _opps.c.contact_phone,
    _opps.c.published_at,
    _opps.c.created_at,
    _opps.c.updated_at,
)
_LIST_FROM = _opps.join(_props, _props.c.id == _opps.c.proposal_id)


def _list_orders() -> dict[str, tuple[sa.ColumnElement[object], ...]]:
    """The list's sort keys in SQL, the same orders as ``services.opportunities.sort_found``:
    packages without the key (no closing date; no value, or a negative one) last in id order."""
    o = _opps.c
    undated = sa.case((o.tender_end.is_(None), 1), else_=0)
    value = sa.func.coalesce(o.value_amount, o.value_max, o.value_min)
    unvalued = sa.case((sa.func.coalesce(value, -1) >= 0, 0), else_=1)
    valued_value = sa.case((unvalued == 0, value))
    valued_id = sa.case((unvalued == 0, o.id))
    dated_id = sa.case((undated == 0, o.id))
    newest = sa.func.coalesce(o.published_at, o.created_at)
    return {
        "closing": (undated, o.tender_end, o.id),
        "-closing": (undated, o.tender_end.desc(), dated_id.desc(), o.id),
        "value": (unvalued, valued_value, o.id),
        "-value": (unvalued, valued_value.desc(), valued_id.desc(), o.id),
        "newest": (newest.desc(), o.id.desc()),
        "id": (o.id,),
    }


LIST_ORDERS = _list_orders()
_DOC_COLUMNS = (
    _docs.c.opportunity_id,
    _docs.c.id,
    _docs.c.title,
    _docs.c.filename,
    _docs.c.content_type,
    _docs.c.size_bytes,
)
_PAGE_CPV = (
    sa.select(_cpv.c.opportunity_id, _cpv.c.code)
    .where(_cpv.c.opportunity_id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(_cpv.c.opportunity_id, _cpv.c.position)
)
_PAGE_DOCS = (
    sa.select(*_DOC_COLUMNS)
    .where(_docs.c.opportunity_id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(_docs.c.id)
)


def _list_where(q: OpportunityQuery) -> list[sa.ColumnElement[bool]]:
    """The filters of :func:`search`, on the tables."""
    o = _opps.c
    where: list[sa.ColumnElement[bool]] = []
    if q.public_only:
        where.append(_props.c.stage.not_in(PUBLIC_STAGES_EXCLUDED))
    if q.ids is not None:
        where.append(o.id.in_(list(q.ids)))
    if q.exclude_ids:
        where.append(o.id.not_in(list(q.exclude_ids)))
    if q.cpv_prefixes:
        where.append(
            o.id.in_(
                sa.select(_cpv.c.opportunity_id).where(
                    sa.or_(*(_cpv.c.code.startswith(p) for p in q.cpv_prefixes))
                )
            )
        )
    if q.statuses:
        where.append(o.status.in_(list(q.statuses)))
    # a value range overlaps the wanted range; opportunities without any value are kept out
    if q.min_value is not None:
        where.append(sa.func.coalesce(o.value_max, o.value_amount, o.value_min) >= q.min_value)
    if q.max_value is not None:
        where.append(sa.func.coalesce(o.value_min, o.value_amount, o.value_max) <= q.max_value)
    if q.closing_after is not None:
        where.append(o.tender_end >= q.closing_after)
    if q.closing_before is not None:
        where.append(o.tender_end <= q.closing_before)
    if q.sme_suitable is not None:
        where.append(o.sme_suitable.is_(q.sme_suitable))
    if q.text:
        needle = f"%{q.text.lower()}%"
        where.append(
            sa.or_(sa.func.lower(o.title).like(needle), sa.func.lower(o.description).like(needle))
        )
    if q.proposal_id is not None:
        where.append(o.proposal_id == q.proposal_id)
    if q.bbox is not None:
        at = sa.func.coalesce(o.delivery_location, _props.c.site_boundary)
        where.append(sa.func.ST_Intersects(at, envelope(q.bbox)))
    return where


def _page(
    columns: tuple[sa.ColumnElement[object], ...],
    where: list[sa.ColumnElement[bool]],
    order: str,
) -> sa.Select[tuple[object, ...]]:
    return (
        sa.select(*columns, sa.func.count().over().label("total"))
        .select_from(_LIST_FROM)
        .where(*where)
        .order_by(*LIST_ORDERS[order])
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .offset(sa.bindparam("offset", type_=sa.Integer))
    )


def _unfiltered(q: OpportunityQuery) -> bool:
    """``q`` filters on nothing but public visibility (the list as first opened); an empty
    list of codes or statuses filters on nothing, like the empty tuple."""
    sequences = (q.cpv_prefixes, q.statuses, q.exclude_ids)
    scalars = (q.min_value, q.max_value, q.closing_after, q.closing_before, q.sme_suitable)
    rest = (q.text, q.proposal_id, q.bbox, q.ids)
    return not any(sequences) and all(v is None for v in (*scalars, *rest))


#: The page statement of the unfiltered list in each order, built once (a statement object
#: keeps its cache key): the list as first opened neither builds nor keys a statement.
_UNFILTERED_PAGES = {
    (order, with_site, public_only): _page(
        (*LIST_COLUMNS, _props.c.site_boundary) if with_site else LIST_COLUMNS,
        _list_where(OpportunityQuery(public_only=public_only)),
        order,
    )
    for order in LIST_ORDERS
    for with_site in (False, True)
    for public_only in (False, True)
}


def list_rows(
    session: Session,
    q: OpportunityQuery,
    *,
    order: str,
    limit: int | None = None,
    offset: int = 0,
    with_site: bool = False,
) -> tuple[Sequence[sa.Row[tuple[object, ...]]], int | None]:
    """Rows of :data:`LIST_COLUMNS` passing every filter of ``q``, in ``order`` (a key of
    :data:`LIST_ORDERS`), and their total. With ``limit`` only that page is read (the total from
    the same statement); without it, every row (and the total is None: the caller counts).
    ``with_site`` adds the proposal's ``site_boundary`` (for distances)."""
    columns: tuple[sa.ColumnElement[object], ...] = LIST_COLUMNS
    if with_site:
        columns = (*columns, _props.c.site_boundary)
    if limit is None:
        stmt = sa.select(*columns).select_from(_LIST_FROM).where(*_list_where(q))
        return session.connection().execute(stmt.order_by(*LIST_ORDERS[order])).all(), None
    params = {"limit": limit, "offset": offset}
    key = (order, with_site, q.public_only)
    if _unfiltered(q) and key in _UNFILTERED_PAGES:
        stmt = _UNFILTERED_PAGES[key]  # built once: no statement to build or key
    else:
        stmt = _page(columns, _list_where(q), order)

    def count() -> sa.Select[tuple[int]]:
        return sa.select(sa.func.count()).select_from(_LIST_FROM).where(*_list_where(q))

    return rows_and_total(session.connection(), stmt, params, count, offset=offset)


def cpv_codes_of(session: Session, opportunity_ids: Sequence[int]) -> dict[int, list[str]]:
    """The CPV codes of each opportunity, in their order."""
    found: dict[int, list[str]] = {}
    if opportunity_ids:
        for opp_id, code in session.connection().execute(_PAGE_CPV, {"ids": list(opportunity_ids)}):
            found.setdefault(opp_id, []).append(code)
    return found


def document_rows_of(
    session: Session, opportunity_ids: Sequence[int]
) -> dict[int, list[sa.Row[tuple[object, ...]]]]:
    """Rows (opportunity_id, id, title, filename, content_type, size_bytes) of each
    opportunity's documents, in id order, as :func:`documents_of` gives them."""
    found: dict[int, list[sa.Row[tuple[object, ...]]]] = {}
    if opportunity_ids:
        for row in session.connection().execute(_PAGE_DOCS, {"ids": list(opportunity_ids)}):
            found.setdefault(row.opportunity_id, []).append(row)
    return found
