"""City buildings and tilesets: loading from the pipeline, bbox queries, GeoJSON, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import Building, Tileset
from backend.errors import InvalidInputError
from backend.services.buildings import load_tileset, load_tileset_folder
from tests.backend.city.fixtures import CITY_BBOX, SITE_BUILDING, City
from tiles.pipeline import BuildResult


def counts(database: Database) -> tuple[int, int]:
    with database.sessions() as s:
        return (
            int(s.scalar(sa.select(sa.func.count()).select_from(Tileset)) or 0),
            int(s.scalar(sa.select(sa.func.count()).select_from(Building)) or 0),
        )


def test_tilesets_list_bbox_count_attribution_and_url(client: TestClient, city: City) -> None:
    r = client.get("/api/v1/tilesets")
    assert r.status_code == 200
    [item] = r.json()["items"]
    assert item["name"] == "london"
    assert item["attribution"] == "© OpenStreetMap contributors, ODbL 1.0"
    assert item["building_count"] == len(city.build.buildings)
    assert item["tileset_url"] == "/tiles/london/tileset.json"
    w, s, e, n = item["bbox"]
    assert CITY_BBOX[0] - 0.01 < w < e < CITY_BBOX[2] + 0.01 and s < n
    assert client.get(item["tileset_url"]).status_code == 200


def test_buildings_in_a_bbox_as_geojson(client: TestClient, city: City) -> None:
    site = city.build.buildings.set_index("building_id").geometry[SITE_BUILDING]
    w, s, e, n = site.bounds
    r = client.get("/api/v1/buildings", params={"bbox": f"{w},{s},{e},{n}", "tileset": "london"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["type"] == "FeatureCollection"
    ids = {f["properties"]["building_id"] for f in body["features"]}
    table = city.build.buildings
    expected = set(
        table[table.geometry.intersects(__import__("shapely").box(w, s, e, n))].building_id
    )
    assert ids == expected and SITE_BUILDING in ids
    feature = next(f for f in body["features"] if f["properties"]["building_id"] == SITE_BUILDING)
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert feature["properties"]["height_m"] > 0
    assert body["numberMatched"] == len(expected)
    page = client.get("/api/v1/buildings", params={"limit": 2}).json()
    assert page["numberReturned"] == 2 and page["numberMatched"] == len(table)
    assert "offset=2" in page["next"]


def test_one_building_by_tileset_and_id(client: TestClient, city: City) -> None:
    r = client.get(f"/api/v1/buildings/london/{SITE_BUILDING}")
    assert r.status_code == 200
    assert r.json()["id"] == f"london/{SITE_BUILDING}"
    assert r.json()["properties"]["name"] == "Williamson's Tavern"
    assert client.get("/api/v1/buildings/london/buildings:w0").status_code == 404
    assert client.get(f"/api/v1/buildings/paris/{SITE_BUILDING}").status_code == 404


def test_bad_bbox_is_422_naming_bbox(client: TestClient) -> None:
    for value, reason in [
        ("1,2,3", "expected 4 numbers"),
        ("a,b,c,d", "not 4 comma-separated numbers"),
        ("-0.1,51.5,-0.2,51.6", "west (-0.1) must be less than east (-0.2)"),
        ("-0.1,51.6,-0.09,51.5", "south (51.6) must be less than north (51.5)"),
        ("-200,51.5,-0.09,51.6", "west and east must be in [-180, 180]"),
        ("-0.1,-91,-0.09,51.6", "south and north must be in [-90, 90]"),
        ("nan,51.5,-0.09,51.6", "finite"),
    ]:
        r = client.get("/api/v1/buildings", params={"bbox": value})
        assert r.status_code == 422, value
        assert r.json()["detail"].startswith("bbox: ") and reason in r.json()["detail"], value


def test_loading_again_replaces_the_tileset_rows(
    database: Database, city: City, city_build: BuildResult
) -> None:
    n = len(city_build.buildings)
    assert counts(database) == (1, n)
    half = city_build.buildings.iloc[: n // 2]
    with database.sessions() as session:
        load_tileset(session, "london", "Again", "© OSM", half, None, None)
    assert counts(database) == (1, n // 2)
    with database.sessions() as session:
        tileset = session.get(Tileset, "london")
        assert tileset is not None and tileset.title == "Again" and tileset.building_count == n // 2
        assert tileset.bbox is not None and len(tileset.bbox) == 4


def test_loading_a_folder_without_buildings_says_what_is_missing(
    database: Database, tmp_path: Path
) -> None:
    with (
        database.sessions() as session,
        pytest.raises(InvalidInputError, match=r"no buildings\.fgb"),
    ):
        load_tileset_folder(session, tmp_path)


def test_a_failed_load_leaves_the_old_rows(database: Database, city: City) -> None:
    before = counts(database)
    broken = city.build.buildings.copy()
    broken.loc[broken.index[3], "building_id"] = broken.loc[broken.index[4], "building_id"]
    try:
        with database.sessions() as session:
            load_tileset(session, "london", "Broken", "", broken, None, None)
    except sa.exc.IntegrityError:
        pass
    else:
        raise AssertionError("a duplicate building_id must fail the load")
    assert counts(database) == before


def test_cli_tiles_build_loads_and_tiles_load_reloads(
    db_url: str, tmp_path: Path, city_build: BuildResult
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICTWIN_")}
    env["CIVICTWIN_DATABASE_URL"] = db_url
    cli = [sys.executable, "-m", "backend.cli", "tiles"]
    source = tmp_path / "small.geojson"
    city_build.buildings[["building_id", "height_m", "geometry"]].to_file(source)
    n = len(city_build.buildings)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*cli, *args], env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path
        )

    built = run("build", str(source), "--out", str(tmp_path / "tiles"), "--name", "city")
    assert built.returncode == 0, built.stderr
    assert f"database  {n} buildings of tileset 'city' loaded" in built.stdout
    skipped = run("build", str(source), "--out", str(tmp_path / "t2"), "--no-load")
    assert skipped.returncode == 0 and "database" not in skipped.stdout
    loaded = run("load", str(tmp_path / "t2" / "small"), "--title", "London")
    assert loaded.returncode == 0, loaded.stderr
    assert f"{n} buildings of tileset 'small'" in loaded.stdout
    database = Database.connect(db_url)
    try:
        with database.sessions() as s:
            rows = s.execute(sa.select(Tileset.name, Tileset.title).order_by(Tileset.name)).all()
            assert [tuple(r) for r in rows] == [("city", "city"), ("small", "London")]
    finally:
        database.dispose()
