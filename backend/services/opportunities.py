"""Publishing and discovering opportunities (work packages of a development).

Who may publish: the planner who created the proposal (acting as, or for, the developer's
procurement contact) or an admin. Other planners can read but not change them. Opportunities of
draft proposals are visible only to those who may manage them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from shapely.geometry.base import BaseGeometry

from backend.db.models import Document, Opportunity, OpportunityCPV, Proposal
from backend.db.types import SRID, utcnow
from backend.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from backend.repositories import audit
from backend.repositories import opportunities as repo
from backend.repositories.geometry import from_shape, to_shape
from backend.repositories.opportunities import OpportunityQuery
from backend.repositories.session import Session
from backend.schemas.opportunities import (
    Contact,
    CpvLabelled,
    DocumentRef,
    OpportunityCreate,
    OpportunityFilters,
    OpportunityPublic,
    OpportunityUpdate,
    OpportunityWrite,
    Period,
    SortKey,
    Value,
)
from backend.services import cpv
from backend.services.auth import Principal
from backend.services.geodesy import bbox_around, distance_km, parse_geometry, to_geojson


def ocid(prefix: str, opportunity_id: int) -> str:
    """The OCDS contracting-process id of an opportunity."""
    return f"{prefix}-opp-{opportunity_id}"


def as_utc(value: datetime | None) -> datetime | None:
    """Naive datetimes from clients are taken as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def can_manage(principal: Principal | None, proposal: Proposal, opp: Opportunity | None) -> bool:
    if principal is None:
        return False
    if principal.has("admin"):
        return True
    if not principal.has("planner"):
        return False
    uid = principal.user.id
    return proposal.created_by_id == uid or (opp is not None and opp.created_by_id == uid)


def location_of(opp: Opportunity, proposal: Proposal) -> BaseGeometry | None:
    """Where the work happens: the delivery location, else the development's site."""
    if opp.delivery_location is not None:
        return to_shape(opp.delivery_location)
    if proposal.site_boundary is not None:
        return to_shape(proposal.site_boundary)
    return None


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def to_public(
    opp: Opportunity,
    proposal: Proposal,
    documents: list[Document],
    ocid_prefix: str,
    distance: float | None = None,
) -> OpportunityPublic:
    return OpportunityPublic(
        **_fields(
            opp,
            proposal.id,
            proposal.reference,
            proposal.title,
            [c.code for c in opp.cpv],
            documents,
            ocid_prefix,
            distance,
            _validated,
        )
    )


def _validated(cls: Any, **values: Any) -> Any:
    return cls(**values)


def _as_dict(_cls: Any, **values: Any) -> Any:
    return values


def _fields(
    o: Any,
    proposal_id: int,
    proposal_reference: str,
    proposal_title: str,
    codes: list[str],
    documents: list[Any],
    ocid_prefix: str,
    distance: float | None,
    make: Any,
) -> dict[str, Any]:
    """An opportunity's view fields, the one mapping for an entity (:func:`to_public`, validated)
    and a list row of ``repo.LIST_COLUMNS`` (:func:`_row_view`: nested values as dicts, validated
    once at the top); both have the same attribute names."""
    return {
        "id": o.id,
        "ocid": ocid(ocid_prefix, o.id),
        "proposal_id": proposal_id,
        "proposal_reference": proposal_reference,
        "proposal_title": proposal_title,
        "parent_id": o.parent_id,
        "title": o.title,
        "description": o.description,
        "cpv": [_cpv_labelled(c, make) for c in codes],
        "value": make(
            Value,
            amount=_num(o.value_amount),
            min=_num(o.value_min),
            max=_num(o.value_max),
            currency=o.currency,
        ),
        "sme_suitable": o.sme_suitable,
        "tender_period": make(Period, start=o.tender_start, end=o.tender_end),
        "contract_period": make(Period, start=o.contract_start, end=o.contract_end),
        "delivery_location": to_geojson(to_shape(o.delivery_location))
        if o.delivery_location is not None
        else None,
        "status": o.status,
        "social_value": list(o.social_value or []),
        "contact": make(Contact, name=o.contact_name, email=o.contact_email, phone=o.contact_phone),
        "documents": [
            make(
                DocumentRef,
                id=d.id,
                title=d.title,
                filename=d.filename,
                content_type=d.content_type,
                size_bytes=d.size_bytes,
            )
            for d in documents
        ],
        "published_at": o.published_at,
        "created_at": o.created_at,
        "updated_at": o.updated_at,
        "distance_km": None if distance is None else round(distance, 3),
    }


def _money(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 2)))


def _apply(opp: Opportunity, data: OpportunityWrite, fields: set[str]) -> None:
    """Copy the fields sent in ``data`` onto ``opp`` after checking them."""
    if "title" in fields:
        if data.title is None:
            raise InvalidInputError("title: must not be empty")
        opp.title = data.title.strip()
    if "description" in fields:
        opp.description = data.description or ""
    if "cpv_codes" in fields:
        if not data.cpv_codes:
            raise InvalidInputError("cpv_codes: give at least one CPV code")
        codes = cpv.validate_codes(data.cpv_codes)
        opp.cpv = [OpportunityCPV(code=c, position=i) for i, c in enumerate(codes)]
    for name in ("value_amount", "value_min", "value_max"):
        if name in fields:
            setattr(opp, name, _money(getattr(data, name)))
    if "currency" in fields:
        opp.currency = data.currency or "GBP"
    if "sme_suitable" in fields:
        opp.sme_suitable = bool(data.sme_suitable) if data.sme_suitable is not None else True
    if "tender_start" in fields:
        opp.tender_start = as_utc(data.tender_start)
    if "tender_end" in fields:
        opp.tender_end = as_utc(data.tender_end)
    if "contract_start" in fields:
        opp.contract_start = data.contract_start
    if "contract_end" in fields:
        opp.contract_end = data.contract_end
    if "delivery_location" in fields:
        opp.delivery_location = (
            None
            if data.delivery_location is None
            else from_shape(parse_geometry(data.delivery_location, "delivery_location"), SRID)
        )
    if "status" in fields:
        opp.status = data.status or "planning"
    if "social_value" in fields:
        opp.social_value = sorted(set(data.social_value or []))
    if "contact" in fields:
        contact = data.contact or Contact()
        opp.contact_name, opp.contact_email, opp.contact_phone = (
            contact.name,
            contact.email,
            contact.phone,
        )
    _check_consistency(opp)


def _check_consistency(opp: Opportunity) -> None:
    lo, hi = opp.value_min, opp.value_max
    if lo is not None and hi is not None and lo > hi:
        raise InvalidInputError("value_min: greater than value_max")
    if opp.value_amount is not None and (
        (lo is not None and opp.value_amount < lo) or (hi is not None and opp.value_amount > hi)
    ):
        raise InvalidInputError("value_amount: outside value_min..value_max")
    start, end = as_utc(opp.tender_start), as_utc(opp.tender_end)
    if start is not None and end is not None and start > end:
        raise InvalidInputError("tender_start: later than tender_end")
    if (
        opp.contract_start is not None
        and opp.contract_end is not None
        and opp.contract_start > opp.contract_end
    ):
        raise InvalidInputError("contract_start: later than contract_end")


def _proposal_or_404(session: Session, proposal_id: int) -> Proposal:
    proposal = repo.proposal(session, proposal_id)
    if proposal is None:
        raise NotFoundError(f"proposal {proposal_id} not found")
    return proposal


def create(session: Session, principal: Principal, data: OpportunityCreate) -> int:
    proposal = _proposal_or_404(session, data.proposal_id)
    if not can_manage(principal, proposal, None):
        raise PermissionDeniedError(
            "proposal_id: only the proposal's planner or an admin may publish its opportunities"
        )
    opp = Opportunity(proposal_id=proposal.id, created_by_id=principal.user.id, title="")
    fields = set(data.model_fields_set) | {"title", "cpv_codes"}
    _apply(opp, data, fields - {"proposal_id"})
    opp.published_at = utcnow()
    session.add(opp)
    session.flush()
    audit.record(
        session,
        actor_id=principal.user.id,
        action="opportunity.create",
        entity_type="opportunity",
        entity_id=opp.id,
    )
    session.commit()
    return opp.id


def _managed(session: Session, principal: Principal, opportunity_id: int) -> Opportunity:
    found = repo.get(session, opportunity_id)
    if found is None:
        raise NotFoundError(f"opportunity {opportunity_id} not found")
    opp, proposal = found
    if not can_manage(principal, proposal, opp):
        if not repo.is_public(proposal):
            raise NotFoundError(f"opportunity {opportunity_id} not found")
        raise PermissionDeniedError("only the publishing planner or an admin may change this")
    return opp


def update(
    session: Session, principal: Principal, opportunity_id: int, data: OpportunityUpdate
) -> None:
    opp = _managed(session, principal, opportunity_id)
    _apply(opp, data, set(data.model_fields_set))
    opp.updated_at = utcnow()
    audit.record(
        session,
        actor_id=principal.user.id,
        action="opportunity.update",
        entity_type="opportunity",
        entity_id=opp.id,
        details={"fields": sorted(data.model_fields_set)},
    )
    session.commit()


def delete(session: Session, principal: Principal, opportunity_id: int) -> None:
    opp = _managed(session, principal, opportunity_id)
    audit.record(
        session,
        actor_id=principal.user.id,
        action="opportunity.delete",
        entity_type="opportunity",
        entity_id=opp.id,
        details={"title": opp.title},
    )
    session.delete(opp)
    session.commit()


def require_manageable(
    session: Session, principal: Principal, opportunity_id: int
) -> tuple[Opportunity, Proposal]:
    opp = _managed(session, principal, opportunity_id)
    found = repo.get(session, opp.id)
    assert found is not None
    return found


def get_visible(
    session: Session, principal: Principal | None, opportunity_id: int
) -> tuple[Opportunity, Proposal]:
    found = repo.get(session, opportunity_id)
    if found is None or not (repo.is_public(found[1]) or can_manage(principal, found[1], found[0])):
        raise NotFoundError(f"opportunity {opportunity_id} not found")
    return found


def get_public(
    session: Session, principal: Principal | None, opportunity_id: int, ocid_prefix: str
) -> OpportunityPublic:
    opp, proposal = get_visible(session, principal, opportunity_id)
    docs = repo.documents_of(session, [opp.id]).get(opp.id, [])
    return to_public(opp, proposal, docs, ocid_prefix)


# --- discovery ---------------------------------------------------------------------------------


@dataclass
class Found:
    opportunity: Opportunity
    proposal: Proposal
    distance_km: float | None


def check_filters(filters: OpportunityFilters) -> tuple[list[str], tuple[float, float] | None]:
    """Validate combinations the schema cannot; returns CPV prefixes and the point, if any."""
    prefixes = sorted({cpv.validate_prefix(p, "cpv") for p in filters.cpv})
    if (filters.lon is None) != (filters.lat is None):
        raise InvalidInputError("lon: lon and lat go together")
    point = None if filters.lon is None or filters.lat is None else (filters.lon, filters.lat)
    if filters.radius_km is not None and point is None:
        raise InvalidInputError("radius_km: needs a point (lon and lat)")
    if (
        filters.min_value is not None
        and filters.max_value is not None
        and filters.min_value > filters.max_value
    ):
        raise InvalidInputError("min_value: greater than max_value")
    after, before = as_utc(filters.closing_after), as_utc(filters.closing_before)
    if after is not None and before is not None and after > before:
        raise InvalidInputError("closing_after: later than closing_before")
    return prefixes, point


def find(
    session: Session,
    filters: OpportunityFilters,
    *,
    sort: SortKey = "closing",
    exclude_ids: tuple[int, ...] = (),
) -> list[Found]:
    """Every public opportunity matching ``filters``, sorted. Distance is exact (geodesic)."""
    prefixes, point = check_filters(filters)
    if sort == "distance" and point is None:
        raise InvalidInputError("sort: sorting by distance needs a point (lon and lat)")
    bbox = None
    if point is not None and filters.radius_km is not None:
        bbox = bbox_around(point[0], point[1], filters.radius_km)
    rows = repo.search(
        session,
        OpportunityQuery(
            cpv_prefixes=prefixes,
            statuses=filters.status,
            min_value=filters.min_value,
            max_value=filters.max_value,
            closing_after=as_utc(filters.closing_after),
            closing_before=as_utc(filters.closing_before),
            sme_suitable=filters.sme_suitable,
            text=(filters.q or "").strip() or None,
            proposal_id=filters.proposal_id,
            bbox=bbox,
            exclude_ids=exclude_ids,
        ),
    )
    found: list[Found] = []
    for opp, proposal in rows:
        dist = None
        if point is not None:
            where = location_of(opp, proposal)
            dist = None if where is None else distance_km(point[0], point[1], where)
            if filters.radius_km is not None and (dist is None or dist > filters.radius_km):
                continue
        found.append(Found(opp, proposal, dist))
    return sort_found(found, sort)


_FAR = float("inf")
_LATEST = datetime.max.replace(tzinfo=UTC)


def _value(opp: Opportunity) -> float:
    for v in (opp.value_amount, opp.value_max, opp.value_min):
        if v is not None:
            return float(v)
    return -1.0


def sort_found(found: list[Found], sort: SortKey) -> list[Found]:
    if sort == "distance":
        return sorted(
            found,
            key=lambda f: (f.distance_km if f.distance_km is not None else _FAR, f.opportunity.id),
        )
    if sort in ("closing", "-closing"):
        dated = [f for f in found if f.opportunity.tender_end is not None]
        undated = [f for f in found if f.opportunity.tender_end is None]
        dated.sort(
            key=lambda f: (f.opportunity.tender_end or _LATEST, f.opportunity.id),
            reverse=sort == "-closing",
        )
        return dated + undated  # without a closing date: last either way
    if sort in ("value", "-value"):
        valued = [f for f in found if _value(f.opportunity) >= 0]
        unvalued = [f for f in found if _value(f.opportunity) < 0]
        valued.sort(
            key=lambda f: (_value(f.opportunity), f.opportunity.id), reverse=sort == "-value"
        )
        return valued + unvalued
    return sorted(
        found,
        key=lambda f: (f.opportunity.published_at or f.opportunity.created_at, f.opportunity.id),
        reverse=True,
    )


def page(
    session: Session, found: list[Found], limit: int, offset: int, ocid_prefix: str
) -> list[OpportunityPublic]:
    chosen = found[offset : offset + limit]
    docs = repo.documents_of(session, [f.opportunity.id for f in chosen])
    return [
        to_public(
            f.opportunity, f.proposal, docs.get(f.opportunity.id, []), ocid_prefix, f.distance_km
        )
        for f in chosen
    ]


# --- the public list (issue 10) -----------------------------------------------------------------
# ``GET /api/v1/opportunities`` answers from Core rows (``repo.list_rows``): filters, order and
# page in SQL, the page's CPV codes and documents by id, and each view built from one dict by
# pydantic-core's validator. The JSON is the same as ``find`` + ``page`` give; only a
# distance sort or a radius (exact geodesic distances, computed here) reads every candidate row
# of the bounding box and orders or cuts them in Python, as ``find`` does.


@lru_cache(maxsize=4096)
def _cpv_labelled(code: str, make: Any = _validated) -> CpvLabelled:
    """A stored CPV code with its labels (the vocabulary is fixed for the process's life)."""
    e = cpv.lookup(code)
    return make(CpvLabelled, code=e.code, labels={lang: e.label(lang) for lang in cpv.LANGUAGES})


def _row_location(row: Any) -> BaseGeometry | None:
    """:func:`location_of` a list row read ``with_site``."""
    if row.delivery_location is not None:
        return to_shape(row.delivery_location)
    if row.site_boundary is not None:
        return to_shape(row.site_boundary)
    return None


def _row_view(
    row: Any,
    codes: list[str],
    documents: list[Any],
    ocid_prefix: str,
    distance: float | None,
) -> OpportunityPublic:
    """:func:`to_public` of a row of ``repo.LIST_COLUMNS``, field for field: one dict validated
    by pydantic-core, quicker than ``model_construct``'s Python loop for every nested model."""
    return OpportunityPublic.model_validate(
        _fields(
            row,
            row.proposal_id,
            row.proposal_reference,
            row.proposal_title,
            codes,
            documents,
            ocid_prefix,
            distance,
            _as_dict,
        )
    )


def _distance_key(pair: tuple[Any, float | None]) -> tuple[float, int]:
    row, dist = pair
    return (dist if dist is not None else _FAR, row.id)


def list_page(
    session: Session,
    filters: OpportunityFilters,
    *,
    sort: SortKey,
    limit: int,
    offset: int,
    ocid_prefix: str,
) -> tuple[list[OpportunityPublic], int]:
    """One page of the public opportunities matching ``filters`` in ``sort`` order, and the
    total: the same items as ``page(session, find(session, filters, sort=sort), ...)``."""
    prefixes, point = check_filters(filters)
    if sort == "distance" and point is None:
        raise InvalidInputError("sort: sorting by distance needs a point (lon and lat)")
    radius = filters.radius_km
    bbox = None if point is None or radius is None else bbox_around(point[0], point[1], radius)
    query = OpportunityQuery(
        cpv_prefixes=prefixes,
        statuses=filters.status,
        min_value=filters.min_value,
        max_value=filters.max_value,
        closing_after=as_utc(filters.closing_after),
        closing_before=as_utc(filters.closing_before),
        sme_suitable=filters.sme_suitable,
        text=(filters.q or "").strip() or None,
        proposal_id=filters.proposal_id,
        bbox=bbox,
    )
    chosen: list[tuple[Any, float | None]]
    if point is None:
        rows, total = repo.list_rows(session, query, order=sort, limit=limit, offset=offset)
        chosen = [(r, None) for r in rows]
    elif radius is None and sort != "distance":
        rows, total = repo.list_rows(
            session, query, order=sort, limit=limit, offset=offset, with_site=True
        )
        chosen = [(r, _distance_to(point, r)) for r in rows]
    else:  # the exact distance decides the order or the membership: every candidate is read
        rows, _ = repo.list_rows(
            session, query, order="id" if sort == "distance" else sort, with_site=True
        )
        measured = [(r, _distance_to(point, r)) for r in rows]
        if radius is not None:
            measured = [(r, d) for r, d in measured if d is not None and d <= radius]
        if sort == "distance":
            measured.sort(key=_distance_key)
        total = len(measured)
        chosen = measured[offset : offset + limit]
    assert total is not None
    ids = [r.id for r, _ in chosen]
    codes = repo.cpv_codes_of(session, ids)
    docs = repo.document_rows_of(session, ids)
    items = [
        _row_view(r, codes.get(r.id, []), docs.get(r.id, []), ocid_prefix, d) for r, d in chosen
    ]
    return items, total


def _distance_to(point: tuple[float, float], row: Any) -> float | None:
    where = _row_location(row)
    return None if where is None else distance_km(point[0], point[1], where)


def fill(opp: Opportunity, data: OpportunityWrite, fields: set[str]) -> None:
    """Check ``fields`` of ``data`` and copy them onto ``opp`` (the rules of publishing, for
    work packages made elsewhere: contractors' sub-packages, the OCDS import)."""
    _apply(opp, data, fields)
