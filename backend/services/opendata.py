"""Open data downloads: proposals, published comments (anonymised) and opportunities as CSV and
GeoJSON. Only non-draft proposals and what hangs off them are published.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from shapely.geometry.base import BaseGeometry

from backend.db.models import Building, Comment, Opportunity, Proposal
from backend.db.models_impact import ImpactJob
from backend.errors import NotFoundError
from backend.repositories import opendata as repo
from backend.repositories.geometry import to_shape
from backend.repositories.session import Session
from backend.services.geodesy import to_geojson
from backend.services.links import Links

#: A cell starting with one of these is read as a formula by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe (OWASP)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else spreadsheet_safe(v) for v in row])
    return out.getvalue()


# --- features ------------------------------------------------------------------------------------

DATASETS = ("proposals", "comments", "opportunities", "impact")
COLLECTIONS = ("proposals", "buildings", "comments", "opportunities", "impact")

DESCRIPTIONS = {
    "proposals": "Development proposals past the draft stage, with their site boundaries.",
    "buildings": "Existing city buildings (footprints and heights) from the 3D city model.",
    "comments": (
        "Published comments on proposals, anonymised (no author), at their 3D anchor points."
    ),
    "opportunities": "Supply-chain opportunities (work packages) at their delivery locations.",
    "impact": (
        "The latest daylight, sunlight and visibility study (BRE 209) of each public proposal, "
        "at its site: failing façade points, sun on open ground before and after; each links "
        "to its points (GeoJSON), CSV and report."
    ),
}
TITLES = {
    "proposals": "Development proposals",
    "buildings": "City buildings",
    "comments": "Consultation comments",
    "opportunities": "Supply-chain opportunities",
    "impact": "Impact studies (daylight, sunlight, views)",
}


def _iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def geometry_of(collection: str, row: Any) -> BaseGeometry | None:
    column = {
        "proposals": "site_boundary",
        "buildings": "footprint",
        "comments": "anchor_point",
        "opportunities": "delivery_location",
        "impact": "site_boundary",
    }[collection]
    value = getattr(row, column)
    return None if value is None else to_shape(value)


def properties_of(collection: str, row: Any, links: Links) -> dict[str, Any]:
    """The attributes published for ``row``; never personal data (no authors, no e-mails)."""
    if collection == "proposals":
        p: Proposal = row
        return {
            "reference": p.reference,
            "title": p.title,
            "description": p.description,
            "application_type": p.application_type,
            "stage": p.stage,
            "decision": p.decision,
            "site_address": p.site_address,
            "dwellings": p.dwellings,
            "floor_area_proposed_m2": p.floor_area_proposed_m2,
            "consultation_start": _iso(p.consultation_start),
            "consultation_end": _iso(p.consultation_end),
            "decision_date": _iso(p.decision_date),
            "created_at": _iso(p.created_at),
            "url": links.proposal(p.id),
        }
    if collection == "buildings":
        b: Building = row
        return {
            "building_id": b.building_id,
            "tileset": b.tileset,
            "height_m": b.height_m,
            "base_height_m": b.base_height_m,
            "levels": b.levels,
            "building_type": b.building_type,
            "name": b.name,
            "height_source": b.height_source,
        }
    if collection == "comments":
        c: Comment = row
        return {
            "proposal_id": c.proposal_id,
            "parent_id": c.parent_id,
            "body": c.body,
            "sentiment": c.sentiment,
            "topics": ",".join(c.topics or []),
            "anchor_height_m": c.anchor_height_m,
            "anchor_building_id": c.anchor_building_id,
            "agree_count": c.agree_count,
            "disagree_count": c.disagree_count,
            "created_at": _iso(c.created_at),
        }
    if collection == "impact":
        return impact_properties(row, links)
    o: Opportunity = row
    return {
        "proposal_id": o.proposal_id,
        "title": o.title,
        "status": o.status,
        "cpv_codes": ",".join(c.code for c in o.cpv),
        "value_amount": _num(o.value_amount),
        "value_min": _num(o.value_min),
        "value_max": _num(o.value_max),
        "currency": o.currency,
        "sme_suitable": o.sme_suitable,
        "tender_start": _iso(o.tender_start),
        "tender_end": _iso(o.tender_end),
        "contract_start": _iso(o.contract_start),
        "contract_end": _iso(o.contract_end),
        "social_value": ",".join(o.social_value or []),
        "url": links.operation("getOpportunity", opportunity_id=o.id),
    }


def feature(collection: str, row: Any, links: Links) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": row.id,
        "geometry": to_geojson(geometry_of(collection, row)),
        "properties": properties_of(collection, row, links),
    }


def download(session: Session, dataset: str, fmt: str, links: Links) -> str:
    """The whole public ``dataset`` as ``csv`` (WKT geometry column) or ``geojson``."""
    if dataset not in DATASETS:
        raise NotFoundError(f"dataset: {dataset!r} is not one of {', '.join(DATASETS)}")
    rows = repo.all_rows(session, repo.filtered(dataset), dataset)
    if fmt == "geojson":
        return json.dumps(
            {
                "type": "FeatureCollection",
                "name": dataset,
                "features": [feature(dataset, r, links) for r in rows],
            },
            ensure_ascii=False,
        )
    if fmt != "csv":
        raise NotFoundError(f"format: {fmt!r} is not csv or geojson")
    records = [(r.id, properties_of(dataset, r, links), geometry_of(dataset, r)) for r in rows]
    names = properties_of_columns(dataset)
    return to_csv(
        ["id", *names, "geometry_wkt"],
        (
            [rid, *(props[n] for n in names), None if geom is None else geom.wkt]
            for rid, props, geom in records
        ),
    )


def impact_properties(job: ImpactJob, links: Links) -> dict[str, Any]:
    """A study's summary in flat columns (the facts' numbers) and links to its details."""
    facts = {f["code"]: f for f in (job.result.summary.get("facts", []) if job.result else [])}
    vsc, apsh = facts.get("vsc", {}), facts.get("apsh", {})
    ground, seen = facts.get("ground", {}), facts.get("visibility", {})
    return {
        "proposal_id": job.proposal_id,
        "reference": job.proposal.reference,
        "computed_at": _iso(job.finished_at),
        "vsc_points": vsc.get("points"),
        "vsc_failing_points": vsc.get("failing"),
        "vsc_failing_buildings": vsc.get("buildings"),
        "apsh_points": apsh.get("points"),
        "apsh_failing_points": apsh.get("failing"),
        "ground_two_hours_before_pct": ground.get("before_pct"),
        "ground_two_hours_after_pct": ground.get("after_pct"),
        "ground_adverse": ground.get("adverse"),
        "visible_from_pct": seen.get("seen_pct"),
        "points_url": links.operation("getImpactPoints", proposal_id=job.proposal_id),
        "report_url": links.operation("getImpactReport", proposal_id=job.proposal_id),
        "url": links.proposal(job.proposal_id),
    }


def properties_of_columns(dataset: str) -> list[str]:
    return list(_COLUMNS[dataset])


_COLUMNS = {
    "proposals": [
        "reference",
        "title",
        "description",
        "application_type",
        "stage",
        "decision",
        "site_address",
        "dwellings",
        "floor_area_proposed_m2",
        "consultation_start",
        "consultation_end",
        "decision_date",
        "created_at",
        "url",
    ],
    "buildings": [
        "building_id",
        "tileset",
        "height_m",
        "base_height_m",
        "levels",
        "building_type",
        "name",
        "height_source",
    ],
    "comments": [
        "proposal_id",
        "parent_id",
        "body",
        "sentiment",
        "topics",
        "anchor_height_m",
        "anchor_building_id",
        "agree_count",
        "disagree_count",
        "created_at",
    ],
    "impact": [
        "proposal_id",
        "reference",
        "computed_at",
        "vsc_points",
        "vsc_failing_points",
        "vsc_failing_buildings",
        "apsh_points",
        "apsh_failing_points",
        "ground_two_hours_before_pct",
        "ground_two_hours_after_pct",
        "ground_adverse",
        "visible_from_pct",
        "points_url",
        "report_url",
        "url",
    ],
    "opportunities": [
        "proposal_id",
        "title",
        "status",
        "cpv_codes",
        "value_amount",
        "value_min",
        "value_max",
        "currency",
        "sme_suitable",
        "tender_start",
        "tender_end",
        "contract_start",
        "contract_end",
        "social_value",
        "url",
    ],
}
