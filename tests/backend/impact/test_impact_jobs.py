"""Impact studies as background jobs, as a planner and a citizen meet them, on both engines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import numpy as np
import shapely
import shapely.geometry
from fastapi.testclient import TestClient

from backend.settings import Settings
from tests.backend.city.fixtures import City
from tests.backend.impact.helpers import set_height, tower_proposal, wait_done
from tests.backend.proposals.helpers import publish

Headers = Callable[[str], dict[str, str]]


def test_a_massing_change_queues_a_study_whose_results_are_served_in_every_form(
    client: TestClient, as_role: Headers, city: City, settings: Settings
) -> None:
    planner = as_role("planner")
    proposal = tower_proposal(client, planner, city, height_m=60.0)
    pid = proposal["id"]
    status = wait_done(client, planner, pid)
    assert status["job"]["reason"] == "massing"
    assert status["job"]["progress"] == 100
    # the study process kept its cache on disk too, beside the tiles folder, for the next one
    folder = settings.impact_cache_folder
    assert folder == settings.tiles_dir.parent / "impact-cache"
    assert list(folder.glob("*.npz"))
    result = status["result"]
    codes = [f["code"] for f in result["facts"]]
    assert codes[0] == "vsc" and codes[-1] == "grid" and "ground" in codes

    points = client.get(f"/api/v1/proposals/{pid}/impact/points?analysis=vsc", headers=planner)
    assert points.status_code == 200
    assert points.headers["content-type"].startswith("application/geo+json")
    fc = points.json()
    feats = fc["features"]
    assert len(feats) == result["counts"]["vsc"] > 0
    # the facts count what the points say, independently recounted here
    bad = [f for f in feats if f["properties"]["adverse"]]
    vsc_fact = result["facts"][0]
    assert vsc_fact["failing"] == len(bad) and vsc_fact["points"] == len(feats)
    assert vsc_fact["buildings"] == len({f["properties"]["building_id"] for f in bad})
    for f in feats:
        p = f["properties"]
        assert abs(p["after"] - p["before"] - p["difference"]) < 2e-3
        assert p["adverse"] == (p["after"] < 27.0 and p["after"] < 0.8 * p["before"])
    # a 60 m block in a terrace of 3-5 storeys takes daylight from some neighbour
    assert min(f["properties"]["difference"] for f in feats) < -1.0

    # the zone of theoretical visibility holds every eye point that sees the scheme, no other
    zone = client.get(f"/api/v1/proposals/{pid}/impact/zone", headers=planner)
    assert zone.status_code == 200
    assert zone.headers["content-type"].startswith("application/geo+json")
    bands = zone.json()["features"]
    assert [b["properties"]["share_seen_above"] for b in bands] == [0.0, 0.25, 0.5]
    areas = [b["properties"]["area_m2"] for b in bands]
    assert areas[0] > 0 and areas == sorted(areas, reverse=True)
    eyes = client.get(f"/api/v1/proposals/{pid}/impact/points?analysis=visibility", headers=planner)
    eyes = eyes.json()
    xy = np.array([f["geometry"]["coordinates"][:2] for f in eyes["features"]])
    seen = np.array([f["properties"]["share_seen"] > 0 for f in eyes["features"]])
    inside = shapely.contains_xy(shapely.geometry.shape(bands[0]["geometry"]), xy[:, 0], xy[:, 1])
    assert seen.any() and (inside == seen).all()

    one = client.get(f"/api/v1/proposals/{pid}/impact/points/vsc/{feats[3]['id']}", headers=planner)
    assert one.status_code == 200 and one.json() == feats[3]

    buildings = client.get(f"/api/v1/proposals/{pid}/impact/buildings", headers=planner).json()
    assert sum(b["facade_points"] for b in buildings["items"]) == len(feats)
    assert sum(b["vsc_adverse_points"] for b in buildings["items"]) == len(bad)

    report = client.get(f"/api/v1/proposals/{pid}/impact/report", headers=planner)
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    page = report.text
    assert "one row of points per storey" in page and "Window positions are not known" in page
    assert "BRE 209" in page and "EN 17037" in page and "Heathrow" in page
    assert proposal["reference"] in page
    assert "Zone of theoretical visibility" in page and "<svg" in page

    sheet = client.get(f"/api/v1/proposals/{pid}/impact/csv", headers=planner)
    assert sheet.status_code == 200 and "attachment" in sheet.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(sheet.text)))
    assert sum(r["analysis"] == "vsc" for r in rows) == len(feats)
    assert len(rows) == sum(result["counts"].values()) + len(bands)  # + a row per zone band
    assert sum(r["analysis"] == "zone" for r in rows) == len(bands)

    # asking again for the same scene gives the stored result at once, as the same job
    again = client.post(f"/api/v1/proposals/{pid}/impact", headers=planner)
    assert again.status_code == 202 and again.json()["id"] == status["job"]["id"]
    assert again.json()["status"] == "done"


def test_a_height_change_gives_a_new_scene_and_publication_reuses_the_stored_one(
    client: TestClient, as_role: Headers, city: City
) -> None:
    planner = as_role("planner")
    proposal = tower_proposal(client, planner, city, height_m=45.0)
    pid = proposal["id"]
    first = wait_done(client, planner, pid)
    url = f"/api/v1/proposals/{pid}/impact/points?analysis=vsc"
    taller = client.get(url, headers=planner).json()["features"]
    set_height(client, planner, city, pid, 20.0)
    second = wait_done(client, planner, pid)
    assert second["job"]["id"] != first["job"]["id"]
    lower = client.get(url, headers=planner).json()["features"]

    # the same façade point keeps at least as much sky under a lower block
    def key(f: dict) -> tuple[float, ...]:
        return tuple(round(c, 6) for c in f["geometry"]["coordinates"])

    by_point = {key(f): f["properties"] for f in taller}
    shared = [(by_point[key(f)], f["properties"]) for f in lower if key(f) in by_point]
    assert len(shared) > 10
    assert all(lo["after"] >= hi["after"] - 0.05 for hi, lo in shared)
    # a lower scheme's study takes occluders from a smaller radius, so never less sky before
    assert all(lo["before"] >= hi["before"] - 0.05 for hi, lo in shared)

    publish(client, planner, pid)
    status = client.get(f"/api/v1/proposals/{pid}/impact").json()
    assert status["job"]["id"] == second["job"]["id"]  # same scene: nothing recomputed
    assert json.dumps(status["result"]["facts"]) == json.dumps(second["result"]["facts"])
