"""Massing: blocks with heights, returned as GeoJSON and served as 3D Tiles like the city."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import pygltflib
from fastapi.testclient import TestClient

from backend.settings import Settings
from tests.backend.proposals.helpers import create, massing_body, publish, square
from tests.gltf_validation import validate_glbs

Headers = Callable[[str], dict[str, str]]


def test_massing_is_geojson_and_a_3d_tileset_that_follows_draft_visibility(
    client: TestClient, as_role: Headers, settings: Settings
) -> None:
    planner = as_role("planner")
    pid = create(client, planner)["id"]
    body = massing_body(
        {"geometry": square(-0.0950, 51.5150, 0.0002), "name": "Tower", "storeys": 12},
        {"geometry": square(-0.0947, 51.5150, 0.0001), "height_m": 9.5, "base_height_m": 3},
    )
    r = client.put(f"/api/v1/proposals/{pid}/massing", json=body, headers=planner)
    assert r.status_code == 200, r.text
    proposal = r.json()
    features = proposal["massing"]["features"]
    assert [f["properties"]["height_m"] for f in features] == [36.0, 9.5]
    assert features[0]["properties"] == {
        "name": "Tower",
        "height_m": 36.0,
        "base_height_m": 0.0,
        "storeys": 12,
    }
    assert features[0]["geometry"]["type"] == "Polygon"
    url = proposal["massing_tileset_url"]
    assert url == f"/tiles/proposals/{pid}/tileset.json"

    folder = settings.tiles_dir / "proposals" / str(pid)
    tileset = client.get(url, headers=planner)
    assert tileset.status_code == 200 and tileset.headers["cache-control"] == "private, no-cache"
    uri = tileset.json()["root"].get("content", {}).get("uri") or next(
        str(p.relative_to(folder)) for p in folder.rglob("*.glb")
    )
    glb = client.get(f"/tiles/proposals/{pid}/{uri}", headers=planner)
    assert glb.status_code == 200 and glb.headers["content-type"] == "model/gltf-binary"
    parsed = pygltflib.GLTF2.load_from_bytes(glb.content)
    assert parsed.asset.version == "2.0" and parsed.meshes
    report = validate_glbs(folder)
    assert report["files"] >= 1 and report["errors"] == 0, report

    for role in ("anonymous", "citizen", "sme"):
        assert client.get(url, headers=as_role(role)).status_code == 404, role
        assert client.get(f"/tiles/proposals/{pid}/{uri}", headers=as_role(role)).status_code == 404
    publish(client, planner, pid)
    assert client.get(url).status_code == 200


def test_the_tileset_is_rebuilt_on_change_and_removed_with_the_massing_or_proposal(
    client: TestClient, as_role: Headers, settings: Settings
) -> None:
    planner = as_role("planner")
    pid = create(client, planner)["id"]
    folder = settings.tiles_dir / "proposals" / str(pid)
    url = f"/api/v1/proposals/{pid}/massing"
    one = massing_body({"geometry": square(size=0.0002), "storeys": 4})
    assert client.put(url, json=one, headers=planner).status_code == 200
    first = json.loads((folder / "tileset.json").read_text())
    taller = massing_body({"geometry": square(size=0.0002), "storeys": 40})
    assert client.put(url, json=taller, headers=planner).status_code == 200
    second = json.loads((folder / "tileset.json").read_text())
    assert second != first  # a taller block: a taller bounding volume
    empty = client.put(url, json={"type": "FeatureCollection", "features": []}, headers=planner)
    assert empty.status_code == 200 and empty.json()["massing_tileset_url"] is None
    assert not folder.exists()
    assert client.put(url, json=one, headers=planner).status_code == 200
    assert folder.exists()
    assert client.delete(f"/api/v1/proposals/{pid}", headers=planner).status_code == 204
    assert not folder.exists()


def test_a_scheme_tileset_is_not_skipped_until_it_is_a_few_pixels_wide(
    client: TestClient, as_role: Headers, settings: Settings
) -> None:
    """The top-level geometricError (the error of not drawing the tileset) is the scheme's extent,
    (the tiles writer's rule for every tileset), so a client's screen-space-error test keeps a
    block drawn."""
    planner = as_role("planner")
    pid = create(client, planner)["id"]
    body = massing_body({"geometry": square(-0.0950, 51.5150, 0.0002), "height_m": 40.0})
    r = client.put(f"/api/v1/proposals/{pid}/massing", json=body, headers=planner)
    assert r.status_code == 200, r.text
    tileset = json.loads((settings.tiles_dir / "proposals" / str(pid) / "tileset.json").read_text())
    box = tileset["root"]["boundingVolume"]["box"]
    half = [box[3:6], box[6:9], box[9:12]]
    diagonal = 2 * sum(sum(v * v for v in axis) for axis in half) ** 0.5
    assert 40.0 < diagonal < 100.0, box  # a 40 m block on a ~28 m square
    assert tileset["geometricError"] == round(diagonal, 3)
    assert tileset["root"]["geometricError"] <= tileset["geometricError"]
    # at 150 m (a fly-to) in a 360 px high view with a 60° field of view, the error projects to
    # well over CesiumJS's default maximum screen-space error of 16 px
    assert tileset["geometricError"] * 360 / (150 * 2 * math.tan(math.radians(30))) > 16
