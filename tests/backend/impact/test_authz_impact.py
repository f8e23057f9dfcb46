"""Authorization of impact studies: a draft's study is its planner's (and admins'); a public
proposal's study is everyone's to read; only its planner or an admin asks for studies and saves
protected views. Both engines."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.backend.city.fixtures import City
from tests.backend.impact.helpers import tower_proposal, wait_done
from tests.backend.proposals.helpers import publish

Headers = Callable[[str], dict[str, str]]
COVERED_OPERATIONS = {
    "getImpact",
    "requestImpact",
    "getImpactPoints",
    "getImpactPoint",
    "getImpactBuildings",
    "getImpactReport",
    "getImpactCsv",
    "getImpactZone",
    "listImpactViewpoints",
    "createImpactViewpoint",
    "deleteImpactViewpoint",
}
VIEW = {"name": "Down Cheapside", "eye": [-0.097, 51.514, 47.0], "target": [-0.095, 51.5145, 60]}


def _reads(pid: int) -> list[str]:
    base = f"/api/v1/proposals/{pid}/impact"
    return [
        base,
        f"{base}/points?analysis=vsc",
        f"{base}/points/vsc/0",
        f"{base}/buildings",
        f"{base}/report",
        f"{base}/csv",
        f"{base}/zone",
        f"{base}/viewpoints",
    ]


def test_a_drafts_study_is_its_planners_and_a_public_one_everyones(
    client: TestClient, as_role: Headers, city: City
) -> None:
    owner = as_role("planner")
    pid = tower_proposal(client, owner, city, height_m=30.0)["id"]
    wait_done(client, owner, pid)
    others = {r: as_role(r) for r in ("anonymous", "citizen", "sme", "moderator", "planner")}
    for url in _reads(pid):
        assert client.get(url, headers=owner).status_code == 200, url
        assert client.get(url, headers=as_role("admin")).status_code == 200, url
        for role in ("anonymous", "citizen", "sme"):
            assert client.get(url, headers=others[role]).status_code == 404, (role, url)
    publish(client, owner, pid)
    for url in _reads(pid):
        for role, headers in others.items():
            assert client.get(url, headers=headers).status_code == 200, (role, url)


def test_only_the_proposals_planner_or_an_admin_asks_for_studies_and_saves_views(
    client: TestClient, as_role: Headers, city: City
) -> None:
    owner = as_role("planner")
    pid = tower_proposal(client, owner, city, height_m=30.0)["id"]
    publish(client, owner, pid)
    base = f"/api/v1/proposals/{pid}/impact"
    for role in ("anonymous", "citizen", "sme", "moderator", "planner"):
        headers = as_role(role)  # "planner": another planner than the proposal's
        expected = 401 if role == "anonymous" else 403
        assert client.post(base, headers=headers).status_code == expected, role
        r = client.post(f"{base}/viewpoints", json=VIEW, headers=headers)
        assert r.status_code == expected, role
    mine = client.post(f"{base}/viewpoints", json=VIEW, headers=owner)
    assert mine.status_code == 201
    vid = mine.json()["id"]
    for role in ("anonymous", "citizen", "planner"):
        expected = 401 if role == "anonymous" else 403
        r = client.delete(f"{base}/viewpoints/{vid}", headers=as_role(role))
        assert r.status_code == expected, role
    assert client.post(base, headers=as_role("admin")).status_code == 202
    assert client.delete(f"{base}/viewpoints/{vid}", headers=as_role("admin")).status_code == 204
