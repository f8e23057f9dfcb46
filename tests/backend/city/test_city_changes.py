"""A twin that follows decisions: an approved proposal's massing joins the city tileset."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import shapely.geometry
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.repositories import audit
from backend.settings import Settings
from tests.backend.city.fixtures import SITE_BUILDING, City
from tests.backend.proposals.helpers import create, massing_body, publish
from tests.tiles.gltf_reader import iter_tiles, read_glb, read_property_table

Headers = Callable[[str], dict[str, str]]
ROOT = Path(__file__).resolve().parents[3]


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _tileset_ids(client: TestClient, tmp: Path) -> set[str]:
    """Every building id in the city's content, fetched through the /tiles route."""
    tileset = client.get("/tiles/london/tileset.json").json()
    ids: set[str] = set()
    for tile, _p, _d in iter_tiles(tileset["root"]):
        uri = tile.get("content", {}).get("uri")
        if not uri:
            continue
        r = client.get(f"/tiles/london/{uri}")
        assert r.status_code == 200, uri
        path = tmp / "tile.glb"
        path.write_bytes(r.content)
        glb = read_glb(path)
        if "EXT_structural_metadata" in glb.doc.get("extensions", {}):
            ids |= set(read_property_table(glb)["building_id"].tolist())
    return ids


def _polygon(city: City, building_id: str, shift_deg: float = 0.0) -> dict[str, Any]:
    """The building's footprint as a GeoJSON Polygon (its largest part), moved east."""
    geom = shapely.geometry.shape(city.footprint(building_id))
    parts = sorted(shapely.get_parts(geom), key=shapely.area)
    moved = shapely.transform(parts[-1], lambda xy: xy + np.array([shift_deg, 0.0]))
    return dict(shapely.geometry.mapping(moved))


def _settled(client: TestClient, planner: dict[str, str], proposal_id: int) -> list[dict]:
    """The proposal's changes once none is queued or running (they run in a thread)."""
    deadline = time.monotonic() + 120
    while True:
        url = f"/api/v1/city/changes?proposal_id={proposal_id}"
        items = client.get(url, headers=planner).json()["items"]
        if all(c["state"] not in ("queued", "running") for c in items) or (
            time.monotonic() > deadline
        ):
            return list(items)
        time.sleep(0.05)


def _approved_with_massing(client: TestClient, planner: dict[str, str], city: City) -> int:
    site = city.footprint(SITE_BUILDING, grow_deg=0.00002)
    pid = create(client, planner, site_boundary=site)["id"]
    body = massing_body({"geometry": _polygon(city, SITE_BUILDING), "height_m": 45.0})
    assert client.put(f"/api/v1/proposals/{pid}/massing", json=body, headers=planner).is_success
    publish(client, planner, pid)
    url = f"/api/v1/proposals/{pid}/stage"
    assert client.post(url, json={"stage": "assessment"}, headers=planner).is_success
    r = client.post(url, json={"stage": "decided", "decision": "approved"}, headers=planner)
    assert r.status_code == 200, r.text
    _settled(client, planner, pid)
    return int(pid)


def test_approval_puts_the_massing_into_the_city_and_the_replaced_building_out(
    client: TestClient, as_role: Headers, city: City, database: Database, tmp_path: Path
) -> None:
    planner = as_role("planner")
    before = _tileset_ids(client, tmp_path)
    assert SITE_BUILDING in before
    pid = _approved_with_massing(client, planner, city)
    proposal = client.get(f"/api/v1/proposals/{pid}", headers=planner).json()
    assert SITE_BUILDING in proposal["replaces"]
    block_id = proposal["massing"]["features"][0]["id"]

    listed = client.get(f"/api/v1/city/changes?proposal_id={pid}", headers=planner).json()
    assert listed["total"] == 1
    change = listed["items"][0]
    assert change["state"] == "applied", change
    assert change["tileset"] == "london" and change["tileset_url"] == "/tiles/london/tileset.json"
    assert SITE_BUILDING in change["replaced"]
    assert change["added"] == [f"massing:{block_id}"]
    assert change["tiles"] and all(
        t.endswith(f".change-{change['id']}.glb") for t in change["tiles"]
    )

    after = _tileset_ids(client, tmp_path)
    assert f"massing:{block_id}" in after
    # the buildings table follows: the replaced building is gone, the block is there
    assert client.get(f"/api/v1/buildings/london/{SITE_BUILDING}").status_code == 404
    block = client.get(f"/api/v1/buildings/london/massing:{block_id}")
    assert block.status_code == 200, block.text
    assert block.json()["properties"]["height_m"] == 45.0
    assert SITE_BUILDING not in after
    assert after == (before - set(change["replaced"])) | {f"massing:{block_id}"}

    with database.sessions() as session:
        entries = audit.for_entity(session, "city_change", change["id"])
        assert [e.action for e in entries] == ["city.apply"]
        details = entries[0].details
        assert details["proposal_id"] == pid and details["tiles"] == change["tiles"]
        assert details["replaced"] == change["replaced"] and details["previous"]
        assert entries[0].actor_id is not None


def test_revert_puts_the_city_back_byte_for_byte(
    client: TestClient, as_role: Headers, city: City, database: Database
) -> None:
    planner = as_role("planner")
    before = _hashes(city.tileset_dir)
    pid = _approved_with_massing(client, planner, city)
    change = client.get(f"/api/v1/city/changes?proposal_id={pid}", headers=planner).json()
    change_id = change["items"][0]["id"]
    assert _hashes(city.tileset_dir) != before

    r = client.post(f"/api/v1/city/changes/{change_id}/revert", headers=planner)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "reverted" and r.json()["reverted_at"] is not None
    assert _hashes(city.tileset_dir) == before
    assert client.get(f"/api/v1/buildings/london/{SITE_BUILDING}").status_code == 200
    added = r.json()["added"]
    assert client.get(f"/api/v1/buildings/london/{added[0]}").status_code == 404
    again = client.post(f"/api/v1/city/changes/{change_id}/revert", headers=planner)
    assert again.status_code == 409 and "only an applied change" in again.json()["detail"]
    with database.sessions() as session:
        actions = [e.action for e in audit.for_entity(session, "city_change", change_id)]
    assert actions == ["city.apply", "city.revert"]

    # applied again by hand: 202 with the change still queued (it runs after the response)
    queued = client.post(f"/api/v1/proposals/{pid}/city-change", headers=planner)
    assert queued.status_code == 202, queued.text
    assert queued.json()["state"] == "queued"
    done = _settled(client, planner, pid)
    assert [c["state"] for c in done] == ["applied", "reverted"]
    twice = client.post(f"/api/v1/proposals/{pid}/city-change", headers=planner)
    assert twice.status_code == 409 and "already has city change" in twice.json()["detail"]


def test_only_the_latest_change_of_a_tileset_is_reverted(
    client: TestClient, as_role: Headers, city: City
) -> None:
    planner = as_role("planner")
    first = _approved_with_massing(client, planner, city)
    # a second scheme a street away, replacing nothing
    geo = _polygon(city, SITE_BUILDING, shift_deg=0.0012)
    pid = create(client, planner, site_boundary=geo)["id"]
    body = massing_body({"geometry": geo, "height_m": 20.0})
    assert client.put(f"/api/v1/proposals/{pid}/massing", json=body, headers=planner).is_success
    publish(client, planner, pid)
    url = f"/api/v1/proposals/{pid}/stage"
    client.post(url, json={"stage": "assessment"}, headers=planner)
    client.post(url, json={"stage": "decided", "decision": "approved"}, headers=planner)
    _settled(client, planner, pid)
    changes = client.get("/api/v1/city/changes", headers=planner).json()["items"]
    by_proposal = {c["proposal_id"]: c for c in changes}
    assert {c["state"] for c in changes} == {"applied"}
    r = client.post(f"/api/v1/city/changes/{by_proposal[first]['id']}/revert", headers=planner)
    assert r.status_code == 409
    assert f"revert {by_proposal[pid]['id']} first" in r.json()["detail"]


def test_refused_or_unplaced_proposals_do_not_change_the_city(
    client: TestClient, as_role: Headers, city: City
) -> None:
    planner = as_role("planner")
    before = _hashes(city.tileset_dir)
    pid = create(client, planner, site_boundary=city.footprint(SITE_BUILDING, 0.00002))["id"]
    body = massing_body({"geometry": _polygon(city, SITE_BUILDING), "height_m": 45.0})
    client.put(f"/api/v1/proposals/{pid}/massing", json=body, headers=planner)
    publish(client, planner, pid)
    url = f"/api/v1/proposals/{pid}/stage"
    client.post(url, json={"stage": "assessment"}, headers=planner)
    r = client.post(url, json={"stage": "decided", "decision": "refused"}, headers=planner)
    assert r.status_code == 200
    assert client.get("/api/v1/city/changes", headers=planner).json()["total"] == 0
    by_hand = client.post(f"/api/v1/proposals/{pid}/city-change", headers=planner)
    assert by_hand.status_code == 409 and "not approved" in by_hand.json()["detail"]
    assert _hashes(city.tileset_dir) == before


def test_a_change_that_cannot_be_applied_fails_with_its_reason(
    client: TestClient, as_role: Headers, city: City, settings: Settings
) -> None:
    planner = as_role("planner")
    (city.tileset_dir / "build-report.json").unlink()  # not a tileset the pipeline built
    pid = _approved_with_massing(client, planner, city)
    change = client.get(f"/api/v1/city/changes?proposal_id={pid}", headers=planner).json()
    item = change["items"][0]
    assert item["state"] == "failed" and "not a built tileset" in item["error"]
    assert item["finished_at"] is not None


def test_cli_applies_and_reverts(
    client: TestClient, as_role: Headers, city: City, settings: Settings
) -> None:
    planner = as_role("planner")
    pid = _approved_with_massing(client, planner, city)  # applied through the API
    change_id = client.get("/api/v1/city/changes", headers=planner).json()["items"][0]["id"]
    env: dict[str, Any] = {k: v for k, v in os.environ.items() if not k.startswith("CIVICTWIN_")}
    env.update(
        CIVICTWIN_DATABASE_URL=settings.database_url,
        CIVICTWIN_TILES_DIR=str(settings.tiles_dir),
    )
    cli = [sys.executable, "-m", "backend.cli"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*cli, *args], env=env, capture_output=True, text=True, timeout=120, cwd=ROOT
        )

    r = run("city", "revert", str(change_id))
    assert r.returncode == 0, r.stderr
    assert f"city change {change_id} reverted" in r.stdout
    proposal = client.get(f"/api/v1/proposals/{pid}", headers=planner).json()
    r = run("city", "apply", proposal["reference"])
    assert r.returncode == 0, r.stderr
    assert "applied to london" in r.stdout and "1 in" in r.stdout
    r = run("city", "apply", proposal["reference"])
    assert r.returncode == 2 and "already has city change" in r.stderr
    r = run("city", "revert", "999")
    assert r.returncode == 2 and "city change 999 not found" in r.stderr
    assert json.loads((city.tileset_dir / "changes.json").read_text())["changes"]


def test_planners_list_replaced_buildings_and_the_city_follows_the_list(
    client: TestClient, as_role: Headers, city: City
) -> None:
    planner = as_role("planner")
    table = city.build.buildings
    others = table[(table.building_id != SITE_BUILDING) & table.drawn]
    elsewhere = str(others.building_id.iloc[0])
    site = city.footprint(SITE_BUILDING, grow_deg=0.00002)
    pid = create(client, planner, site_boundary=site)["id"]
    url = f"/api/v1/proposals/{pid}"
    bad = client.patch(url, json={"replaces": [elsewhere, "buildings:nope"]}, headers=planner)
    assert bad.status_code == 422
    assert bad.json()["detail"] == "replaces[1]: no building 'buildings:nope' in tileset 'london'"
    listed = client.patch(url, json={"replaces": [SITE_BUILDING, elsewhere]}, headers=planner)
    assert listed.status_code == 200, listed.text
    assert listed.json()["replaces"] == [SITE_BUILDING, elsewhere]
    back = client.patch(url, json={"replaces": None}, headers=planner).json()["replaces"]
    assert elsewhere not in back and SITE_BUILDING in back  # computed from the site again
    client.patch(url, json={"replaces": [SITE_BUILDING, elsewhere]}, headers=planner)
    body = massing_body({"geometry": _polygon(city, SITE_BUILDING), "height_m": 45.0})
    assert client.put(f"{url}/massing", json=body, headers=planner).is_success
    publish(client, planner, pid)
    client.post(f"{url}/stage", json={"stage": "assessment"}, headers=planner)
    client.post(f"{url}/stage", json={"stage": "decided", "decision": "approved"}, headers=planner)
    (change,) = _settled(client, planner, pid)
    assert change["state"] == "applied", change
    assert {SITE_BUILDING, elsewhere} <= set(change["replaced"])
    assert client.get(f"/api/v1/buildings/london/{elsewhere}").status_code == 404
