"""Proposals: create, see, search, edit, stages (audited, live events), and what they replace."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from shapely.geometry import shape

from backend.db.engine import Database
from backend.db.models import AuditLog, Proposal
from tests.backend.city.fixtures import SITE_BUILDING, City
from tests.backend.proposals.helpers import create, proposal_body, publish, square

Headers = Callable[[str], dict[str, str]]


class RecordingBroker:
    """Wraps the app's broker and remembers what was published (the broker still delivers)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.published: list[tuple[str, dict[str, Any]]] = []

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        self.published.append((channel, event))
        self.inner.publish(channel, event)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def count(database: Database, model: type) -> int:
    with database.sessions() as s:
        return int(s.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def test_polygon_site_is_stored_as_multipolygon_and_starts_as_draft(
    client: TestClient, as_role: Headers
) -> None:
    body = create(client, as_role("planner"))
    assert body["stage"] == "draft" and body["published_at"] is None
    assert body["site_boundary"]["type"] == "MultiPolygon"
    ring = body["site_boundary"]["coordinates"][0][0]
    assert ring[0] == [-0.095, 51.515] and len(ring) == 5
    assert body["massing"] == {"type": "FeatureCollection", "features": []}
    assert body["massing_tileset_url"] is None and body["model"] is None


def test_drafts_are_visible_to_planners_and_admins_only(
    client: TestClient, as_role: Headers
) -> None:
    planner = as_role("planner")
    pid = create(client, planner)["id"]
    for role in ("anonymous", "citizen", "sme", "moderator"):
        r = client.get(f"/api/v1/proposals/{pid}", headers=as_role(role))
        assert r.status_code == 404, role
        listed = client.get("/api/v1/proposals", headers=as_role(role)).json()
        assert listed["total"] == 0, role
    for role in ("planner", "admin"):
        assert client.get(f"/api/v1/proposals/{pid}", headers=as_role(role)).status_code == 200
    published = publish(client, planner, pid)
    assert published["stage"] == "consultation" and published["published_at"] is not None
    assert published["consultation_start"] is not None
    assert client.get(f"/api/v1/proposals/{pid}").status_code == 200
    assert client.get("/api/v1/proposals").json()["total"] == 1


def test_stages_only_move_one_step_forward_and_decided_needs_a_decision(
    client: TestClient, as_role: Headers
) -> None:
    planner = as_role("planner")
    pid = create(client, planner)["id"]
    url = f"/api/v1/proposals/{pid}/stage"
    skip = client.post(url, json={"stage": "assessment"}, headers=planner)
    assert skip.status_code == 409 and "one step forward" in skip.json()["detail"]
    assert client.post(url, json={"stage": "consultation"}, headers=planner).status_code == 200
    back = client.post(url, json={"stage": "draft"}, headers=planner)
    assert back.status_code == 409
    assert client.post(url, json={"stage": "assessment"}, headers=planner).status_code == 200
    no_decision = client.post(url, json={"stage": "decided"}, headers=planner)
    assert no_decision.status_code == 422 and no_decision.json()["detail"].startswith("decision:")
    done = client.post(url, json={"stage": "decided", "decision": "approved"}, headers=planner)
    assert done.status_code == 200
    assert done.json()["decision"] == "approved" and done.json()["decision_date"] is not None
    frozen = client.patch(f"/api/v1/proposals/{pid}", json={"title": "x"}, headers=planner)
    assert frozen.status_code == 409


def test_every_stage_change_is_audited_and_published_as_a_live_event(
    client: TestClient, app: FastAPI, as_role: Headers, database: Database
) -> None:
    recorder = RecordingBroker(app.state.events)
    app.state.events = recorder
    planner = as_role("planner")
    pid = create(client, planner)["id"]
    publish(client, planner, pid)
    r = client.post(
        f"/api/v1/proposals/{pid}/stage",
        json={"stage": "assessment", "reason": "consultation closed"},
        headers=planner,
    )
    assert r.status_code == 200
    assert recorder.published == [
        (f"proposal:{pid}", {"type": "stage_changed", "proposal_id": pid, "stage": "consultation"}),
        (f"proposal:{pid}", {"type": "stage_changed", "proposal_id": pid, "stage": "assessment"}),
    ]
    history = client.get(f"/api/v1/proposals/{pid}/history").json()["items"]
    assert [(h["from_stage"], h["to_stage"]) for h in history] == [
        ("draft", "consultation"),
        ("consultation", "assessment"),
    ]
    assert history[1]["reason"] == "consultation closed"
    assert history[0]["by"]["display_name"].startswith("User ")
    with database.sessions() as s:
        rows = s.scalars(sa.select(AuditLog).where(AuditLog.action == "proposal.stage")).all()
        assert len(rows) == 2 and all(r.actor_id is not None and r.at for r in rows)


def test_only_the_creating_planner_or_an_admin_may_change_a_proposal(
    client: TestClient, as_role: Headers
) -> None:
    owner = as_role("planner")
    pid = create(client, owner)["id"]
    other = client.patch(
        f"/api/v1/proposals/{pid}", json={"title": "Mine"}, headers=as_role("planner")
    )
    assert other.status_code == 403 and "created it" in other.json()["detail"]
    by_admin = client.patch(
        f"/api/v1/proposals/{pid}", json={"title": "Fixed"}, headers=as_role("admin")
    )
    assert by_admin.status_code == 200 and by_admin.json()["title"] == "Fixed"


def test_search_by_text_stage_and_bbox(client: TestClient, as_role: Headers) -> None:
    planner = as_role("planner")
    a = create(client, planner, title="Cheapside tower", site_boundary=square(-0.0950, 51.5150))
    b = create(
        client,
        planner,
        title="Poultry 50% offices",
        site_address="Poultry",
        site_boundary=square(-0.0910, 51.5135),
    )
    create(client, planner, title="Draft only", site_boundary=square(-0.0950, 51.5150))
    publish(client, planner, a["id"])
    publish(client, planner, b["id"])

    def ids(headers: dict[str, str] | None = None, **params: Any) -> list[int]:
        r = client.get("/api/v1/proposals", params=params, headers=headers or {})
        assert r.status_code == 200, r.text
        return sorted(p["id"] for p in r.json()["items"])

    assert ids(q="cheapside") == [a["id"]]
    assert ids(q="50%") == [b["id"]]
    assert ids(q="%") == [b["id"]]  # a literal percent sign, not a wildcard
    assert ids(q="_") == []
    assert ids(bbox="-0.0952,51.5148,-0.0940,51.5160") == [a["id"]]
    assert ids(stage="consultation") == sorted([a["id"], b["id"]])
    assert ids(stage="draft") == []
    assert len(ids(as_role("planner"), stage="draft")) == 1
    page = client.get("/api/v1/proposals", params={"limit": 1}).json()
    assert page["total"] == 2 and page["next"] is not None and "offset=1" in page["next"]
    bad = client.get("/api/v1/proposals", params={"bbox": "1,2,3"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("bbox:")


def test_replaces_lists_the_buildings_inside_the_site_but_not_touching_neighbours(
    client: TestClient, as_role: Headers, city: City
) -> None:
    # the boundary overlaps the terrace's neighbours by ~0.2 m, as a hand-drawn one does
    site = city.footprint(SITE_BUILDING, grow_deg=2e-6)
    body = create(client, as_role("planner"), site_boundary=site)
    assert body["tileset"] == "london"
    assert SITE_BUILDING in body["replaces"]
    boundary = shape(site)
    table = city.build.buildings
    overlapping = set(table[table.geometry.intersects(boundary)].building_id)
    assert len(overlapping - set(body["replaces"])) >= 5, "neighbours are left out"
    for bid in body["replaces"]:
        fp = table[table.building_id == bid].geometry.iloc[0]
        assert fp.intersection(boundary).area >= 0.2 * fp.area


def test_replaces_is_recomputed_when_the_boundary_changes(
    client: TestClient, as_role: Headers, city: City
) -> None:
    planner = as_role("planner")
    body = create(client, planner, site_boundary=city.footprint(SITE_BUILDING))
    assert SITE_BUILDING in body["replaces"]
    moved = client.patch(
        f"/api/v1/proposals/{body['id']}",
        json={"site_boundary": square(-0.0974, 51.5126, 0.00005)},
        headers=planner,
    )
    assert moved.status_code == 200, moved.text
    assert SITE_BUILDING not in moved.json()["replaces"]


def test_update_changes_only_the_given_fields(client: TestClient, as_role: Headers) -> None:
    planner = as_role("planner")
    body = create(client, planner, dwellings=12, description="Twelve flats")
    r = client.patch(
        f"/api/v1/proposals/{body['id']}",
        json={"dwellings": 14, "use_classes_proposed": ["C3"], "consultation_end": "2030-01-31"},
        headers=planner,
    )
    assert r.status_code == 200
    after = r.json()
    assert after["dwellings"] == 14 and after["description"] == "Twelve flats"
    assert after["use_classes_proposed"] == ["C3"] and after["consultation_end"] == "2030-01-31"
    assert after["site_boundary"] == body["site_boundary"]


def test_duplicate_reference_is_a_conflict(client: TestClient, as_role: Headers) -> None:
    planner = as_role("planner")
    body = proposal_body()
    assert client.post("/api/v1/proposals", json=body, headers=planner).status_code == 201
    again = client.post("/api/v1/proposals", json=body, headers=planner)
    assert again.status_code == 409 and again.json()["detail"].startswith("reference:")


def test_deleting_a_draft_removes_it(
    client: TestClient, as_role: Headers, database: Database
) -> None:
    planner = as_role("planner")
    pid = create(client, planner)["id"]
    assert client.delete(f"/api/v1/proposals/{pid}", headers=planner).status_code == 204
    assert client.get(f"/api/v1/proposals/{pid}", headers=planner).status_code == 404
    assert count(database, Proposal) == 0
    pid = create(client, planner)["id"]
    publish(client, planner, pid)
    assert client.delete(f"/api/v1/proposals/{pid}", headers=planner).status_code == 409
    assert client.delete(f"/api/v1/proposals/{pid}", headers=as_role("admin")).status_code == 204
