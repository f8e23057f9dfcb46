"""SME organisation profiles and "matches for my organisation".

A match is an open opportunity (planning, planned or active; not yet closed) in one of the
organisation's sectors and, when the profile has a location and a service radius, within reach.
The score (0..1) is explainable: 0.6 × the share of the opportunity's CPV codes inside the
organisation's sectors + 0.3 × closeness (1 at the base, 0 at the edge of the radius; 0.5 when
unknown) + 0.1 when the package is marked suitable for SMEs and the organisation is one.
"""

from __future__ import annotations

from backend.db.models import Organisation
from backend.db.types import SRID, utcnow
from backend.errors import ConflictError, InvalidInputError, NotFoundError
from backend.repositories import organisations as repo
from backend.repositories.geometry import from_shape, to_shape
from backend.repositories.session import Session
from backend.schemas.opportunities import Match, MatchReason, OpportunityFilters
from backend.schemas.organisations import OrganisationPublic, OrganisationUpdate, SectorPublic
from backend.services import cpv, opportunities
from backend.services.auth import Principal
from backend.services.geodesy import parse_geometry, to_geojson

OPEN_STATUSES = ("planning", "planned", "active")


def _sector(prefix: str) -> SectorPublic:
    head = cpv.vocabulary().by_digits.get(prefix.ljust(8, "0"))
    return SectorPublic(prefix=prefix, label=None if head is None else head.label("en"))


def to_public(org: Organisation) -> OrganisationPublic:
    return OrganisationPublic(
        id=org.id,
        name=org.name,
        size=org.size,
        description=org.description,
        website=org.website,
        sectors=[_sector(p) for p in org.sectors or []],
        location=None if org.location is None else to_geojson(to_shape(org.location)),
        service_radius_km=org.service_radius_km,
        identifier=org.identifier,
        created_at=org.created_at,
        updated_at=org.updated_at,
    )


def mine(principal: Principal) -> Organisation:
    org = principal.user.organisation
    if org is None:
        raise NotFoundError("organisation: your account has no organisation profile")
    return org


def search(
    session: Session, text: str, limit: int, offset: int
) -> tuple[list[OrganisationPublic], int]:
    """The organisation directory: names containing ``text``, or the identifier ``text`` (a
    company number), for choosing a supplier or a partner."""
    text = " ".join(text.split())
    if len(text) < 2:
        raise InvalidInputError("q: give at least 2 characters of the organisation's name")
    found, total = repo.search(session, text, limit, offset)
    return [to_public(o) for o in found], total


def get(session: Session, organisation_id: int) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFoundError(f"organisation {organisation_id} not found")
    return org


def update_mine(session: Session, principal: Principal, data: OrganisationUpdate) -> Organisation:
    org = mine(principal)
    fields = data.model_fields_set
    if "name" in fields:
        if not data.name:
            raise ConflictError("name: an organisation needs a name")
        org.name = data.name.strip()
    if "size" in fields and data.size is not None:
        org.size = data.size
    if "description" in fields:
        org.description = data.description or ""
    if "website" in fields:
        org.website = data.website
    if "identifier" in fields:
        org.identifier = data.identifier
    if "sectors" in fields:
        prefixes = {cpv.validate_prefix(s, "sectors") for s in data.sectors or []}
        # keep only the widest prefix of nested ones ("45" covers "4542")
        org.sectors = sorted(
            p for p in prefixes if not any(o != p and p.startswith(o) for o in prefixes)
        )
    if "location" in fields:
        org.location = (
            None
            if data.location is None
            else from_shape(parse_geometry(data.location, "location", ("Point",)), SRID)
        )
    if "service_radius_km" in fields:
        org.service_radius_km = data.service_radius_km
    org.updated_at = utcnow()
    session.commit()
    return org


def matches(
    session: Session, principal: Principal, limit: int, ocid_prefix: str
) -> tuple[list[Match], int]:
    org = mine(principal)
    sectors = list(org.sectors or [])
    point = None if org.location is None else to_shape(org.location)
    radius = org.service_radius_km if point is not None else None
    filters = OpportunityFilters(
        cpv=sectors,
        lon=None if point is None else point.x,
        lat=None if point is None else point.y,
        radius_km=radius,
        status=["planning", "planned", "active"],
    )
    now = utcnow()
    found = [
        f
        for f in opportunities.find(session, filters, sort="closing")
        if (opportunities.as_utc(f.opportunity.tender_end) or now) >= now
    ]
    scored: list[tuple[float, list[MatchReason], opportunities.Found]] = []
    for f in found:
        reasons: list[MatchReason] = []
        codes = [c.code for c in f.opportunity.cpv]
        inside = [
            (code, next(p for p in sectors if code.startswith(p)))
            for code in codes
            if any(code.startswith(p) for p in sectors)
        ]
        sector_share = len(inside) / len(codes) if codes and sectors else 0.0
        for code, prefix in inside:
            reasons.append(
                MatchReason(
                    kind="sector",
                    detail=f"CPV {code} ({cpv.lookup(code).label('en')}) is in your sector "
                    f"{prefix}",
                    params={"cpv": code, "prefix": prefix},
                )
            )
        closeness = 0.5
        if f.distance_km is not None and radius:
            closeness = max(0.0, 1.0 - f.distance_km / radius)
            reasons.append(
                MatchReason(
                    kind="distance",
                    detail=f"{f.distance_km:.1f} km from your base, within your {radius:g} km "
                    "service radius",
                    params={"distance_km": round(f.distance_km, 1), "radius_km": radius},
                )
            )
        sme = 1.0 if f.opportunity.sme_suitable and org.size != "large" else 0.0
        if sme:
            reasons.append(MatchReason(kind="sme", detail="marked as suitable for SMEs"))
        score = round(0.6 * sector_share + 0.3 * closeness + 0.1 * sme, 4)
        scored.append((score, reasons, f))
    scored.sort(key=lambda s: (-s[0], s[2].distance_km or 0.0, s[2].opportunity.id))
    chosen = scored[:limit]
    public = opportunities.page(session, [s[2] for s in chosen], len(chosen), 0, ocid_prefix)
    return [
        Match(opportunity=p, score=s[0], reasons=s[1]) for s, p in zip(chosen, public, strict=True)
    ], len(scored)
