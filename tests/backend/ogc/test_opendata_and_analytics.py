"""CSV/GeoJSON downloads of the public data and consultation analytics for planners."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import Proposal, User


@pytest.mark.parametrize("dataset", ["proposals", "comments", "opportunities", "impact"])
def test_downloads_hold_only_public_data(
    client: TestClient, city: dict[str, int], dataset: str
) -> None:
    geo = client.get(f"/api/v1/opendata/{dataset}.geojson")
    assert geo.status_code == 200 and geo.headers["content-type"] == "application/geo+json"
    features = geo.json()["features"]
    assert len(features) == city[dataset]
    table = client.get(f"/api/v1/opendata/{dataset}.csv")
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert len(rows) == city[dataset]
    assert all(r["geometry_wkt"] for r in rows)
    assert "Alice" not in table.text and "author@example.org" not in table.text
    assert "P3" not in table.text  # the draft


def test_unknown_dataset_or_format_is_rejected(client: TestClient) -> None:
    assert client.get("/api/v1/opendata/users.csv").status_code == 422
    assert client.get("/api/v1/opendata/proposals.xlsx").status_code == 422
    assert len(client.get("/api/v1/opendata").json()["downloads"]) == 8  # 4 sets, CSV and GeoJSON


def test_proposal_analytics_for_planners(
    client: TestClient,
    city: dict[str, int],
    database: Database,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
) -> None:
    with database.sessions() as s:
        pid = s.scalar(sa.select(Proposal.id).where(Proposal.reference == "P0"))
    headers = bearer(make_user("planner"))
    r = client.get(f"/api/v1/analytics/proposals/{pid}?cell_m=50", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["comment_count"] == 4  # the hidden one is not counted
    assert body["by_sentiment"] == {"objection": 2, "neutral": 1, "supportive": 1}
    pairs = {(p["sentiment"], p["topic"]): p["count"] for p in body["by_sentiment_topic"]}
    assert pairs[("objection", "design")] == 2 and pairs[("neutral", "traffic")] == 1
    assert [d["count"] for d in body["over_time"]] == [1, 1, 1, 1]
    assert body["most_discussed_buildings"][0] == {"building_id": "b1", "name": None, "count": 3}
    cells = body["heatmap"]["features"]
    assert sum(c["properties"]["count"] for c in cells) == 4
    assert all(c["geometry"]["type"] == "Polygon" for c in cells)
    assert client.get("/api/v1/analytics/proposals/999999", headers=headers).status_code == 404


def test_area_analytics_and_bad_bbox(
    client: TestClient,
    city: dict[str, int],
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
) -> None:
    headers = bearer(make_user("planner"))
    r = client.get("/api/v1/analytics/area?bbox=-1.9,52.49,-1.88,52.5", headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["comment_count"] == city["comments"]
    for bad in ("1,2,3", "10,0,0,10", "a,b,c,d", "-200,0,0,10"):
        r = client.get(f"/api/v1/analytics/area?bbox={bad}", headers=headers)
        assert r.status_code == 422 and "bbox" in r.json()["detail"]
