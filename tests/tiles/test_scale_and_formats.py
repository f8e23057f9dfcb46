"""Dask work units, massing tilesets, 3D Tiles 1.0 output and the benchmark set."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely import box

from tests.tiles.conftest import LONDON_GEOJSON, validate_glbs
from tests.tiles.gltf_reader import (
    box_bounds,
    check_implicit,
    check_tileset,
    decode_content,
    implicit_box,
    iter_tiles,
    load_tileset,
)
from tiles.errors import TilingError
from tiles.massing import build_massing_tileset
from tiles.pipeline import BuildOptions, heights_stage, read_stage, run
from tiles.writers.b3dm import check_b3dm


def assert_same_tileset(built: Path, ref: Path) -> None:
    """The same glb files, byte for byte, and the same tileset.json."""
    files = sorted(p.relative_to(built) for p in built.rglob("*.glb"))
    assert files == sorted(p.relative_to(ref) for p in ref.rglob("*.glb"))
    for f in files:
        assert (built / f).read_bytes() == (ref / f).read_bytes(), f
    assert load_tileset(built) == load_tileset(ref)


def test_a_local_dask_cluster_builds_the_same_tileset(tmp_path, london_geojson_build):
    options = BuildOptions(name="london-geojson", max_features=150, workers=2)
    result = run([LONDON_GEOJSON], tmp_path, options)
    assert check_tileset(result.tileset_dir) == []
    assert_same_tileset(result.tileset_dir, london_geojson_build.tileset_dir)


def test_massing_tileset_uses_the_city_mesh_code(tmp_path):
    feats = [
        {"id": "A", "footprint": box(-0.1, 51.5, -0.0997, 51.5002), "height_m": 45.0},
        {
            "id": "B",
            "footprint": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [-0.0996, 51.5],
                        [-0.0994, 51.5],
                        [-0.0994, 51.5002],
                        [-0.0996, 51.5],
                    ]
                ],
            },
            "height_m": 20.0,
            "base_height_m": 5.0,
            "storeys": 5,
        },
    ]
    result = build_massing_tileset(feats, tmp_path, "scheme-7")
    assert check_tileset(result.tileset_dir) == []
    assert validate_glbs(result.tileset_dir)["errors"] == 0
    ts = load_tileset(result.tileset_dir)
    c = decode_content(result.tileset_dir / ts["root"]["content"]["uri"])
    assert list(c.table["building_id"]) == ["massing:A", "massing:B"]
    fid = c.feature_ids.astype(int)
    for k, (lo, hi) in enumerate([(0.0, 45.0), (5.0, 20.0)]):
        z = c.positions[fid == k, 2]
        assert z.min() == pytest.approx(lo, abs=0.02) and z.max() == pytest.approx(hi, abs=0.02)
    assert "ground" in c.triangles_by_material  # the raised block has a floor


def test_format_1_0_writes_b3dm_with_a_correct_feature_table(tmp_path):
    result = run([LONDON_GEOJSON], tmp_path, BuildOptions(name="legacy", format="1.0"))
    ts = load_tileset(result.tileset_dir)
    assert ts["asset"]["version"] == "1.0"
    assert check_tileset(result.tileset_dir, version="1.0") == []
    for tile, _p, _d in iter_tiles(ts["root"]):
        if "content" not in tile:
            continue
        data = (result.tileset_dir / tile["content"]["uri"]).read_bytes()
        ft_len, bt_len = (
            int.from_bytes(data[12:16], "little"),
            int.from_bytes(data[20:24], "little"),
        )
        bt = json.loads(data[28 + ft_len : 28 + ft_len + bt_len].decode().rstrip(" \0"))
        length = len(bt["building_id"]) if "building_id" in bt else 0
        assert check_b3dm(data, length)["BATCH_LENGTH"] == length


def test_meshopt_off_gives_plain_views_and_the_same_buildings(tmp_path, london_geojson_build):
    options = BuildOptions(name="plain", max_features=150, meshopt=False)
    result = run([LONDON_GEOJSON], tmp_path, options)
    assert check_tileset(result.tileset_dir) == []
    report = validate_glbs(result.tileset_dir)
    assert report["errors"] == report["warnings"] == report["decoded"] == 0
    plain = result.report["counts"]["content_bytes"]
    packed = london_geojson_build.report["counts"]["content_bytes"]
    assert packed < 0.6 * plain
    ref = london_geojson_build.tileset_dir
    for path in sorted(result.tileset_dir.rglob("*.glb")):
        a, b = decode_content(path), decode_content(ref / path.relative_to(result.tileset_dir))
        assert "EXT_meshopt_compression" not in a.glb.doc.get("extensionsUsed", [])
        assert "EXT_meshopt_compression" in b.glb.doc["extensionsRequired"]
        np.testing.assert_array_equal(a.positions, b.positions)
        np.testing.assert_array_equal(a.feature_ids, b.feature_ids)
        for name, tris in a.triangles_by_material.items():
            # the index codec may rotate a triangle's corners (same winding)
            np.testing.assert_array_equal(_rotated(tris), _rotated(b.triangles_by_material[name]))


def _rotated(tris: np.ndarray) -> np.ndarray:
    """Each triangle rotated so its smallest index comes first (winding kept)."""
    k = np.argmin(tris, axis=1)
    idx = (k[:, None] + np.arange(3)) % 3
    return np.take_along_axis(tris, idx, axis=1)


def test_implicit_tiling_subtrees_match_the_content_files(tmp_path, london_geojson_build):
    options = BuildOptions(name="implicit", max_features=150, implicit=True, subtree_levels=2)
    result = run([LONDON_GEOJSON], tmp_path, options)
    problems, contents = check_implicit(result.tileset_dir)
    assert problems == []
    # the same tiles as the explicit tree: one content tile per explicit content tile
    explicit = [
        t for t, _p, _d in iter_tiles(load_tileset(london_geojson_build.tileset_dir)["root"])
    ]
    assert len(contents) == sum("content" in t for t in explicit)
    ts = load_tileset(result.tileset_dir)
    assert ts["asset"]["version"] == "1.1"
    assert ts["root"]["implicitTiling"]["availableLevels"] > 2  # more than one subtree level
    assert len(list(result.tileset_dir.rglob("*.subtree"))) > 1
    report = validate_glbs(result.tileset_dir)
    assert report["files"] == len(contents)
    assert report["errors"] == 0 and report["warnings"] == 0
    # every building is in exactly one leaf, as in the explicit tileset
    root_box = box_bounds(ts["root"]["boundingVolume"]["box"])
    for level, x, y in contents:
        c = decode_content(result.tileset_dir / f"content/{level}/{x}/{y}.glb")
        assert np.all(c.positions >= root_box[0] - 1e-3) and np.all(
            c.positions <= root_box[1] + 1e-3
        )


def test_implicit_tiles_carry_boxes_that_contain_their_overhanging_buildings(tmp_path):
    options = BuildOptions(name="implicit", max_features=60, implicit=True, subtree_levels=2)
    result = run([LONDON_GEOJSON], tmp_path, options)
    ts = load_tileset(result.tileset_dir)
    semantics = {
        p["semantic"] for c in ts["schema"]["classes"].values() for p in c["properties"].values()
    }
    assert {"TILE_BOUNDING_BOX", "CONTENT_BOUNDING_BOX", "TILE_GEOMETRIC_ERROR"} <= semantics
    # check_implicit checks every tile's metadata box against its content and its parent
    problems, contents = check_implicit(result.tileset_dir)
    assert problems == []
    # the bug this guards against: walls of buildings whose centre is in a cell stick out of
    # the cell's subdivided box, so that box alone would not contain the content
    overhanging = 0
    for level, x, y in contents:
        lo, hi = box_bounds(implicit_box(ts["root"]["boundingVolume"]["box"], level, x, y))
        c = decode_content(result.tileset_dir / f"content/{level}/{x}/{y}.glb")
        overhanging += bool(np.any(c.positions < lo - 1e-3) or np.any(c.positions > hi + 1e-3))
    assert overhanging > 0


def test_implicit_needs_format_1_1(tmp_path):
    with pytest.raises(TilingError, match="implicit"):
        run([LONDON_GEOJSON], tmp_path, BuildOptions(implicit=True, format="1.0"))


def test_forked_units_write_the_same_tileset_as_one_process(tmp_path, london_geojson_build):
    options = BuildOptions(name="london-geojson", max_features=150, jobs=2)
    result = run([LONDON_GEOJSON], tmp_path, options)
    assert_same_tileset(result.tileset_dir, london_geojson_build.tileset_dir)


def test_compacted_tables_expand_to_the_same_footprints():
    options = BuildOptions()
    read = read_stage([LONDON_GEOJSON], options)
    table = heights_stage(read, options, ["buildings"]).table
    round_trip = table.compacted().expanded()
    assert not round_trip.compact and table.compacted().compact
    assert shapely.equals_exact(round_trip.footprint, table.footprint, tolerance=0).all()
    assert round_trip.take(slice(5, 9)).building_id.tolist() == table.building_id[5:9].tolist()


def test_buildings_table_is_read_back_from_the_written_file(london_geojson_build):
    frame = london_geojson_build.buildings
    assert len(frame) == london_geojson_build.report["counts"]["buildings"]
    assert frame.crs.to_epsg() == 4326
    assert frame["building_id"].is_unique
    assert set(frame["tileset"]) == {"london-geojson"}
    assert frame["drawn"].dtype == bool
