"""Bad input: clear messages naming file and feature, reasoned skips, no half-written output."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.tiles.gltf_reader import check_tileset
from tiles.cli import app
from tiles.errors import EmptyResultError
from tiles.heights import parse_lengths
from tiles.pipeline import run


def _square(x: float, y: float, d: float = 0.0002) -> list:
    return [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]


def _fc(features: list[dict]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features})


def _feature(fid: str, geom: dict, **props) -> dict:
    return {"type": "Feature", "properties": {"id": fid, **props}, "geometry": geom}


@pytest.fixture
def mixed(tmp_path):
    features = [
        _feature("ok-1", {"type": "Polygon", "coordinates": _square(0.0, 51.5)}, height="12 m"),
        _feature(
            "ok-2",
            {"type": "Polygon", "coordinates": _square(0.001, 51.5)},
            **{"building:levels": "4"},
        ),
        _feature("ok-3", {"type": "Polygon", "coordinates": _square(0.002, 51.5)}, height="12,5"),
        _feature("line", {"type": "LineString", "coordinates": [[0, 51.5], [0.001, 51.501]]}),
        _feature("neg", {"type": "Polygon", "coordinates": _square(0.003, 51.5)}, height="-4"),
        _feature("huge", {"type": "Polygon", "coordinates": _square(0.004, 51.5)}, height="5000"),
        _feature("ok-1", {"type": "Polygon", "coordinates": _square(0.005, 51.5)}, height="9"),
        _feature(
            "bowtie",
            {
                "type": "Polygon",
                "coordinates": [
                    [
                        [0.006, 51.5],
                        [0.0062, 51.5002],
                        [0.0062, 51.5],
                        [0.006, 51.5002],
                        [0.006, 51.5],
                    ]
                ],
            },
            height="7",
        ),
    ]
    path = tmp_path / "mixed.geojson"
    path.write_text(_fc(features))
    return path


def test_bad_features_are_skipped_with_reasons_and_the_rest_is_built(tmp_path, mixed):
    result = run([mixed], tmp_path / "out")
    ids = set(result.buildings["source_id"])
    assert {"ok-1", "ok-2", "ok-3", "bowtie"} <= ids
    assert not {"line", "neg", "huge"} & ids
    h = result.buildings.set_index("source_id")["height_m"]
    assert h["ok-1"] == 12.0 and h["ok-2"] == 12.0 and h["ok-3"] == 12.5
    skipped = {(s["feature"], s["reason"].split(" (")[0]) for s in result.report["skipped"]}
    assert ("line", "not a polygon") in skipped
    assert ("neg", "height outside 0..1000 m") in skipped
    assert ("huge", "height outside 0..1000 m") in skipped
    assert ("ok-1", "duplicate id") in skipped
    assert all(s["file"] == str(mixed) for s in result.report["skipped"])
    assert check_tileset(result.tileset_dir) == []


@pytest.mark.parametrize(
    "content",
    [
        "",
        "this is not a vector file",
        _fc([]),
        _fc([_feature("l", {"type": "Point", "coordinates": [0, 51]})]),
    ],
    ids=["empty", "garbage", "no-features", "only-points"],
)
def test_nothing_buildable_exits_non_zero_and_writes_nothing(tmp_path, content):
    path = tmp_path / "in.geojson"
    path.write_text(content)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["build", str(path), "--out", str(out)])
    assert res.exit_code == 1
    assert "in.geojson" in res.output
    assert not out.exists() or not any(out.iterdir())
    with pytest.raises(EmptyResultError):
        run([path], tmp_path / "out2")


def test_unknown_crs_is_a_clear_error(tmp_path, mixed):
    res = CliRunner().invoke(
        app, ["build", str(mixed), "--out", str(tmp_path / "o"), "--crs", "EPSG:999999"]
    )
    assert res.exit_code == 1 and "unknown CRS" in res.output


def test_a_failed_rebuild_leaves_the_previous_tileset_in_place(tmp_path, mixed):
    first = run(
        [mixed],
        tmp_path,
    )
    before = sorted(p.name for p in first.tileset_dir.rglob("*"))
    empty = tmp_path / "mixed.geojson.bad"
    empty.write_text("")
    with pytest.raises(EmptyResultError):
        run([empty], tmp_path, __import__("tiles.pipeline").pipeline.BuildOptions(name="mixed"))
    assert sorted(p.name for p in first.tileset_dir.rglob("*")) == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_lengths_parse_units_and_decimal_commas():
    values = np.array(["12", "12 m", "12,5", " 7.25m ", "10 ft", "", "n/a", "3;4"], dtype=object)
    got = parse_lengths(values)
    assert got[:5].tolist() == pytest.approx([12, 12, 12.5, 7.25, 3.048])
    assert np.isnan(got[5:]).all()
