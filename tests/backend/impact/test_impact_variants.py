"""A design variant (issue 14) is studied on its own massing, beside the scheme, both engines."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.backend.city.fixtures import SITE_BUILDING, City
from tests.backend.impact.helpers import tower_proposal, wait_done
from tests.backend.proposals.helpers import massing_body

Headers = Callable[[str], dict[str, str]]


def test_a_variant_has_its_own_study_and_the_schemes_is_untouched(
    client: TestClient, as_role: Headers, city: City
) -> None:
    planner = as_role("planner")
    pid = tower_proposal(client, planner, city, height_m=50.0)["id"]
    scheme = wait_done(client, planner, pid)
    footprint = city.footprint(SITE_BUILDING)
    if footprint["type"] == "MultiPolygon":
        footprint = {"type": "Polygon", "coordinates": footprint["coordinates"][0]}
    low = massing_body({"geometry": footprint, "height_m": 15.0, "name": "Low"})
    r = client.post(
        f"/api/v1/proposals/{pid}/variants",
        json={"name": "B: low", "massing": low},
        headers=planner,
    )
    assert r.status_code == 201, r.text
    vid = r.json()["id"]
    job = client.post(f"/api/v1/proposals/{pid}/impact?variant={vid}", headers=planner)
    assert job.status_code == 202 and job.json()["variant_id"] == vid
    url = f"/api/v1/proposals/{pid}/impact?variant={vid}"
    for _ in range(600):
        status = client.get(url, headers=planner).json()
        if status["result"]:
            break
        assert status["job"]["status"] in ("queued", "running"), status["job"]
        time.sleep(0.5)
    assert status["job"]["variant_id"] == vid and status["result"]["current"]
    # the 15 m variant fails no more façade points than the 50 m scheme
    assert status["result"]["facts"][0]["failing"] <= scheme["result"]["facts"][0]["failing"]
    # the scheme's own study is still the scheme's
    again = client.get(f"/api/v1/proposals/{pid}/impact", headers=planner).json()
    assert again["job"]["id"] == scheme["job"]["id"] and again["job"]["variant_id"] is None

    other = tower_proposal(client, planner, city, height_m=20.0)["id"]
    r = client.post(f"/api/v1/proposals/{other}/impact?variant={vid}", headers=planner)
    assert r.status_code == 404 and "variant" in r.json()["detail"]
    bare = client.post(
        f"/api/v1/proposals/{pid}/variants", json={"name": "C: model only"}, headers=planner
    ).json()
    r = client.post(f"/api/v1/proposals/{pid}/impact?variant={bare['id']}", headers=planner)
    assert r.status_code == 422 and "no massing" in r.json()["detail"]
