"""London from OSM PBF and GeoJSON: a valid 3D Tiles 1.1 tileset that gives back each building."""

from __future__ import annotations

import json

import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Geod

from tests.tiles.conftest import validate_glbs
from tests.tiles.gltf_reader import check_tileset, decode_content, iter_tiles, load_tileset
from tiles.pipeline import BuildResult

GEOD = Geod(ellps="WGS84")


@pytest.mark.parametrize("build_name", ["london_pbf_build", "london_geojson_build"])
def test_every_glb_passes_the_gltf_validator(build_name: str, request: pytest.FixtureRequest):
    result: BuildResult = request.getfixturevalue(build_name)
    report = validate_glbs(result.tileset_dir)
    assert report["files"] == result.report["counts"]["tiles_with_content"]
    # meshopt is on by default: every glb is also validated decoded by the reference decoder
    assert report["decoded"] == report["files"]
    assert report["errors"] == 0, report["reports"][:3]
    assert report["warnings"] == 0, report["reports"][:3]


@pytest.mark.parametrize("build_name", ["london_pbf_build", "london_geojson_build"])
def test_tileset_follows_the_structural_rules(build_name: str, request: pytest.FixtureRequest):
    result: BuildResult = request.getfixturevalue(build_name)
    assert check_tileset(result.tileset_dir) == []
    ts = load_tileset(result.tileset_dir)
    assert ts["root"]["refine"] == "REPLACE"
    assert len(ts["root"]["transform"]) == 16


def _leaf_contents(result: BuildResult):
    ts = load_tileset(result.tileset_dir)
    for tile, _parent, _depth in iter_tiles(ts["root"]):
        if "content" in tile and not tile.get("children"):
            yield decode_content(result.tileset_dir / tile["content"]["uri"])


def test_round_trip_recovers_each_buildings_area_and_height(london_pbf_build: BuildResult):
    table = london_pbf_build.buildings.set_index("building_id")
    # outlines with parts inside are drawn only where no part covers them (nested outlines too)
    parts = london_pbf_build.buildings[london_pbf_build.buildings["parent_id"] != ""]
    outlines = london_pbf_build.buildings[london_pbf_build.buildings["parent_id"] == ""]
    hit = shapely.STRtree(outlines.geometry.values).query(
        shapely.point_on_surface(parts.geometry.values), predicate="within"
    )[1]
    has_parts = set(outlines["building_id"].to_numpy()[hit])
    seen: set[str] = set()
    checked = 0
    for c in _leaf_contents(london_pbf_build):
        assert c.table is not None
        ids = c.table["building_id"]
        roof = c.triangles_by_material["roof"]
        fid_of_tri = c.feature_ids[roof[:, 0]].astype(np.int64)
        a, b, d = (c.positions[roof[:, k]] for k in range(3))
        # horizontal area of roof triangles in the local frame (London spans ~2 km: flat enough)
        area = 0.5 * np.abs((b - a)[:, 0] * (d - a)[:, 1] - (b - a)[:, 1] * (d - a)[:, 0])
        roof_area = np.bincount(fid_of_tri, area, minlength=len(ids))
        fid_v = c.feature_ids.astype(np.int64)
        top = np.full(len(ids), -np.inf)
        bottom = np.full(len(ids), np.inf)
        np.maximum.at(top, fid_v, c.positions[:, 2])
        np.minimum.at(bottom, fid_v, c.positions[:, 2])
        for k, bid in enumerate(ids):
            seen.add(bid)
            row = table.loc[bid]
            assert top[k] - bottom[k] == pytest.approx(row.height_m - row.base_height_m, abs=0.05)
            assert c.table["height_m"][k] == pytest.approx(row.height_m, abs=1e-3)
            if bid in has_parts:
                continue  # the outline is drawn only where its parts are not
            # pyproj sums signed ring areas: orient holes against the exterior first
            geod_area = abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(row.geometry))[0])
            assert roof_area[k] == pytest.approx(geod_area, rel=0.01, abs=0.5), bid
            checked += 1
    drawn = set(table.index[table["drawn"]])
    assert seen == drawn
    assert checked > 2000


def test_building_parts_are_drawn_and_outlines_not_twice(london_pbf_build: BuildResult):
    b = london_pbf_build.buildings
    parts = b[b["parent_id"] != ""]
    assert len(parts) > 300
    outlines = b[b["building_id"].isin(parts["parent_id"])]
    # an outline fully covered by its parts is not drawn at all
    assert (~outlines["drawn"]).sum() > 0
    drawn_ids = {bid for c in _leaf_contents(london_pbf_build) for bid in c.table["building_id"]}
    assert not (set(outlines.loc[~outlines["drawn"], "building_id"]) & drawn_ids)


def test_report_and_buildings_file_describe_the_build(london_pbf_build: BuildResult):
    folder = london_pbf_build.tileset_dir
    report = json.loads((folder / "build-report.json").read_text())
    assert report["counts"]["buildings"] == len(london_pbf_build.buildings) > 2500
    assert set(report["height_sources"]) >= {"height_tag", "levels", "default"}
    assert sum(report["height_sources"].values()) == report["counts"]["buildings"]
    assert set(report["seconds"]) >= {"read", "heights", "partition", "mesh", "total"}
    w, s, e, n = report["bbox"]
    assert -0.12 < w < e < -0.09 and 51.50 < s < n < 51.53
    fgb = pyogrio.read_dataframe(folder / "buildings.fgb")
    assert len(fgb) == len(london_pbf_build.buildings)
    assert fgb.crs.to_epsg() == 4326
    assert fgb["building_id"].is_unique
    assert set(fgb.columns) >= {
        "building_id",
        "source_id",
        "height_m",
        "base_height_m",
        "levels",
        "height_source",
        "building_type",
        "name",
        "address",
        "dataset",
        "tileset",
        "geometry",
    }
    assert (fgb["tileset"] == "london").all()
    assert shapely.is_valid(fgb.geometry.values).all()
    tower = fgb[fgb["height_m"] == fgb["height_m"].max()].iloc[0]
    assert 100 < tower["height_m"] < 200


def test_pbf_and_geojson_give_the_same_building_ids(
    london_pbf_build: BuildResult, london_geojson_build: BuildResult
):
    pbf = set(london_pbf_build.buildings["source_id"].str.replace("way/", "w"))
    gj = set(london_geojson_build.buildings["source_id"])
    assert len(pbf & gj) > 0.95 * len(pbf)


def test_coarse_tiles_show_the_whole_district(london_geojson_build: BuildResult):
    ts = load_tileset(london_geojson_build.tileset_dir)
    root = ts["root"]
    assert root.get("children"), "expected a tree with more than one level"
    assert "content" in root, "zoomed out, the root must still show the district"
    c = decode_content(london_geojson_build.tileset_dir / root["content"]["uri"])
    # the coarse content spans (nearly) the whole built-up area
    leaves = [
        decode_content(london_geojson_build.tileset_dir / t["content"]["uri"]).positions
        for t, _p, _d in iter_tiles(root)
        if "content" in t and not t.get("children")
    ]
    allpos = np.concatenate(leaves)
    span = allpos[:, :2].max(0) - allpos[:, :2].min(0)
    coarse_span = c.positions[:, :2].max(0) - c.positions[:, :2].min(0)
    assert np.all(coarse_span > 0.8 * span)
    assert c.positions.shape[0] < 0.5 * allpos.shape[0]
