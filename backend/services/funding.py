"""Funding and business-support schemes: publishing (a ``funder`` or an admin), the directory,
"schemes for my organisation" with reasons, and schemes shown beside work packages.

Who may publish: users with the ``funder`` role (a city, a regional development bank, a chamber)
edit their own schemes; an admin edits any. Drafts are seen only by their funder and admins.

Eligibility is judged here, in Python, on the published rows: a city has hundreds of schemes,
and the rules (CPV prefixes either way round, NACE codes, an area, rolling or dated windows) are
clearer as code than as SQL on two dialects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from shapely.geometry import MultiPolygon, Point
from shapely.geometry.base import BaseGeometry

from backend.db.models_sme import FundingScheme
from backend.db.types import SRID, utcnow
from backend.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from backend.repositories import audit
from backend.repositories import funding as repo
from backend.repositories import opportunities as opportunity_repo
from backend.repositories.geometry import from_shape, to_shape
from backend.repositories.session import Session
from backend.schemas.funding import (
    LANGUAGES,
    SchemeCreate,
    SchemeFilters,
    SchemeMatch,
    SchemeMatchReason,
    SchemePublic,
    SchemeText,
    SchemeUpdate,
    SchemeWrite,
    SectorRef,
)
from backend.schemas.opportunities import Contact
from backend.schemas.text import visible_text_problem
from backend.services import cpv
from backend.services.auth import Principal
from backend.services.geodesy import parse_geometry, to_geojson

FUNDER_ROLES = ("funder", "admin")
_NACE = re.compile(r"^(?:[A-U]|\d{2}(?:\.\d{1,2})?)$")


def can_manage(principal: Principal | None, scheme: FundingScheme | None) -> bool:
    if principal is None:
        return False
    if principal.has("admin"):
        return True
    if not principal.has("funder"):
        return False
    return scheme is None or scheme.created_by_id == principal.user.id


def is_open(scheme: FundingScheme, on: date) -> bool:
    """Open for applications on ``on``: published, started, and rolling or not yet closed."""
    if scheme.status != "published":
        return False
    if scheme.opens_on is not None and scheme.opens_on > on:
        return False
    return scheme.rolling or scheme.closes_on is None or scheme.closes_on >= on


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def to_public(scheme: FundingScheme, opportunity_ids: list[int], today: date) -> SchemePublic:
    return SchemePublic(
        id=scheme.id,
        kind=scheme.kind,
        provider=scheme.provider,
        translations={k: SchemeText(**v) for k, v in (scheme.translations or {}).items()},
        amount_min=_num(scheme.amount_min),
        amount_max=_num(scheme.amount_max),
        currency=scheme.currency,
        sizes=list(scheme.sizes or []),
        sectors=[SectorRef(**s) for s in scheme.sectors or []],
        stages=list(scheme.stages or []),
        area=to_geojson(to_shape(scheme.area)) if scheme.area is not None else None,
        other_criteria=scheme.other_criteria,
        opens_on=scheme.opens_on,
        closes_on=scheme.closes_on,
        rolling=scheme.rolling,
        how_to_apply=scheme.how_to_apply,
        apply_url=scheme.apply_url,
        contact=Contact(
            name=scheme.contact_name, email=scheme.contact_email, phone=scheme.contact_phone
        ),
        status=scheme.status,
        opportunity_ids=opportunity_ids,
        open=is_open(scheme, today),
        published_at=scheme.published_at,
        created_at=scheme.created_at,
        updated_at=scheme.updated_at,
    )


# --- writing -----------------------------------------------------------------------------------


def _check_text(field: str, value: str, required: bool) -> str:
    value = value.strip()
    if not value:
        if required:
            raise InvalidInputError(f"{field}: must not be empty")
        return value
    problem = visible_text_problem(value)
    if problem:
        raise InvalidInputError(f"{field}: {problem}")
    return value


def _sector(i: int, ref: SectorRef) -> dict[str, str]:
    field = f"sectors[{i}].code"
    if ref.scheme == "CPV":
        return {"scheme": "CPV", "code": cpv.validate_prefix(ref.code, field)}
    code = ref.code.strip().upper()
    if not _NACE.match(code):
        raise InvalidInputError(
            f"{field}: {ref.code!r} is not a NACE Rev. 2 code (a section letter A-U, or a "
            "division, group or class such as 43, 43.3, 43.32)"
        )
    return {"scheme": "NACE", "code": code}


def _money(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 2)))


def _apply(scheme: FundingScheme, data: SchemeWrite, fields: set[str]) -> None:
    if "kind" in fields:
        if data.kind is None:
            raise InvalidInputError("kind: must not be null")
        scheme.kind = data.kind
    if "provider" in fields:
        scheme.provider = _check_text("provider", data.provider or "", True)
    if "translations" in fields:
        texts = data.translations or {}
        if "en" not in texts:
            raise InvalidInputError("translations.en: an English title is required")
        scheme.translations = {
            lang: {
                "title": _check_text(f"translations.{lang}.title", texts[lang].title, True),
                "summary": _check_text(f"translations.{lang}.summary", texts[lang].summary, False),
            }
            for lang in LANGUAGES
            if lang in texts
        }
    if "amount_min" in fields:
        scheme.amount_min = _money(data.amount_min)
    if "amount_max" in fields:
        scheme.amount_max = _money(data.amount_max)
    if "currency" in fields:
        scheme.currency = data.currency or "GBP"
    if "sizes" in fields:
        scheme.sizes = sorted(set(data.sizes or []), key=("micro", "small", "medium").index)
    if "sectors" in fields:
        seen: dict[tuple[str, str], None] = {}
        for i, ref in enumerate(data.sectors or []):
            s = _sector(i, ref)
            seen.setdefault((s["scheme"], s["code"]), None)
        scheme.sectors = [{"scheme": k[0], "code": k[1]} for k in seen]
    if "stages" in fields:
        order = ("idea", "startup", "growth", "established")
        scheme.stages = sorted(set(data.stages or []), key=order.index)
    if "area" in fields:
        if data.area is None:
            scheme.area = None
        else:
            geom = parse_geometry(data.area, "area", ("Polygon", "MultiPolygon"))
            if geom.geom_type == "Polygon":
                geom = MultiPolygon([geom])
            scheme.area = from_shape(geom, SRID)
    if "other_criteria" in fields:
        scheme.other_criteria = _check_text("other_criteria", data.other_criteria or "", False)
    if "opens_on" in fields:
        scheme.opens_on = data.opens_on
    if "closes_on" in fields:
        scheme.closes_on = data.closes_on
    if "rolling" in fields:
        scheme.rolling = bool(data.rolling)
    if "how_to_apply" in fields:
        scheme.how_to_apply = _check_text("how_to_apply", data.how_to_apply or "", False)
    if "apply_url" in fields:
        scheme.apply_url = data.apply_url
    if "contact" in fields:
        c = data.contact or Contact()
        scheme.contact_name, scheme.contact_email, scheme.contact_phone = c.name, c.email, c.phone
    if "status" in fields:
        scheme.status = data.status or "published"
    lo, hi = scheme.amount_min, scheme.amount_max
    if lo is not None and hi is not None and lo > hi:
        raise InvalidInputError("amount_min: greater than amount_max")
    if scheme.opens_on and scheme.closes_on and scheme.opens_on > scheme.closes_on:
        raise InvalidInputError("opens_on: later than closes_on")
    if scheme.rolling and scheme.closes_on is not None:
        raise InvalidInputError("closes_on: a rolling scheme has no closing date")


def _link(
    session: Session, principal: Principal, scheme_id: int, opportunity_ids: list[int]
) -> None:
    for i, opportunity_id in enumerate(opportunity_ids):
        found = opportunity_repo.get(session, opportunity_id)
        if found is None or not opportunity_repo.is_public(found[1]):
            raise InvalidInputError(f"opportunity_ids[{i}]: opportunity {opportunity_id} not found")
    repo.set_links(session, scheme_id, opportunity_ids)


def create(session: Session, principal: Principal, data: SchemeCreate) -> int:
    if not can_manage(principal, None):
        raise PermissionDeniedError("only a funder or an admin may publish schemes")
    scheme = FundingScheme(created_by_id=principal.user.id, kind=data.kind, provider="")
    scheme.translations, scheme.sizes, scheme.sectors, scheme.stages = {}, [], [], []
    scheme.rolling, scheme.status = False, "published"
    scheme.other_criteria, scheme.how_to_apply = "", ""
    _apply(scheme, data, set(data.model_fields_set) | {"kind", "provider", "translations"})
    if scheme.status == "published":
        scheme.published_at = utcnow()
    session.add(scheme)
    session.flush()
    if data.opportunity_ids:
        _link(session, principal, scheme.id, data.opportunity_ids)
    audit.record(
        session,
        actor_id=principal.user.id,
        action="scheme.create",
        entity_type="funding_scheme",
        entity_id=scheme.id,
    )
    session.commit()
    return scheme.id


def _managed(session: Session, principal: Principal, scheme_id: int) -> FundingScheme:
    scheme = repo.get(session, scheme_id)
    if scheme is None or (scheme.status == "draft" and not can_manage(principal, scheme)):
        raise NotFoundError(f"scheme {scheme_id} not found")
    if not can_manage(principal, scheme):
        raise PermissionDeniedError("only the publishing funder or an admin may change this")
    return scheme


def update(session: Session, principal: Principal, scheme_id: int, data: SchemeUpdate) -> None:
    scheme = _managed(session, principal, scheme_id)
    fields = set(data.model_fields_set)
    _apply(scheme, data, fields)
    if scheme.status == "published" and scheme.published_at is None:
        scheme.published_at = utcnow()
    if "opportunity_ids" in fields:
        _link(session, principal, scheme.id, data.opportunity_ids or [])
    scheme.updated_at = utcnow()
    audit.record(
        session,
        actor_id=principal.user.id,
        action="scheme.update",
        entity_type="funding_scheme",
        entity_id=scheme.id,
        details={"fields": sorted(fields)},
    )
    session.commit()


def delete(session: Session, principal: Principal, scheme_id: int) -> None:
    scheme = _managed(session, principal, scheme_id)
    audit.record(
        session,
        actor_id=principal.user.id,
        action="scheme.delete",
        entity_type="funding_scheme",
        entity_id=scheme.id,
        details={"provider": scheme.provider},
    )
    session.delete(scheme)
    session.commit()


def get_visible(session: Session, principal: Principal | None, scheme_id: int) -> FundingScheme:
    scheme = repo.get(session, scheme_id)
    if scheme is None or (scheme.status == "draft" and not can_manage(principal, scheme)):
        raise NotFoundError(f"scheme {scheme_id} not found")
    return scheme


def get_public(session: Session, principal: Principal | None, scheme_id: int) -> SchemePublic:
    scheme = get_visible(session, principal, scheme_id)
    links = repo.linked_opportunities(session, [scheme.id])
    return to_public(scheme, links[scheme.id], date.today())


def publics(session: Session, schemes: list[FundingScheme]) -> list[SchemePublic]:
    links = repo.linked_opportunities(session, [s.id for s in schemes])
    today = date.today()
    return [to_public(s, links[s.id], today) for s in schemes]


def managed(session: Session, principal: Principal) -> list[FundingScheme]:
    """The schemes ``principal`` may change, drafts included: a funder's own, every one for an
    admin (the "My schemes" list of the funding panel)."""
    if not can_manage(principal, None):
        raise PermissionDeniedError("only a funder or an admin manages schemes")
    owner = None if principal.has("admin") else principal.user.id
    return repo.managed(session, owner)


# --- the directory -----------------------------------------------------------------------------


def _sector_filter(raw: str) -> tuple[str, str]:
    """``sector=``: digits are a CPV code or prefix, anything else a NACE Rev. 2 code."""
    if raw.replace("-", "").isdigit():
        return "CPV", cpv.validate_prefix(raw, "sector")
    if _NACE.match(raw.upper()):
        return "NACE", raw.upper()
    raise InvalidInputError(f"sector: {raw!r} is neither a CPV code or prefix nor a NACE code")


def _sector_fits(scheme_sectors: list[dict[str, str]], wanted: tuple[str, str]) -> bool:
    """A CPV filter matches a scheme's CPV prefix either way round (45 covers 4511, 4511 is in
    45); a NACE filter matches a NACE code by prefix the same way. No sectors = any sector."""
    if not scheme_sectors:
        return True
    kind, code = wanted
    return any(
        s["scheme"] == kind and (s["code"].startswith(code) or code.startswith(s["code"]))
        for s in scheme_sectors
    )


def _area(scheme: FundingScheme) -> BaseGeometry | None:
    return None if scheme.area is None else to_shape(scheme.area)


def _text(scheme: FundingScheme) -> str:
    parts = [scheme.provider, scheme.other_criteria]
    for texts in (scheme.translations or {}).values():
        parts += [texts.get("title", ""), texts.get("summary", "")]
    return " ".join(parts).casefold()


def check_filters(filters: SchemeFilters) -> tuple[str, str] | None:
    """The sector filter as (CPV|NACE, code), after the checks a query string cannot express;
    also what a saved funding search is checked with when it is stored."""
    if (filters.lon is None) != (filters.lat is None):
        raise InvalidInputError("lon: lon and lat go together")
    return None if not filters.sector else _sector_filter(filters.sector.strip())


def find(
    session: Session, principal: Principal | None, filters: SchemeFilters
) -> list[FundingScheme]:
    """Visible schemes matching every filter, newest first."""
    wanted = check_filters(filters)
    rows = repo.listed(
        session,
        kinds=filters.kind,
        viewer_id=principal.user.id if principal is not None else None,
        everything=principal is not None and principal.has("admin"),
        opportunity_id=filters.opportunity_id,
    )
    needle = (filters.q or "").strip().casefold()
    provider = (filters.provider or "").strip().casefold()
    point = None if filters.lon is None or filters.lat is None else Point(filters.lon, filters.lat)
    found = []
    for s in rows:
        if filters.size and s.sizes and filters.size not in s.sizes:
            continue
        if filters.stage and s.stages and filters.stage not in s.stages:
            continue
        if wanted is not None and not _sector_fits(s.sectors or [], wanted):
            continue
        if filters.open_on is not None and not is_open(s, filters.open_on):
            continue
        if point is not None:
            area = _area(s)
            if area is not None and not area.covers(point):
                continue
        if needle and needle not in _text(s):
            continue
        if provider and provider not in s.provider.casefold():
            continue
        found.append(s)
    return found


# --- schemes for my organisation ---------------------------------------------------------------


@dataclass
class _Fit:
    scheme: FundingScheme
    score: float
    reasons: list[SchemeMatchReason]


def _fit(scheme: FundingScheme, org: Any, today: date, linked: bool) -> _Fit | None:
    """Whether ``org`` may use ``scheme`` today and why; None if it may not."""
    if not is_open(scheme, today):
        return None
    reasons: list[SchemeMatchReason] = []
    score = 0.0
    if scheme.sizes:
        if org.size not in scheme.sizes:
            return None
        reasons.append(SchemeMatchReason(code="size", params={"size": org.size}))
        score += 0.3
    elif org.size == "large":
        return None  # a business-support scheme for SMEs: not for a large firm
    else:
        reasons.append(SchemeMatchReason(code="any_size"))
        score += 0.2
    cpv_sectors = [s for s in scheme.sectors or [] if s["scheme"] == "CPV"]
    if scheme.sectors:
        hit = next(
            (
                (s["code"], mine)
                for s in cpv_sectors
                for mine in org.sectors or []
                if mine.startswith(s["code"]) or s["code"].startswith(mine)
            ),
            None,
        )
        if hit is None:
            return None  # NACE-only schemes cannot be judged on CPV sectors: left out
        reasons.append(
            SchemeMatchReason(
                code="sector", params={"scheme": "CPV", "code": hit[0], "yours": hit[1]}
            )
        )
        score += 0.4
    else:
        reasons.append(SchemeMatchReason(code="any_sector"))
        score += 0.2
    area = _area(scheme)
    if area is not None:
        if org.location is None or not area.covers(to_shape(org.location)):
            return None
        reasons.append(SchemeMatchReason(code="area"))
        score += 0.2
    else:
        reasons.append(SchemeMatchReason(code="anywhere"))
        score += 0.1
    if scheme.rolling or scheme.closes_on is None:
        reasons.append(SchemeMatchReason(code="rolling"))
    else:
        reasons.append(
            SchemeMatchReason(code="open", params={"closes_on": scheme.closes_on.isoformat()})
        )
    if linked:
        reasons.append(SchemeMatchReason(code="linked"))
        score += 0.1
    return _Fit(scheme, round(score, 4), reasons)


def matches(session: Session, principal: Principal, limit: int) -> tuple[list[SchemeMatch], int]:
    """Open schemes the caller's organisation is eligible for, best first, with reasons."""
    org = principal.user.organisation
    if org is None:
        raise NotFoundError("you have no organisation profile")
    today = date.today()
    interested = {
        reg.opportunity_id
        for reg, _ in opportunity_repo.interests_of_organisation(session, org.id)
        if reg.withdrawn_at is None
    }
    schemes = repo.listed(session)
    links = repo.linked_opportunities(session, [s.id for s in schemes])
    fits = [
        f
        for s in schemes
        if (f := _fit(s, org, today, bool(interested.intersection(links[s.id])))) is not None
    ]
    fits.sort(key=lambda f: (-f.score, f.scheme.closes_on or date.max, f.scheme.id))
    chosen = fits[:limit]
    return [
        SchemeMatch(
            scheme=to_public(f.scheme, links[f.scheme.id], today), score=f.score, reasons=f.reasons
        )
        for f in chosen
    ], len(fits)
