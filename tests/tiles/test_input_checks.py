"""Inputs that used to build nonsense or fail obscurely (issue 12): projected coordinates taken
for degrees, a directory or a truncated PBF as input, a path as --name, stale temp folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tests.tiles.conftest import LONDON_GEOJSON, LONDON_PBF
from tiles.cli import app
from tiles.errors import CRSError, InvalidInputError, TilingError
from tiles.pipeline import BuildOptions, run
from tiles.readers import ReadOptions, read_source


def _geojson(path, rings):
    features = [
        {
            "type": "Feature",
            "properties": {"height": 10},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        for ring in rings
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_projected_metres_without_crs_ask_for_crs(tmp_path):
    # British National Grid metres in a GeoJSON without a crs member
    src = _geojson(
        tmp_path / "bng.geojson",
        [[[530000, 180000], [530020, 180000], [530020, 180015], [530000, 180000]]],
    )
    with pytest.raises(CRSError, match=r"bng\.geojson.*outside longitude/latitude.*--crs"):
        read_source(src, ReadOptions())
    res = CliRunner().invoke(app, ["build", str(src), "--out", str(tmp_path / "out")])
    assert res.exit_code == 1 and "--crs" in res.output
    assert not (tmp_path / "out" / "bng").exists()
    # with the CRS given it builds, in London
    result = run([src], tmp_path / "out", BuildOptions(src_crs="EPSG:27700"))
    lon, lat = result.buildings.geometry.iloc[0].centroid.coords[0]
    assert -0.2 < lon < 0 and 51.4 < lat < 51.6


def test_small_local_metres_are_not_taken_for_degrees(tmp_path):
    src = _geojson(
        tmp_path / "site.geojson",
        [
            [[0, 0], [8, 0], [8, 6], [0, 6], [0, 0]],
            [[10, 0], [18, 0], [18, 6], [10, 0]],
        ],
    )
    with pytest.raises(CRSError, match=r"span more than 3 km.*--crs"):
        read_source(src, ReadOptions())


def test_one_implausible_footprint_is_skipped_with_a_reason(tmp_path):
    small = [[-0.1, 51.5], [-0.0999, 51.5], [-0.0999, 51.5001], [-0.1, 51.5]]
    src = _geojson(
        tmp_path / "mixed.geojson",
        [small, small, [[-0.1, 51.5], [0.0, 51.5], [0.0, 51.6], [-0.1, 51.5]]],
    )
    data = read_source(src, ReadOptions())
    assert list(data.source_id) == ["fid0", "fid1"]
    assert [(s.feature, s.reason.split(" (")[0]) for s in data.skipped] == [
        ("fid2", "implausible footprint")
    ]


def test_a_directory_as_input_says_it_is_a_directory(tmp_path):
    folder = tmp_path / "buildings.geojson"
    folder.mkdir()
    with pytest.raises(InvalidInputError, match="is a directory"):
        read_source(folder, ReadOptions())


def test_a_truncated_pbf_is_reported_as_truncated(tmp_path):
    cut = tmp_path / "cut.osm.pbf"
    cut.write_bytes(LONDON_PBF.read_bytes()[:300_000])
    with pytest.raises(InvalidInputError, match="truncated or corrupt"):
        read_source(cut, ReadOptions())
    junk = tmp_path / "junk.osm.pbf"
    junk.write_bytes(b"\x00\x00\x00\x05hello world")
    with pytest.raises(InvalidInputError, match="truncated or corrupt"):
        read_source(junk, ReadOptions())


@pytest.mark.parametrize("name", ["../x", "a/b", ".hidden", "", "x" * 101])
def test_a_path_as_name_is_one_sentence(tmp_path, name):
    with pytest.raises(TilingError, match="not a plain folder name"):
        run([LONDON_GEOJSON], tmp_path / "out", BuildOptions(name=name))
    res = CliRunner().invoke(
        app, ["build", str(LONDON_GEOJSON), "--out", str(tmp_path / "out"), "--name", name]
    )
    assert res.exit_code == 1
    assert "not a plain folder name" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "x").exists()


def test_stale_temp_folders_of_dead_builds_are_removed(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = out / f".demo.{int(dead.stdout)}.k3j2h1.tmp"
    (stale / "content").mkdir(parents=True)
    running = out / f".demo.{os.getpid()}.a1b2c3.tmp"  # a build still running
    running.mkdir()
    other = out / f".other.{int(dead.stdout)}.zz.tmp"  # another tileset's
    other.mkdir()
    run([LONDON_GEOJSON], out, BuildOptions(name="demo"))
    assert not stale.exists()
    assert running.exists() and other.exists()
    assert (out / "demo" / "tileset.json").exists()
    assert sorted(p.name for p in out.glob(".demo.*")) == [running.name]
