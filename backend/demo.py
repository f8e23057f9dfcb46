"""``civictwin demo``: from a fresh database to a living consultation.

The demo city's tileset is built once (City of London, OpenStreetMap), its buildings loaded, and
the demo content of :mod:`backend.services.demo_content` seeded **through the public API**, as a
real client would (so every rule and derived value — replaces, massing tiles, counts, audit — is
the product's own). Re-running reuses what exists and never duplicates content.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

with warnings.catch_warnings():  # starlette nags about httpx2; httpx is what we ship
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.main import create_app
from backend.services import accounts
from backend.services.demo_content import (
    ACCOUNTS,
    COMMENTS,
    DEMO_PASSWORD,
    OPPORTUNITIES,
    ORGANISATIONS,
    PROPOSALS,
    REACTIONS,
)
from backend.settings import Settings

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
DEMO_SOURCE = ROOT / "data" / "london-city" / "london.osm.pbf"
DEMO_TILESET = "london"
MARKER_REFERENCE = PROPOSALS[0]["reference"]


class DemoError(RuntimeError):
    """The demo content could not be created; the message names the step."""


@dataclass
class DemoReport:
    built_tileset: bool = False
    loaded_buildings: int = 0
    seeded: bool = False
    counts: dict[str, int] = field(default_factory=dict)


def build_city(settings: Settings) -> bool:
    """Build the demo city's tileset unless it is already there."""
    target = settings.tiles_dir / DEMO_TILESET
    wanted = ("tileset.json", "buildings.fgb", "ground/tileset.json", "ground/labels.json")
    if all((target / f).is_file() for f in wanted):
        return False
    from tiles.pipeline import BuildOptions, run

    settings.tiles_dir.mkdir(parents=True, exist_ok=True)
    # the ground layer (streets, the Thames, squares and their names) goes to london/ground/
    run([DEMO_SOURCE], settings.tiles_dir, BuildOptions(name=DEMO_TILESET, ground=True))
    return True


def load_city(settings: Settings, db: Database, force: bool = False) -> int:
    """Load the demo city's buildings into the database unless they are there already."""
    from backend.db.models import Tileset
    from backend.services.buildings import load_tileset_folder

    with db.sessions() as session:
        existing = session.get(Tileset, DEMO_TILESET)
        if existing is not None and existing.building_count and not force:
            return 0
        tileset = load_tileset_folder(
            session,
            settings.tiles_dir / DEMO_TILESET,
            name=DEMO_TILESET,
            title="City of London and Barbican (OpenStreetMap, 2020-07-20)",
        )
        return int(tileset.building_count)


class _Api:
    """A tiny API client over the in-process app: raises :class:`DemoError` on any failure."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def call(self, method: str, path: str, token: str | None = None, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = self.client.request(method, f"/api/v1{path}", headers=headers, **kw)
        if r.status_code >= 400:
            raise DemoError(f"{method} {path}: {r.status_code} {r.text[:300]}")
        return r.json() if r.content else None

    def token_for(self, email: str, password: str) -> str:
        self.client.cookies.clear()
        r = self.client.post("/api/v1/auth/login", json={"email": email, "password": password})
        if r.status_code != 200:
            raise DemoError(f"sign-in of {email}: {r.status_code} {r.text[:200]}")
        made = self.client.post(
            "/api/v1/auth/tokens",
            json={"name": "demo seeding", "expires_in_days": 1},
            headers={"X-CSRF-Token": r.json()["csrf_token"]},
        )
        self.client.cookies.clear()
        if made.status_code != 201:
            raise DemoError(f"token of {email}: {made.status_code} {made.text[:200]}")
        return str(made.json()["token"])


def _already_seeded(api: _Api, token: str) -> bool:
    found = api.call("GET", "/proposals", token, params={"q": MARKER_REFERENCE, "limit": 5})
    items = found.get("items", found) if isinstance(found, dict) else found
    return any(p.get("reference") == MARKER_REFERENCE for p in items)


def _accounts(api: _Api, db: Database) -> dict[str, str]:
    """Create the demo accounts (idempotent) and return a bearer token per account key."""
    admin = next(a for a in ACCOUNTS if a["key"] == "admin")
    with db.sessions() as session:
        accounts.create_admin(session, admin["email"], DEMO_PASSWORD, admin["name"])
    tokens = {"admin": api.token_for(admin["email"], DEMO_PASSWORD)}
    users = {
        u["email"]: u
        for u in api.call("GET", "/users", tokens["admin"], params={"limit": 500})["items"]
    }
    for acc in ACCOUNTS:
        if acc["key"] == "admin":
            continue
        if acc["email"] not in users:
            # straight in the database, as an operator's tool would: the demo's people have
            # confirmed addresses, and registration through the API is throttled per address
            organisation = (
                ORGANISATIONS[acc["organisation"]]["name"] if "organisation" in acc else None
            )
            with db.sessions() as session:
                accounts.create_verified(
                    session, acc["email"], DEMO_PASSWORD, acc["name"], organisation
                )
            users = {
                u["email"]: u
                for u in api.call("GET", "/users", tokens["admin"], params={"limit": 500})["items"]
            }
        api.call(
            "PUT",
            f"/users/{users[acc['email']]['id']}/roles",
            tokens["admin"],
            json={"roles": acc["roles"]},
        )
        tokens[acc["key"]] = api.token_for(acc["email"], DEMO_PASSWORD)
    for acc in ACCOUNTS:
        if "organisation" in acc:
            org = ORGANISATIONS[acc["organisation"]]
            lon, lat = org["location"]
            api.call(
                "PATCH",
                "/organisations/me",
                tokens[acc["key"]],
                json={
                    "size": org["size"],
                    "description": org["description"],
                    "sectors": org["sectors"],
                    "service_radius_km": org["service_radius_km"],
                    "location": {"type": "Point", "coordinates": [lon, lat]},
                },
            )
    return tokens


def _proposals(api: _Api, token: str, today: date) -> dict[str, dict[str, Any]]:
    made: dict[str, dict[str, Any]] = {}
    for spec in PROPOSALS:
        start, end = (today + timedelta(days=d) for d in spec["consultation_days"])
        body = {
            k: spec[k]
            for k in (
                "reference",
                "title",
                "description",
                "application_type",
                "site_address",
                "site_boundary",
                "use_classes_existing",
                "use_classes_proposed",
                "dwellings",
                "floor_area_existing_m2",
                "floor_area_proposed_m2",
            )
        }
        body |= {
            "consultation_start": start.isoformat(),
            "consultation_end": end.isoformat(),
            "tileset": DEMO_TILESET,
        }
        proposal = api.call("POST", "/proposals", token, json=body)
        pid = proposal["id"]
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": block["footprint"]},
                "properties": {
                    "name": block["name"],
                    "height_m": block["height_m"],
                    "base_height_m": block.get("base_height_m", 0.0),
                    "storeys": block.get("storeys"),
                },
            }
            for block in spec["massing"]
        ]
        api.call(
            "PUT",
            f"/proposals/{pid}/massing",
            token,
            json={"type": "FeatureCollection", "features": features},
        )
        path = ["consultation", "assessment", "decided"]
        for stage in path[: path.index(spec["stage"]) + 1]:
            change: dict[str, Any] = {"stage": stage, "reason": "demo"}
            if stage == "decided":
                change["decision"] = spec.get("decision", "approved")
            api.call("POST", f"/proposals/{pid}/stage", token, json=change)
        made[spec["key"]] = api.call("GET", f"/proposals/{pid}", token)
    return made


def _comments(
    api: _Api, tokens: dict[str, str], proposals: dict[str, dict[str, Any]]
) -> dict[str, int]:
    tower = proposals["tower"]
    massing_ids = {
        f"tower:{b['properties']['name']}": f"massing:{i + 1}"
        for i, b in enumerate(tower["massing"]["features"])
    }
    made: dict[str, int] = {}
    for spec in COMMENTS:
        anchor: dict[str, Any] = {}
        if "point" in spec:
            lon, lat, h = spec["point"]
            anchor["point"] = {"lon": lon, "lat": lat, "height_m": h}
        if "building" in spec:
            anchor["building_id"] = massing_ids[spec["building"]]
        elif "existing" in spec:
            anchor["building_id"] = f"{DEMO_TILESET}:way/{spec['existing'].removeprefix('w')}"
        if "camera" in spec:
            cam = spec["camera"]
            anchor["camera"] = {
                "position": {
                    "lon": cam["position"]["lon"],
                    "lat": cam["position"]["lat"],
                    "height_m": cam["position"]["height"],
                },
                "heading_deg": cam["heading"],
                "pitch_deg": cam["pitch"],
                "roll_deg": cam["roll"],
            }
        body: dict[str, Any] = {
            "body": spec["body"],
            "sentiment": spec["sentiment"],
            "topics": spec["topics"],
        }
        if anchor:
            body["anchor"] = anchor
        if "parent" in spec:
            body["parent_id"] = made[spec["parent"]]
        comment = api.call(
            "POST", f"/proposals/{tower['id']}/comments", tokens[spec["author"]], json=body
        )
        made[spec["key"]] = comment["id"]
        for reporter in spec.get("reported_by", []):
            api.call(
                "POST",
                f"/comments/{comment['id']}/reports",
                tokens[reporter],
                json={"reason": spec["report_reason"], "details": "advertising"},
            )
    for key, user, kind in REACTIONS:
        api.call("PUT", f"/comments/{made[key]}/reaction", tokens[user], json={"kind": kind})
    return made


def _opportunities(api: _Api, token: str, proposals: dict[str, dict[str, Any]]) -> int:
    now = datetime.now(UTC).replace(microsecond=0)
    for spec in OPPORTUNITIES:
        proposal = proposals[spec["proposal"]]
        t0, t1 = (now + timedelta(days=d) for d in spec["tender_days"])
        body: dict[str, Any] = {
            "proposal_id": proposal["id"],
            "title": spec["title"],
            "description": f"{spec['title']} for {proposal['title']}.",
            "cpv_codes": spec["cpv"],
            "currency": "GBP",
            "sme_suitable": spec["sme_suitable"],
            "status": spec["status"],
            "social_value": spec["social_value"],
            "tender_start": t0.isoformat(),
            "tender_end": t1.isoformat(),
            "contact": {"name": "Priya Patel (planner)", "email": "planner@demo.civictwin.org"},
        }
        for key in ("value_amount", "value_min", "value_max", "delivery_location"):
            if key in spec:
                body[key] = spec[key]
        api.call("POST", "/opportunities", token, json=body)
    return len(OPPORTUNITIES)


def _sme_shop(api: _Api, tokens: dict[str, str], today: date) -> tuple[int, int]:
    """Funding schemes (published by the admin, who may act as a funder) beside the work
    packages they help with, and the one-stop-shop guide (edited by the planner)."""
    from backend.services.demo_content import GUIDE, SCHEMES

    found = api.call("GET", "/opportunities", tokens["planner"], params={"limit": 200})
    by_title = {o["title"]: o["id"] for o in found["items"]}
    for spec in SCHEMES:
        body = {k: v for k, v in spec.items() if k not in ("link", "closes_in_days")}
        if "closes_in_days" in spec:
            body["opens_on"] = today.isoformat()
            body["closes_on"] = (today + timedelta(days=spec["closes_in_days"])).isoformat()
        if spec.get("link") in by_title:
            body["opportunity_ids"] = [by_title[spec["link"]]]
        api.call("POST", "/schemes", tokens["admin"], json=body)
    for step in GUIDE:
        api.call("POST", "/guide/steps", tokens["planner"], json=step)
    return len(SCHEMES), len(GUIDE)


@contextmanager
def _quiet(*names: str) -> Iterator[None]:
    """Keep the seeding's in-process requests out of the console: the summary says what was done."""
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def seed(settings: Settings, db: Database, today: date | None = None) -> DemoReport:
    """Build and load the city if needed, then seed the demo content once."""
    report = DemoReport()
    report.built_tileset = build_city(settings)
    report.loaded_buildings = load_city(settings, db, force=report.built_tileset)
    app = create_app(settings, database=db)
    with (
        _quiet("httpx", "backend.access"),
        TestClient(app, base_url="http://demo.invalid") as client,
    ):
        api = _Api(client)
        tokens = _accounts(api, db)
        if _already_seeded(api, tokens["planner"]):
            return report
        proposals = _proposals(api, tokens["planner"], today or date.today())
        comments = _comments(api, tokens, proposals)
        opportunities = _opportunities(api, tokens["planner"], proposals)
        _sme_shop(api, tokens, today or date.today())
        report.seeded = True
        report.counts = {
            "accounts": len(ACCOUNTS),
            "proposals": len(proposals),
            "comments": len(comments),
            "opportunities": opportunities,
        }
    return report
