"""A citizen attaches one point's impact result to a comment (issue 13), both engines."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.backend.city.fixtures import City
from tests.backend.impact.helpers import tower_proposal, wait_done
from tests.backend.proposals.helpers import publish

Headers = Callable[[str], dict[str, str]]


def test_a_comment_refers_to_a_point_of_the_latest_study_and_a_missing_one_is_refused(
    client: TestClient, as_role: Headers, city: City
) -> None:
    planner, citizen = as_role("planner"), as_role("citizen")
    pid = tower_proposal(client, planner, city, height_m=40.0)["id"]
    url = f"/api/v1/proposals/{pid}/comments"
    publish(client, planner, pid)
    status = wait_done(client, planner, pid)
    points = client.get(f"/api/v1/proposals/{pid}/impact/points?analysis=vsc").json()["features"]
    worst = min(points, key=lambda f: f["properties"]["difference"])
    body = {
        "body": "My window loses this much daylight.",
        "topics": ["light"],
        "anchor": {
            "point": dict(
                zip(("lon", "lat", "height_m"), worst["geometry"]["coordinates"], strict=True)
            ),
            "impact": {"analysis": "vsc", "index": worst["id"]},
        },
    }
    posted = client.post(url, json=body, headers=citizen)
    assert posted.status_code == 201, posted.text
    ref = posted.json()["anchor"]["impact"]
    assert ref == {"analysis": "vsc", "index": worst["id"], "job_id": status["job"]["id"]}
    listed = client.get(url).json()["items"]
    assert listed[0]["anchor"]["impact"] == ref
    # the referenced values are there to show beside the comment
    shown = client.get(f"/api/v1/proposals/{pid}/impact/points/vsc/{ref['index']}").json()
    assert shown["properties"] == worst["properties"]

    out_of_range = {**body, "anchor": {"impact": {"analysis": "vsc", "index": len(points)}}}
    r = client.post(url, json=out_of_range, headers=citizen)
    assert r.status_code == 422 and "anchor.impact.index" in r.json()["detail"]
    r = client.post(
        url, json={**body, "anchor": {"impact": {"analysis": "noise", "index": 0}}}, headers=citizen
    )
    assert r.status_code == 422 and "analysis" in r.json()["detail"]
