"""Proposals with procurement as OC4IDS 0.9.5 projects (Open Contracting for Infrastructure Data
Standard, https://standard.open-contracting.org/infrastructure/0.9/en/reference/schema/).

Mapping:

- ``id`` = ``oc4ids-<publisher>-<proposal id>``; the planning reference is an ``identifiers``
  entry; ``title``, ``description``, ``updated``, ``language``;
- ``status`` from the stage (projectStatus codelist): draft -> identification, consultation and
  assessment -> preparation, decided and approved -> implementation (completion once every
  work package is complete), refused or withdrawn -> cancelled;
- ``type``: replacement if existing buildings are replaced, else construction (projectType);
- ``locations``: the site boundary as a GeoJSON geometry, with the site address;
- ``budget.amount``: the sum of the work packages' values (fixed amount, else top of the range)
  when they share one currency;
- ``parties``: the publisher (publicAuthority, buyer) and every supplier of an award;
- ``contractingProcesses``: one per work package (sub-packages included), ``id`` and
  ``summary.ocid`` the OCDS ocid, summary status pre-award / active / closed
  (contractingProcessStatus), suppliers and contract value from the awards, and ``releases``
  pointing at the OCDS release (id, tag, date, release-package URL).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from backend.db.models import Opportunity, Proposal
from backend.db.types import utcnow
from backend.errors import NotFoundError
from backend.repositories import opportunities as repo
from backend.repositories.geometry import to_shape
from backend.repositories.session import Session
from backend.services import ocds, opportunities
from backend.services.auth import Principal
from backend.services.geodesy import to_geojson
from backend.services.links import Links
from backend.settings import Settings

VERSION = "0.9"
PUBLIC_AUTHORITY_ID = "public-authority"


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def project_id(settings: Settings, proposal: Proposal) -> str:
    return f"oc4ids-{settings.ocid_prefix.removeprefix('ocds-')}-{proposal.id}"


def project_status(proposal: Proposal, work: list[Opportunity]) -> str:
    if proposal.stage == "draft":
        return "identification"
    if proposal.stage in ("consultation", "assessment"):
        return "preparation"
    if proposal.decision in ("refused", "withdrawn"):
        return "cancelled"
    if proposal.decision == "approved":
        done = work and all(o.status in ("complete", "cancelled") for o in work)
        return "completion" if done else "implementation"
    return "preparation"


def _process_status(opp: Opportunity, awarded: bool) -> str:
    if opp.status in ("complete", "cancelled"):
        return "closed"
    return "active" if awarded else "pre-award"


def _top(opp: Opportunity) -> Decimal | None:
    return opp.value_amount if opp.value_amount is not None else opp.value_max


def project(
    session: Session, settings: Settings, links: Links, proposal: Proposal
) -> dict[str, Any] | None:
    """The OC4IDS project of ``proposal``, or None if it has no work packages."""
    rows = repo.search(session, repo.OpportunityQuery(proposal_id=proposal.id))
    rows.sort(key=lambda r: r[0].id)
    if not rows:
        return None
    work = [o for o, _ in rows]
    releases = {r["ocid"]: r for r in ocds.releases_of(session, settings, links, rows)}
    authority = {
        "id": PUBLIC_AUTHORITY_ID,
        "name": settings.publisher_name,
        "roles": ["publicAuthority", "buyer"],
    }
    parties: dict[str, dict[str, Any]] = {PUBLIC_AUTHORITY_ID: authority}
    processes = []
    for opp in work:
        ocid = opp.source_ocid or opportunities.ocid(settings.ocid_prefix, opp.id)
        release = releases[ocid]
        awards = release.get("awards", [])
        for party in release["parties"]:
            if "supplier" in party["roles"]:
                entry = parties.setdefault(
                    party["id"], {"id": party["id"], "name": party["name"], "roles": ["supplier"]}
                )
                if "details" in party:
                    entry["details"] = party["details"]
        summary: dict[str, Any] = {
            "ocid": ocid,
            "title": opp.title,
            "status": _process_status(opp, bool(awards)),
            "tender": {
                "procurementMethod": "open",
                "costEstimate": {"amount": float(v), "currency": opp.currency}
                if (v := _top(opp)) is not None
                else None,
                "numberOfTenderers": None,
            },
        }
        if opp.description.strip():
            summary["description"] = opp.description.strip()
        summary["tender"] = {k: v for k, v in summary["tender"].items() if v is not None}
        if awards:
            summary["suppliers"] = [s for a in awards for s in a["suppliers"]]
            currencies = {a["value"]["currency"] for a in awards}
            if len(currencies) == 1:
                summary["contractValue"] = {
                    "amount": round(sum(a["value"]["amount"] for a in awards), 2),
                    "currency": currencies.pop(),
                }
        processes.append(
            {
                "id": ocid,
                "summary": summary,
                "releases": [
                    {
                        "id": release["id"],
                        "tag": release["tag"],
                        "date": release["date"],
                        "url": links.operation(
                            "getOpportunityReleasePackage", opportunity_id=opp.id
                        ),
                    }
                ],
            }
        )
    data: dict[str, Any] = {
        "id": project_id(settings, proposal),
        "updated": _iso(opportunities.as_utc(proposal.updated_at) or utcnow()),
        "language": "en",
        "identifiers": [{"id": proposal.reference, "scheme": "planning-application-reference"}],
        "publicAuthority": {"id": PUBLIC_AUTHORITY_ID, "name": settings.publisher_name},
        "title": proposal.title,
        "status": project_status(proposal, work),
        "type": "replacement" if proposal.replaces else "construction",
        "parties": list(parties.values()),
        "contractingProcesses": processes,
    }
    if proposal.description.strip():
        data["description"] = proposal.description.strip()
    if proposal.site_boundary is not None:
        location: dict[str, Any] = {
            "id": "site",
            "geometry": to_geojson(to_shape(proposal.site_boundary)),
        }
        if proposal.site_address:
            location["description"] = proposal.site_address
        data["locations"] = [location]
    tops = [(_top(o), o.currency) for o in work if o.parent_id is None and _top(o) is not None]
    if tops and len({c for _, c in tops}) == 1:
        data["budget"] = {
            "description": "Sum of the values of the development's work packages",
            "amount": {
                "amount": float(sum(v for v, _ in tops if v is not None)),
                "currency": tops[0][1],
            },
        }
    return data


def package(settings: Settings, projects: list[dict[str, Any]], uri: str) -> dict[str, Any]:
    latest = max((p["updated"] for p in projects), default=_iso(utcnow()))
    return {
        "uri": uri,
        "version": VERSION,
        "publishedDate": latest,
        "publisher": {"name": settings.publisher_name},
        "license": ocds.LICENSE,
        "projects": projects,
    }


def package_one(
    session: Session,
    settings: Settings,
    links: Links,
    principal: Principal | None,
    proposal_id: int,
) -> dict[str, Any]:
    proposal = repo.proposal(session, proposal_id)
    if proposal is None or not repo.is_public(proposal):
        raise NotFoundError(f"proposal {proposal_id} not found")
    found = project(session, settings, links, proposal)
    if found is None:
        raise NotFoundError(f"proposal {proposal_id} has no procurement (no work packages)")
    uri = links.operation("getProposalOc4ids", proposal_id=proposal.id)
    return package(settings, [found], uri)


def package_all(session: Session, settings: Settings, links: Links) -> dict[str, Any]:
    rows = repo.search(session, repo.OpportunityQuery())
    proposals = {p.id: p for _, p in rows}
    projects = [
        p
        for pid in sorted(proposals)
        if (p := project(session, settings, links, proposals[pid])) is not None
    ]
    return package(settings, projects, links.operation("getOc4idsPackage"))
