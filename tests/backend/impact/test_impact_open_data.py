"""Impact studies as open data: an OGC API - Features collection and downloads, both engines."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.backend.city.fixtures import City
from tests.backend.impact.helpers import tower_proposal, wait_done
from tests.backend.proposals.helpers import publish

Headers = Callable[[str], dict[str, str]]


def test_a_published_proposals_study_is_an_ogc_feature_and_a_download_a_drafts_is_not(
    client: TestClient, as_role: Headers, city: City
) -> None:
    planner = as_role("planner")
    public = tower_proposal(client, planner, city, height_m=40.0)
    draft = tower_proposal(client, planner, city, height_m=30.0)
    publish(client, planner, public["id"])
    study = wait_done(client, planner, public["id"])
    wait_done(client, planner, draft["id"])

    listed = client.get("/ogc/collections").json()
    assert "impact" in [c["id"] for c in listed["collections"]]
    meta = client.get("/ogc/collections/impact").json()
    assert meta["extent"]["spatial"]["bbox"][0][0] < -0.09
    items = client.get("/ogc/collections/impact/items").json()
    assert items["numberMatched"] == 1  # the draft's study is not public
    (feature,) = items["features"]
    props = feature["properties"]
    vsc = study["result"]["facts"][0]
    assert props["proposal_id"] == public["id"] and props["reference"] == public["reference"]
    assert props["vsc_failing_points"] == vsc["failing"] and props["vsc_points"] == vsc["points"]
    assert props["points_url"].endswith(f"/api/v1/proposals/{public['id']}/impact/points")
    assert feature["geometry"]["type"] == "MultiPolygon"
    one = client.get(f"/ogc/collections/impact/items/{feature['id']}")
    assert one.status_code == 200 and one.json()["properties"] == props
    # bbox filtering works on the site: far away, nothing
    far = client.get("/ogc/collections/impact/items?bbox=10,40,11,41").json()
    assert far["numberMatched"] == 0
    points = client.get(props["points_url"].split("testserver")[-1])
    assert points.status_code == 200 and len(points.json()["features"]) == vsc["points"]

    sheet = client.get("/api/v1/opendata/impact.csv")
    assert sheet.status_code == 200
    rows = list(csv.DictReader(io.StringIO(sheet.text)))
    assert [int(r["proposal_id"]) for r in rows] == [public["id"]]
    assert int(rows[0]["vsc_failing_points"]) == vsc["failing"]
    assert rows[0]["geometry_wkt"].startswith("MULTIPOLYGON")
    geo = client.get("/api/v1/opendata/impact.geojson").json()
    assert [f["properties"]["proposal_id"] for f in geo["features"]] == [public["id"]]
    catalogue = client.get("/api/v1/opendata").json()
    assert any(d["dataset"] == "impact" for d in catalogue["downloads"])
