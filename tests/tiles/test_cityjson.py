"""CityJSON 1.1 / 2.0 samples: LoD1 and LoD2, parts, semantics, and the CRS rule."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.tiles.conftest import CITYJSON, validate_glbs
from tests.tiles.gltf_reader import check_tileset, decode_content, iter_tiles, load_tileset
from tiles.cli import app
from tiles.errors import CRSError, InvalidInputError
from tiles.pipeline import BuildOptions, run
from tiles.readers import ReadOptions
from tiles.readers.cityjson import read_cityjson


def _contents(folder):
    ts = load_tileset(folder)
    return [
        decode_content(folder / t["content"]["uri"])
        for t, _p, _d in iter_tiles(ts["root"])
        if "content" in t
    ]


def test_delft_lod1_builds_a_valid_tileset_with_measured_heights(tmp_path):
    result = run([CITYJSON / "delft.city.json"], tmp_path)
    b = result.buildings
    assert len(b) == 160  # roads, land use, water... are not buildings
    assert (b["height_source"] == "model").all()
    assert check_tileset(result.tileset_dir) == []
    assert validate_glbs(result.tileset_dir)["errors"] == 0
    # the mesh's vertical extent of each building equals its height in the table
    c = _contents(result.tileset_dir)[0]
    fid = c.feature_ids.astype(int)
    top = np.full(len(c.table["building_id"]), -np.inf)
    np.maximum.at(top, fid, c.positions[:, 2])
    heights = b.set_index("building_id").loc[c.table["building_id"], "height_m"].to_numpy()
    assert np.allclose(top, heights, atol=0.02)


def test_zurich_lod2_keeps_parts_and_semantic_surfaces(tmp_path):
    result = run([CITYJSON / "zurich-lod2.city.json"], tmp_path)
    b = result.buildings
    assert len(b) == 161 and (b["parent_id"] != "").all()
    assert check_tileset(result.tileset_dir) == []
    assert validate_glbs(result.tileset_dir)["errors"] == 0
    materials = set()
    for c in _contents(result.tileset_dir):
        materials |= set(c.triangles_by_material)
        # roofs face up and grounds down, weighted by area (the source has a few folded,
        # non-planar slivers whose triangles cannot all face one way)
        p = c.positions
        for name, sign in (("roof", 1), ("ground", -1)):
            t = c.triangles_by_material[name]
            nz = np.cross(p[t[:, 1]] - p[t[:, 0]], p[t[:, 2]] - p[t[:, 0]])[:, 2] * sign
            assert nz[nz > 0].sum() / np.abs(nz).sum() > 0.99
    assert {"roof", "wall", "ground"} <= materials


def test_file_without_crs_asks_for_the_crs_option(tmp_path):
    with pytest.raises(CRSError, match="--crs"):
        read_cityjson(CITYJSON / "denhaag-subset.city.json", ReadOptions())
    runner = CliRunner()
    res = runner.invoke(
        app, ["build", str(CITYJSON / "rotterdam-subset.city.json"), "--out", str(tmp_path)]
    )
    assert res.exit_code == 1
    assert "--crs" in res.output and "rotterdam-subset.city.json" in res.output
    assert not any(tmp_path.iterdir())  # nothing half-written


@pytest.mark.parametrize("name", ["denhaag-subset", "rotterdam-subset"])
def test_file_without_crs_builds_with_crs_given(tmp_path, name):
    result = run([CITYJSON / f"{name}.city.json"], tmp_path, BuildOptions(src_crs="EPSG:7415"))
    assert check_tileset(result.tileset_dir) == []
    lon, lat = result.buildings.geometry.union_all().centroid.coords[0]
    assert 4.0 < lon < 4.6 and 51.8 < lat < 52.2  # the Netherlands


def test_lod_option_selects_a_level_and_reports_missing_ones(tmp_path):
    with pytest.raises(InvalidInputError, match="no building"):
        read_cityjson(CITYJSON / "zurich-lod2.city.json", ReadOptions(lod="3"))
    src = read_cityjson(CITYJSON / "zurich-lod2.city.json", ReadOptions(lod="2"))
    assert len(src) == 161


def test_broken_cityjson_names_the_file(tmp_path):
    bad = tmp_path / "broken.city.json"
    bad.write_text('{"type": "CityJSON", "version": "2.0", "CityObjects": {')
    with pytest.raises(InvalidInputError, match=r"broken\.city\.json"):
        read_cityjson(bad, ReadOptions())
    wrong = tmp_path / "old.city.json"
    wrong.write_text('{"type": "CityJSON", "version": "0.9", "CityObjects": {}, "vertices": []}')
    with pytest.raises(InvalidInputError, match="version"):
        read_cityjson(wrong, ReadOptions(src_crs="EPSG:7415"))
