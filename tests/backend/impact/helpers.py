"""Helpers of the impact job tests: a tower on the test city's site, waiting for a job."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

from tests.backend.city.fixtures import SITE_BUILDING, City
from tests.backend.proposals.helpers import create, massing_body


def tower_proposal(
    client: TestClient, planner: dict[str, str], city: City, height_m: float = 60.0
) -> dict[str, Any]:
    """A proposal replacing the test city's site building with a block ``height_m`` tall."""
    proposal = create(client, planner, site_boundary=city.footprint(SITE_BUILDING, grow_deg=2e-6))
    set_height(client, planner, city, proposal["id"], height_m)
    return proposal


def set_height(
    client: TestClient, planner: dict[str, str], city: City, proposal_id: int, height_m: float
) -> None:
    footprint = city.footprint(SITE_BUILDING)
    if footprint["type"] == "MultiPolygon":
        footprint = {"type": "Polygon", "coordinates": footprint["coordinates"][0]}
    body = massing_body({"geometry": footprint, "height_m": height_m, "name": "Tower"})
    r = client.put(f"/api/v1/proposals/{proposal_id}/massing", json=body, headers=planner)
    assert r.status_code == 200, r.text


def wait_done(
    client: TestClient, headers: dict[str, str], proposal_id: int, timeout_s: float = 300.0
) -> dict[str, Any]:
    """Poll the status until the latest job is done (or fail with its state)."""
    deadline = time.monotonic() + timeout_s
    seen = set()
    while True:
        r = client.get(f"/api/v1/proposals/{proposal_id}/impact", headers=headers)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        job = body["job"]
        assert job is not None
        seen.add((job["status"], job["stage"]))
        if job["status"] == "done" and body["result"] and body["result"]["current"]:
            body["seen"] = seen
            return body
        assert job["status"] in ("queued", "running"), job
        assert time.monotonic() < deadline, f"still {job} after {timeout_s} s"
        time.sleep(0.5)
