"""`civictwin analysis run PROPOSAL` as a planner runs it: a real city, database and process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.settings import Settings
from tests.backend.city.fixtures import SITE_BUILDING, City
from tests.backend.proposals.helpers import create, massing_body

Headers = Callable[[str], dict[str, str]]


def _cli(
    settings: Settings, db_url: str, *args: str, cache_dir: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICTWIN_")}
    env.update(CIVICTWIN_DATABASE_URL=db_url, CIVICTWIN_TILES_DIR=str(settings.tiles_dir))
    if cache_dir is not None:
        env.update(CIVICTWIN_IMPACT_CACHE_DIR=str(cache_dir))
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", "analysis", "run", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_analysis_run_studies_a_proposal_in_its_city_and_writes_geojson_ready_results(
    client: TestClient,
    as_role: Headers,
    city: City,
    settings: Settings,
    db_url: str,
    tmp_path: Path,
) -> None:
    planner = as_role("planner")
    site = city.footprint(SITE_BUILDING, grow_deg=2e-6)
    proposal = create(client, planner, site_boundary=site)
    assert SITE_BUILDING in proposal["replaces"]
    footprint = city.footprint(SITE_BUILDING)
    if (
        footprint["type"] == "MultiPolygon"
    ):  # the pipeline writes MultiPolygons; massing wants parts
        footprint = {"type": "Polygon", "coordinates": footprint["coordinates"][0]}
    tower = massing_body({"geometry": footprint, "height_m": 60.0})
    put = client.put(f"/api/v1/proposals/{proposal['id']}/massing", json=tower, headers=planner)
    assert put.status_code == 200, put.text

    out = tmp_path / "study" / "impact.json"
    folder = tmp_path / "impact-cache"  # this test's own (the default is beside the tiles)
    r = _cli(settings, db_url, proposal["reference"], "--output", str(out), cache_dir=folder)
    assert r.returncode == 0, r.stderr
    assert "fail the daylight (VSC) test" in r.stdout
    result = json.loads(out.read_text())
    assert result["proposal"]["reference"] == proposal["reference"]
    ids = {f["properties"]["building_id"] for f in result["vsc"]["features"]}
    city_ids = set(city.build.buildings.building_id)
    assert ids and ids <= city_ids  # neighbours only: never the scheme ...
    assert not ids & set(proposal["replaces"])  # ... nor what it replaces
    # a 60 m block in a terrace of 3-5 storeys takes daylight from some neighbours
    assert any(f["properties"]["difference"] < -1.0 for f in result["vsc"]["features"])
    assert result["stats"]["rays"] > 0

    # the next run is a fresh process: it finds what the first kept in the cache folder (the
    # city's blocked rays, sun positions, points) and gives the same results
    assert list(folder.glob("*.npz"))
    again_out = tmp_path / "study" / "again.json"
    r = _cli(settings, db_url, proposal["reference"], "--output", str(again_out), cache_dir=folder)
    assert r.returncode == 0, r.stderr
    again = json.loads(again_out.read_text())
    # when it does not, say what the folder held and what the second process logged
    why = f"cache folder {sorted(p.name for p in folder.iterdir())}; stderr: {r.stderr[-2000:]}"
    assert again["stats"]["rays_reused"] > result["stats"]["rays_reused"], why
    assert again["stats"]["rays"] < result["stats"]["rays"], why
    for analysis in ("vsc", "apsh", "ground", "visibility"):
        assert again[analysis] == result[analysis], analysis


def test_analysis_run_names_an_unknown_proposal_and_one_without_massing(
    client: TestClient, as_role: Headers, city: City, settings: Settings, db_url: str
) -> None:
    r = _cli(settings, db_url, "NO/SUCH/REF")
    assert r.returncode == 2 and "proposal 'NO/SUCH/REF' not found" in r.stderr
    bare = create(client, as_role("planner"), site_boundary=city.footprint(SITE_BUILDING))
    r = _cli(settings, db_url, str(bare["id"]))
    assert r.returncode == 2 and "no massing to analyse" in r.stderr
