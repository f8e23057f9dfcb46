"""Opportunities as OCDS 1.1 releases in a release package.

Mapping (https://standard.open-contracting.org/1.1/en/schema/reference/):

- ``ocid`` = ``<ocid prefix>-opp-<id>``; one release per opportunity, its ``id`` carries the time
  of the last change, so a changed opportunity publishes a new release of the same process.
- ``planning.project`` (Project extension) is the development: the proposal's reference, title,
  description, page URL and site boundary as a ``locations[].geometry`` (Location extension).
- ``tender``: title, description, status (our statuses are OCDS ``tenderStatus`` codes), value
  (fixed amount, else the top of the range) and ``minValue``, ``tenderPeriod``,
  ``contractPeriod``, ``mainProcurementCategory`` from the first CPV code, one item per CPV code
  classified with scheme ``CPV`` and ``deliveryLocations``, ``suitability.sme`` (Suitability
  extension), social-value criteria in ``awardCriteriaDetails``, documents.
- ``parties``: the buyer (the publisher) with the contact point, and every organisation with an
  active interest registration as ``interestedParty`` with ``details.scale`` (Party scale).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from backend.db.models import Document, InterestRegistration, Opportunity, Organisation, Proposal
from backend.db.types import utcnow
from backend.repositories import opportunities as repo
from backend.repositories.geometry import to_shape
from backend.repositories.session import Session
from backend.services import awards, cpv, opportunities, subpackages
from backend.services.auth import Principal
from backend.services.geodesy import to_geojson
from backend.services.links import Links
from backend.settings import Settings

EXTENSION_BASE = "https://raw.githubusercontent.com/open-contracting-extensions"
EXTENSIONS = tuple(
    f"{EXTENSION_BASE}/{name}/master/extension.json"
    for name in (
        "ocds_location_extension",
        "ocds_project_extension",
        "ocds_suitability_extension",
        "ocds_partyDetails_scale_extension",
    )
)
LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
PUBLICATION_POLICY = "/docs/api.md#opportunities-ocds-ogc-api-and-open-data"
BUYER_ID = "buyer"
#: our organisation sizes → OCDS partyScale codes
SCALE = {"micro": "micro", "small": "small", "medium": "medium", "large": "large"}
SOCIAL_VALUE_LABELS = {
    "local_employment": "local employment",
    "buy_local": "buy local",
    "green": "green / low carbon",
    "apprenticeships": "apprenticeships and training",
    "community": "community benefit",
    "fair_work": "fair work",
}
TAGS = {
    "planning": ["planning"],
    "planned": ["planning"],
    "active": ["tender"],
    "cancelled": ["tenderCancellation"],
    "complete": ["tender"],
}


def _datetime(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return opportunities.as_utc(value).isoformat().replace("+00:00", "Z")  # type: ignore[union-attr]
    return f"{value.isoformat()}T00:00:00Z"


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    """OCDS has ``minLength``/``minItems``/``minProperties`` everywhere: leave blanks out."""
    clean: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            value = _drop_empty(value)
        if value in (None, "", [], {}):
            continue
        clean[key] = value
    return clean


def _project(links: Links, proposal: Proposal) -> dict[str, Any]:
    locations = []
    if proposal.site_boundary is not None:
        locations.append(
            _drop_empty(
                {
                    "description": proposal.site_address or proposal.title,
                    "geometry": to_geojson(to_shape(proposal.site_boundary)),
                }
            )
        )
    return _drop_empty(
        {
            "id": proposal.reference,
            "title": proposal.title,
            "description": proposal.description.strip(),
            "uri": links.proposal(proposal.id),
            "locations": locations,
        }
    )


def _value(amount: Any, currency: str) -> dict[str, Any] | None:
    return None if amount is None else {"amount": float(amount), "currency": currency}


def _party(org: Organisation) -> dict[str, Any]:
    return _drop_empty(
        {
            "id": f"org-{org.id}",
            "name": org.name,
            "roles": ["interestedParty"],
            "identifier": {"id": org.identifier, "legalName": org.name} if org.identifier else None,
            "details": {"scale": SCALE.get(org.size, "sme")},
        }
    )


def release(
    settings: Settings,
    links: Links,
    opp: Opportunity,
    proposal: Proposal,
    interested: list[Organisation],
    documents: list[Document],
    awarded: tuple[list[dict[str, Any]], list[dict[str, Any]]] = ([], []),
    related: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One OCDS release of ``opp``; ``awarded`` are its awards and supplier parties
    (``backend.services.awards``), ``related`` its parent or sub-contract processes."""
    # an imported work package keeps the ocid of the process it came from
    ocid = opp.source_ocid or opportunities.ocid(settings.ocid_prefix, opp.id)
    changed = opportunities.as_utc(opp.updated_at) or utcnow()
    where = opportunities.location_of(opp, proposal)
    delivery = (
        [_drop_empty({"description": proposal.site_address, "geometry": to_geojson(where)})]
        if where is not None
        else []
    )
    entries = [cpv.lookup(c.code) for c in opp.cpv]
    items = [
        _drop_empty(
            {
                "id": str(i + 1),
                "description": entry.label("en"),
                "classification": {
                    "scheme": "CPV",
                    "id": entry.digits,
                    "description": entry.label("en"),
                },
                "deliveryLocations": delivery,
            }
        )
        for i, entry in enumerate(entries)
    ]
    top = opp.value_amount if opp.value_amount is not None else opp.value_max
    social = [SOCIAL_VALUE_LABELS.get(s, s) for s in opp.social_value or []]
    buyer = _drop_empty(
        {
            "id": BUYER_ID,
            "name": settings.publisher_name,
            "roles": ["buyer"],
            "contactPoint": {
                "name": opp.contact_name,
                "email": opp.contact_email,
                "telephone": opp.contact_phone,
            },
        }
    )
    tender = _drop_empty(
        {
            "id": f"{ocid}-tender",
            "title": opp.title,
            "description": opp.description.strip(),
            "status": opp.status,
            "value": _value(top, opp.currency),
            "minValue": _value(opp.value_min, opp.currency) if opp.value_amount is None else None,
            "mainProcurementCategory": cpv.procurement_category(entries[0].digits)
            if entries
            else None,
            "items": items,
            "tenderPeriod": {
                "startDate": _datetime(opp.tender_start),
                "endDate": _datetime(opp.tender_end),
            },
            "contractPeriod": {
                "startDate": _datetime(opp.contract_start),
                "endDate": _datetime(opp.contract_end),
            },
            "awardCriteriaDetails": f"Social value: {', '.join(social)}." if social else None,
            "documents": [
                {
                    "id": str(d.id),
                    "title": d.title,
                    "format": d.content_type,
                    "url": links.operation("getDocument", document_id=d.id),
                }
                for d in documents
            ],
        }
    )
    tender["suitability"] = {"sme": bool(opp.sme_suitable)}
    awards, suppliers = awarded
    parties = [buyer, *(_party(o) for o in interested)]
    for supplier in suppliers:  # an interested party that won is one party with both roles
        same = next((p for p in parties if p["id"] == supplier["id"]), None)
        if same is None:
            parties.append(supplier)
        else:
            same["roles"] = [*same["roles"], "supplier"]
            same["details"] = supplier["details"]
    data: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-{changed.strftime('%Y%m%dT%H%M%SZ')}",
        "date": _datetime(changed),
        "tag": TAGS[opp.status] + (["award"] if awards else []),
        "initiationType": "tender",
        "language": "en",
        "parties": parties,
        "buyer": {"id": BUYER_ID, "name": settings.publisher_name},
        "planning": {"project": _project(links, proposal)},
        "tender": tender,
    }
    if awards:
        data["awards"] = awards
    if related:
        data["relatedProcesses"] = related
    return data


def package(settings: Settings, releases: list[dict[str, Any]], uri: str) -> dict[str, Any]:
    """A release package with the extensions its releases use."""
    latest = max((r["date"] for r in releases), default=_datetime(utcnow()))
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": latest,
        "publisher": {"name": settings.publisher_name},
        "license": LICENSE,
        "publicationPolicy": f"{settings.public_base_url.rstrip('/')}{PUBLICATION_POLICY}",
        "extensions": list(EXTENSIONS),
        "releases": releases,
    }


def _releases(
    session: Session, settings: Settings, links: Links, rows: list[tuple[Opportunity, Proposal]]
) -> list[dict[str, Any]]:
    ids = [o.id for o, _ in rows]
    docs = repo.documents_of(session, ids)
    interested: dict[int, list[Organisation]] = {}
    reg: InterestRegistration
    for reg, org, _ in repo.interests_of(session, ids, active_only=True):
        interested.setdefault(reg.opportunity_id, []).append(org)
    awarded = awards.ocds_parts(session, ids)
    related = subpackages.related_processes(session, settings, [o for o, _ in rows])
    return [
        release(
            settings,
            links,
            o,
            p,
            interested.get(o.id, []),
            docs.get(o.id, []),
            awarded.get(o.id, ([], [])),
            related.get(o.id),
        )
        for o, p in rows
    ]


def releases_of(
    session: Session, settings: Settings, links: Links, rows: list[tuple[Opportunity, Proposal]]
) -> list[dict[str, Any]]:
    """The OCDS releases of ``rows`` (for OC4IDS projects, which point at them)."""
    return _releases(session, settings, links, rows)


def package_all(session: Session, settings: Settings, links: Links) -> dict[str, Any]:
    rows = repo.search(session, repo.OpportunityQuery())
    uri = links.operation("getOpportunitiesReleasePackage")
    return package(settings, _releases(session, settings, links, rows), uri)


def package_one(
    session: Session,
    settings: Settings,
    links: Links,
    principal: Principal | None,
    opportunity_id: int,
) -> dict[str, Any]:
    opp, proposal = opportunities.get_visible(session, principal, opportunity_id)
    uri = links.operation("getOpportunityReleasePackage", opportunity_id=opp.id)
    return package(settings, _releases(session, settings, links, [(opp, proposal)]), uri)
