"""``civictwin opportunities import``: work packages from an OCDS release package.

Reads a release package (OCDS 1.1, e.g. the UK Find a Tender OCDS feed) and creates or updates
one work package per ``ocid``, idempotently: the ocid is kept on the work package
(``source_ocid``), so a second import of the same package changes no row (not even
``updated_at``: a work package is written only when a mapped field differs).

Transactions: the package is read and every release checked first, with no database work; a bad
release is reported with the JSON path of the field (``releases[12].tender.value.amount``) and
left out whole; then every good release is written in **one transaction per package**. A crash
midway stores nothing, and the re-run is safe since imports are idempotent.

Mapping (release → work package): ``tender.title`` (else the first item's description) →
title; ``tender.description``; CPV codes from ``tender.classification``, ``tender.items[]
.classification`` and ``additionalClassifications`` with scheme CPV; ``tender.value`` →
amount, ``tender.minValue`` → the bottom of a range; ``tender.status`` (OCDS tenderStatus;
unsuccessful and withdrawn become cancelled); ``tenderPeriod`` and ``contractPeriod``;
``suitability.sme``; the delivery location from ``items[].deliveryLocations[].geometry`` or
``planning.project.locations[].geometry``. Of several releases of one ocid the latest
(``date``) wins.

The proposal: ``--proposal ID`` for every release, else the proposal whose site contains (or is
nearest to, within 0 m: intersects) the release's location.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from shapely import STRtree
from shapely.geometry.base import BaseGeometry

from backend.db.models import Opportunity, OpportunityCPV
from backend.db.types import SRID, utcnow
from backend.errors import InvalidInputError, NotFoundError
from backend.repositories import ocds_import as repo
from backend.repositories.geometry import from_shape, to_shape
from backend.repositories.session import Session
from backend.schemas.geometry import GeometryInputError, check_geojson
from backend.services import cpv
from backend.services.geodesy import parse_geometry

#: Releases of one package: bounded before any work.
MAX_RELEASES = 100_000
STATUS = {
    "planning": "planning",
    "planned": "planned",
    "active": "active",
    "cancelled": "cancelled",
    "unsuccessful": "cancelled",
    "withdrawn": "cancelled",
    "complete": "complete",
}
MONEY_MAX = Decimal("999999999999.99")


class ReleaseError(ValueError):
    """A field of a release that cannot be imported, with its JSON path."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass
class Mapped:
    """A release mapped to the fields of a work package (no database objects yet)."""

    ocid: str
    index: int
    released: str  # the release's date, to keep the latest of an ocid
    title: str
    description: str
    cpv: list[str]
    value_amount: Decimal | None
    value_min: Decimal | None
    value_max: Decimal | None
    currency: str
    status: str
    tender_start: datetime | None
    tender_end: datetime | None
    contract_start: date | None
    contract_end: date | None
    sme_suitable: bool
    location: BaseGeometry | None
    proposal_id: int | None = None


@dataclass
class ImportReport:
    releases: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "releases": self.releases,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
        }


# --- reading -----------------------------------------------------------------------------------


def _obj(value: Any, path: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ReleaseError(path, f"must be an object, got {type(value).__name__}")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ReleaseError(path, f"must be an array, got {type(value).__name__}")
    return value


def _text(value: Any, path: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ReleaseError(path, f"must be a string, got {type(value).__name__}")
    if len(value) > limit:
        raise ReleaseError(path, f"longer than {limit} characters")
    return value.strip()


def _money(value: Any, path: str) -> tuple[Decimal | None, str | None]:
    data = _obj(value, path)
    if not data:
        return None, None
    amount = data.get("amount")
    if amount is None:
        return None, data.get("currency")
    if isinstance(amount, bool) or not isinstance(amount, (int, float, str)):
        raise ReleaseError(f"{path}.amount", "must be a number")
    try:
        number = Decimal(str(amount))
    except InvalidOperation:
        raise ReleaseError(f"{path}.amount", f"{amount!r} is not a number") from None
    if not number.is_finite() or number < 0 or number > MONEY_MAX:
        raise ReleaseError(f"{path}.amount", f"must be between 0 and {MONEY_MAX}")
    currency = data.get("currency")
    if currency is not None and (
        not isinstance(currency, str) or len(currency) != 3 or not currency.isupper()
    ):
        raise ReleaseError(f"{path}.currency", f"{currency!r} is not an ISO 4217 code")
    return number.quantize(Decimal("0.01")), currency


def _when(value: Any, path: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ReleaseError(path, "must be an ISO 8601 date-time string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ReleaseError(path, f"{value!r} is not an ISO 8601 date-time") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _cpv(release: dict[str, Any], path: str) -> list[str]:
    tender = _obj(release.get("tender"), f"{path}.tender")
    found: list[tuple[str, Any]] = []
    if tender.get("classification") is not None:
        found.append((f"{path}.tender.classification", tender["classification"]))
    for i, item in enumerate(_list(tender.get("items"), f"{path}.tender.items")):
        where = f"{path}.tender.items[{i}]"
        item = _obj(item, where)
        if item.get("classification") is not None:
            found.append((f"{where}.classification", item["classification"]))
        extra = _list(item.get("additionalClassifications"), f"{where}.additionalClassifications")
        found += [(f"{where}.additionalClassifications[{j}]", c) for j, c in enumerate(extra)]
    codes: dict[str, None] = {}
    for where, c in found:
        c = _obj(c, where)
        if str(c.get("scheme", "")).upper() != "CPV":
            continue
        try:
            codes.setdefault(cpv.lookup(str(c.get("id", "")), f"{where}.id").code, None)
        except InvalidInputError as exc:
            raise ReleaseError(f"{where}.id", exc.detail.partition(": ")[2]) from None
    if not codes:
        raise ReleaseError(f"{path}.tender.items", "no CPV classification (scheme CPV)")
    return list(codes)[:20]


def _location(release: dict[str, Any], path: str) -> BaseGeometry | None:
    tender = _obj(release.get("tender"), f"{path}.tender")
    candidates: list[tuple[str, Any]] = []
    for i, item in enumerate(_list(tender.get("items"), f"{path}.tender.items")):
        where = f"{path}.tender.items[{i}].deliveryLocations"
        for j, loc in enumerate(_list(_obj(item, where).get("deliveryLocations"), where)):
            candidates.append(
                (f"{where}[{j}].geometry", _obj(loc, f"{where}[{j}]").get("geometry"))
            )
    planning = _obj(release.get("planning"), f"{path}.planning")
    project = _obj(planning.get("project"), f"{path}.planning.project")
    for j, loc in enumerate(_list(project.get("locations"), f"{path}.planning.project.locations")):
        where = f"{path}.planning.project.locations[{j}]"
        candidates.append((f"{where}.geometry", _obj(loc, where).get("geometry")))
    for where, geometry in candidates:
        if geometry is None:
            continue
        try:
            check_geojson(geometry, ("Point", "Polygon", "MultiPolygon"))
            return parse_geometry(geometry, where)
        except GeometryInputError as exc:
            raise ReleaseError(where, str(exc)) from None
        except InvalidInputError as exc:
            raise ReleaseError(where, exc.detail.partition(": ")[2]) from None
    return None


def map_release(release: Any, index: int) -> Mapped:
    """One release as work-package fields, or :class:`ReleaseError` with the field's path."""
    path = f"releases[{index}]"
    release = _obj(release, path)
    ocid = release.get("ocid")
    if not isinstance(ocid, str) or not ocid.strip() or len(ocid) > 200:
        raise ReleaseError(f"{path}.ocid", "required: a string of 1 to 200 characters")
    tender = _obj(release.get("tender"), f"{path}.tender")
    title = _text(tender.get("title"), f"{path}.tender.title", 200)
    items = _list(tender.get("items"), f"{path}.tender.items")
    if not title and items:
        title = _text(
            _obj(items[0], f"{path}.tender.items[0]").get("description"),
            f"{path}.tender.items[0].description",
            200,
        )
    if not title:
        raise ReleaseError(f"{path}.tender.title", "required (or an item description)")
    value, currency = _money(tender.get("value"), f"{path}.tender.value")
    low, low_currency = _money(tender.get("minValue"), f"{path}.tender.minValue")
    if low is not None and value is not None and low > value:
        raise ReleaseError(f"{path}.tender.minValue.amount", "greater than tender.value.amount")
    status_raw = tender.get("status") or "planning"
    if status_raw not in STATUS:
        raise ReleaseError(f"{path}.tender.status", f"{status_raw!r} is not an OCDS tenderStatus")
    tp = _obj(tender.get("tenderPeriod"), f"{path}.tender.tenderPeriod")
    cp = _obj(tender.get("contractPeriod"), f"{path}.tender.contractPeriod")
    t_start = _when(tp.get("startDate"), f"{path}.tender.tenderPeriod.startDate")
    t_end = _when(tp.get("endDate"), f"{path}.tender.tenderPeriod.endDate")
    if t_start and t_end and t_start > t_end:
        raise ReleaseError(f"{path}.tender.tenderPeriod.startDate", "later than endDate")
    c_start = _when(cp.get("startDate"), f"{path}.tender.contractPeriod.startDate")
    c_end = _when(cp.get("endDate"), f"{path}.tender.contractPeriod.endDate")
    if c_start and c_end and c_start > c_end:
        raise ReleaseError(f"{path}.tender.contractPeriod.startDate", "later than endDate")
    suitability = _obj(tender.get("suitability"), f"{path}.tender.suitability")
    sme = suitability.get("sme", True)
    if not isinstance(sme, bool):
        raise ReleaseError(f"{path}.tender.suitability.sme", "must be true or false")
    ranged = value is not None and low is not None
    return Mapped(
        ocid=ocid.strip(),
        index=index,
        released=str(release.get("date") or ""),
        title=title,
        description=_text(tender.get("description"), f"{path}.tender.description", 20000),
        cpv=_cpv(release, path),
        value_amount=None if ranged else value,
        value_min=low if ranged else None,
        value_max=value if ranged else None,
        currency=currency or low_currency or "GBP",
        status=STATUS[status_raw],
        tender_start=t_start,
        tender_end=t_end,
        contract_start=c_start.date() if c_start else None,
        contract_end=c_end.date() if c_end else None,
        sme_suitable=sme,
        location=_location(release, path),
    )


def read(data: Any) -> tuple[list[Mapped], list[str], int]:
    """Check a parsed package: (the good releases, latest per ocid; the errors; releases read)."""
    if not isinstance(data, dict):
        raise InvalidInputError("package: must be a JSON object (an OCDS release package)")
    releases = data.get("releases")
    if not isinstance(releases, list):
        raise InvalidInputError("releases: required, an array of OCDS releases")
    if len(releases) > MAX_RELEASES:
        raise InvalidInputError(f"releases: more than {MAX_RELEASES} in one package")
    latest: dict[str, Mapped] = {}
    errors: list[str] = []
    for i, release in enumerate(releases):
        try:
            mapped = map_release(release, i)
        except ReleaseError as exc:
            errors.append(str(exc))
            continue
        known = latest.get(mapped.ocid)
        if known is None or mapped.released >= known.released:
            latest[mapped.ocid] = mapped
    return list(latest.values()), errors, len(releases)


def parse(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInputError(f"package: not JSON ({exc})") from None


# --- writing -----------------------------------------------------------------------------------


def _fingerprint(m: Mapped) -> tuple[Any, ...]:
    return (
        m.proposal_id,
        m.title,
        m.description,
        tuple(m.cpv),
        m.value_amount,
        m.value_min,
        m.value_max,
        m.currency,
        m.status,
        m.tender_start,
        m.tender_end,
        m.contract_start,
        m.contract_end,
        m.sme_suitable,
        None if m.location is None else m.location.wkb_hex,
    )


def _row_fingerprint(opp: Any, codes: tuple[str, ...]) -> tuple[Any, ...]:
    """The stored side of ``_fingerprint``: a row of ``repo.IMPORTED`` columns and its codes."""

    def utc(v: datetime | None) -> datetime | None:
        return None if v is None else v.astimezone(UTC)

    def money(v: Any) -> Decimal | None:
        return None if v is None else Decimal(v).quantize(Decimal("0.01"))

    loc = None if opp.delivery_location is None else to_shape(opp.delivery_location).wkb_hex
    return (
        opp.proposal_id,
        opp.title,
        opp.description,
        codes,
        money(opp.value_amount),
        money(opp.value_min),
        money(opp.value_max),
        opp.currency,
        opp.status,
        utc(opp.tender_start),
        utc(opp.tender_end),
        opp.contract_start,
        opp.contract_end,
        opp.sme_suitable,
        loc,
    )


def _write(opp: Opportunity, m: Mapped) -> None:
    opp.proposal_id = m.proposal_id  # type: ignore[assignment]
    opp.title, opp.description = m.title, m.description
    opp.cpv = [OpportunityCPV(code=c, position=i) for i, c in enumerate(m.cpv)]
    opp.value_amount, opp.value_min, opp.value_max = m.value_amount, m.value_min, m.value_max
    opp.currency, opp.status, opp.sme_suitable = m.currency, m.status, m.sme_suitable
    opp.tender_start, opp.tender_end = m.tender_start, m.tender_end
    opp.contract_start, opp.contract_end = m.contract_start, m.contract_end
    opp.delivery_location = None if m.location is None else from_shape(m.location, SRID)


def _row(m: Mapped, created_by_id: int | None, now: datetime) -> dict[str, Any]:
    """A new work package as a row for a bulk insert."""
    return {
        "source_ocid": m.ocid,
        "proposal_id": m.proposal_id,
        "title": m.title,
        "description": m.description,
        "value_amount": m.value_amount,
        "value_min": m.value_min,
        "value_max": m.value_max,
        "currency": m.currency,
        "status": m.status,
        "sme_suitable": m.sme_suitable,
        "tender_start": m.tender_start,
        "tender_end": m.tender_end,
        "contract_start": m.contract_start,
        "contract_end": m.contract_end,
        "delivery_location": None if m.location is None else from_shape(m.location, SRID),
        "social_value": [],
        "published_at": now,
        "created_at": now,
        "updated_at": now,
        "created_by_id": created_by_id,
    }


def _link(
    session: Session, mapped: list[Mapped], proposal_id: int | None, errors: list[str]
) -> list[Mapped]:
    if proposal_id is not None:
        if repo.proposal(session, proposal_id) is None:
            raise NotFoundError(f"proposal: {proposal_id} not found")
        for m in mapped:
            m.proposal_id = proposal_id
        return mapped
    sites = repo.sites(session)
    tree = STRtree([g for _, g in sites])
    linked = []
    for m in mapped:
        if m.location is None:
            errors.append(
                f"releases[{m.index}]: no location to find its proposal by (give --proposal)"
            )
            continue
        hits = [sites[i] for i in tree.query(m.location, predicate="intersects")]
        if not hits:
            errors.append(
                f"releases[{m.index}]: no proposal's site at its location (give --proposal)"
            )
            continue
        m.proposal_id = min(pid for pid, _ in hits)
        linked.append(m)
    return linked


def import_package(
    session: Session,
    data: Any,
    *,
    proposal_id: int | None = None,
    created_by_id: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Check ``data`` (a parsed release package) and store its good releases in one transaction."""
    mapped, errors, count = read(data)
    report = ImportReport(releases=count, errors=errors)
    mapped = _link(session, mapped, proposal_id, report.errors)
    # the imported fields of the work packages there already, as plain rows: an unchanged
    # release costs its share of one indexed read and no write; only changed ones are loaded
    stored = repo.imported_fields(session, [m.ocid for m in mapped])
    now = utcnow()
    new_rows: list[dict[str, Any]] = []
    changed: list[Mapped] = []
    for m in mapped:
        known = stored.get(m.ocid)
        if known is None:
            new_rows.append(_row(m, created_by_id, now))
            report.created += 1
        elif _row_fingerprint(*known) != _fingerprint(m):
            changed.append(m)
        else:
            report.unchanged += 1
    existing = repo.by_ocids(session, [m.ocid for m in changed])
    for m in changed:
        opp = existing[m.ocid]
        _write(opp, m)
        opp.updated_at = now
        report.updated += 1
    session.flush()
    repo.insert_many(session, new_rows, {m.ocid: m.cpv for m in mapped})
    session.commit()
    if progress is not None:
        progress(
            f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged"
        )
    return report
