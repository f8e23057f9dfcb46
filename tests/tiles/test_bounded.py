"""Bounded-memory builds (tiles/chunked.py): a tiny ``chunk_rows`` sends small inputs through the
chunked read, the spill files and the per-unit loading, which must give the in-memory result."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely import box

from tests.tiles.conftest import LONDON_GEOJSON, LONDON_PBF
from tests.tiles.gltf_reader import check_tileset
from tiles.pipeline import BuildOptions, BuildResult, heights_stage, read_stage, run
from tiles.readers import ReadOptions, iter_source, read_source
from tiles.readers.footprints import FIDS_PER_READ
from tiles.writers.buildings import stream_buildings_file, wkb_type, write_buildings_file


def assert_same_build(a: BuildResult, b: BuildResult) -> None:
    """Same tiles (bytes), tileset.json, buildings.fgb (bytes) and report (timings aside)."""
    files = sorted(p.relative_to(a.tileset_dir) for p in a.tileset_dir.rglob("*") if p.is_file())
    assert files == sorted(
        p.relative_to(b.tileset_dir) for p in b.tileset_dir.rglob("*") if p.is_file()
    )
    for f in files:
        if f.name != "build-report.json":
            assert (a.tileset_dir / f).read_bytes() == (b.tileset_dir / f).read_bytes(), f
    ra, rb = (json.loads((r.tileset_dir / "build-report.json").read_text()) for r in (a, b))
    for r in (ra, rb):
        del r["seconds"], r["bounded"]
        for how in ("chunk_rows", "jobs", "workers"):  # how the build ran, not what it made
            del r["options"][how]
    assert ra == rb


def write_features(path: Path, rows: list[dict]) -> Path:
    feats = [
        {
            "type": "Feature",
            "properties": {k: v for k, v in r.items() if k != "geometry"},
            "geometry": shapely.geometry.mapping(r["geometry"]),
        }
        for r in rows
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return path


@pytest.fixture(scope="module")
def pbf_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, BuildResult]:
    out = tmp_path_factory.mktemp("bounded-pbf")
    memory = run([LONDON_PBF], out / "memory", BuildOptions(name="london"))
    bounded = run([LONDON_PBF], out / "bounded", BuildOptions(name="london", chunk_rows=300))
    return memory, bounded


def test_small_inputs_stay_in_memory_and_large_ones_are_bounded(pbf_builds):
    memory, bounded = pbf_builds
    assert memory.report["bounded"] is False
    assert bounded.report["bounded"] is True


def test_bounded_osm_build_equals_the_in_memory_build(pbf_builds):
    memory, bounded = pbf_builds
    # 356 building:parts in chunks of 300 rows: parts and their outlines fall in different
    # chunks and different work units, and are still linked the same way
    assert bounded.report["counts"]["parts"] == memory.report["counts"]["parts"] > 300
    assert check_tileset(bounded.tileset_dir) == []
    assert_same_build(memory, bounded)
    pd.testing.assert_frame_equal(memory.buildings, bounded.buildings)


def test_a_part_and_its_outline_in_different_chunks_are_linked(tmp_path):
    outline = box(0.0, 51.0, 0.001, 51.001)
    rows = [
        {"id": "outline", "building": "yes", "geometry": outline},
        *[
            {
                "id": f"house{k}",
                "building": "house",
                "geometry": box(0.01 * k, 51.01, 0.01 * k + 2e-4, 51.0102),
            }
            for k in range(1, 6)
        ],
        # covers the west half of the outline: the outline is drawn as its east half only
        {
            "id": "part",
            "building:part": "yes",
            "height": "30",
            "geometry": box(0.0, 51.0, 0.0005, 51.001),
        },
    ]
    src = write_features(tmp_path / "linked.geojson", rows)
    memory = run([src], tmp_path / "memory", BuildOptions(name="linked"))
    bounded = run([src], tmp_path / "bounded", BuildOptions(name="linked", chunk_rows=2))
    assert bounded.report["bounded"] is True
    table = bounded.buildings.set_index("building_id")
    assert table.loc["linked:part", "parent_id"] == "linked:outline"
    assert bool(table.loc["linked:outline", "drawn"])  # half of it is still uncovered
    assert_same_build(memory, bounded)


def test_an_outline_covered_by_parts_from_later_chunks_is_not_drawn(tmp_path):
    rows = [{"id": "outline", "building": "yes", "geometry": box(0.0, 51.0, 0.001, 51.001)}]
    rows += [
        {
            "id": f"filler{k}",
            "building": "shed",
            "geometry": box(0.02 * k, 51.02, 0.02 * k + 1e-4, 51.0201),
        }
        for k in range(1, 4)
    ]
    rows += [
        {"id": "west", "building:part": "yes", "geometry": box(0.0, 51.0, 0.0005, 51.001)},
        {"id": "east", "building:part": "yes", "geometry": box(0.0005, 51.0, 0.001, 51.001)},
    ]
    src = write_features(tmp_path / "covered.geojson", rows)
    bounded = run([src], tmp_path / "bounded", BuildOptions(name="c", chunk_rows=2))
    memory = run([src], tmp_path / "memory", BuildOptions(name="c"))
    table = bounded.buildings.set_index("building_id")
    assert not bool(table.loc["covered:outline", "drawn"])
    assert set(table.loc[["covered:west", "covered:east"], "parent_id"]) == {"covered:outline"}
    assert_same_build(memory, bounded)


def test_duplicate_ids_in_different_chunks_keep_the_first(tmp_path):
    rows = [
        {
            "id": f"b{k % 4}",
            "building": "house",
            "height": str(5 + k),
            "geometry": box(0.01 * k, 51.0, 0.01 * k + 1e-4, 51.0001),
        }
        for k in range(8)
    ]
    src = write_features(tmp_path / "dups.geojson", rows)
    bounded = run([src], tmp_path / "bounded", BuildOptions(name="d", chunk_rows=3))
    memory = run([src], tmp_path / "memory", BuildOptions(name="d"))
    assert bounded.report["bounded"] is True
    assert sorted(bounded.buildings["height_m"]) == [5.0, 6.0, 7.0, 8.0]
    assert bounded.report["skipped_reasons"] == {"duplicate id": 4}
    assert_same_build(memory, bounded)


def test_bounded_units_on_forked_workers_and_dask_write_the_same_tileset(
    tmp_path, london_geojson_build
):
    for extra in ({"jobs": 2}, {"workers": 2}):
        options = BuildOptions(name="london-geojson", max_features=150, chunk_rows=700, **extra)
        result = run([LONDON_GEOJSON], tmp_path / str(extra), options)
        assert result.report["bounded"] is True
        assert_same_build(london_geojson_build, result)


def test_several_inputs_and_an_unreadable_one_give_the_in_memory_result(tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json")
    inputs = [LONDON_GEOJSON, bad, LONDON_PBF]
    memory = run(inputs, tmp_path / "memory", BuildOptions(name="mixed"))
    bounded = run(inputs, tmp_path / "bounded", BuildOptions(name="mixed", chunk_rows=1000))
    assert bounded.report["bounded"] is True
    assert bounded.report["skipped_reasons"].keys() == memory.report["skipped_reasons"].keys()
    assert_same_build(memory, bounded)


@pytest.mark.parametrize("driver", ["FlatGeobuf", "GPKG", "GeoJSON"])
def test_chunked_reads_give_the_rows_of_a_whole_read(tmp_path, driver):
    frame = pyogrio.read_dataframe(LONDON_GEOJSON)
    path = (
        tmp_path / f"london.{ {'FlatGeobuf': 'fgb', 'GPKG': 'gpkg', 'GeoJSON': 'geojson'}[driver] }"
    )
    pyogrio.write_dataframe(frame, path, driver=driver)
    whole = read_source(path, ReadOptions())
    chunks = list(iter_source(path, ReadOptions(), 1000))
    # windows of 1000 features, less the ways drawn by their building relation (issue 12)
    dropped = sorted(s.feature for s in whole.skipped)
    assert dropped == ["w155363896", "w201846169"]
    assert sorted(s.feature for c in chunks for s in c.skipped) == dropped
    assert sum(len(c) for c in chunks) == 2625 - 2 and all(len(c) <= 1000 for c in chunks)
    assert np.concatenate([c.source_id for c in chunks]).tolist() == whole.source_id.tolist()
    joined = np.concatenate([c.geometry for c in chunks])
    assert shapely.equals_exact(joined, whole.geometry, tolerance=0).all()
    for name, values in whole.columns.items():
        assert np.concatenate([c.columns[name] for c in chunks]).tolist() == values.tolist()


def test_flatgeobuf_windows_larger_than_one_fid_filter_read_every_row(tmp_path):
    # GDAL's Arrow reader takes at most FIDS_PER_READ ids at once; a window of 6,000 rows
    # used to fail with "error applying filter for 6000 fids" (the x10 bench input)
    frame = pyogrio.read_dataframe(LONDON_GEOJSON)
    copies = []
    for k in range(5):
        c = frame.copy()
        c["osm_id"] = c["osm_id"].astype(str) + f"-{k}"
        copies.append(c)
    path = tmp_path / "five-londons.fgb"
    pyogrio.write_dataframe(pd.concat(copies, ignore_index=True), path, driver="FlatGeobuf")
    assert 6_000 > FIDS_PER_READ
    whole = read_source(path, ReadOptions())
    chunks = list(iter_source(path, ReadOptions(), 6_000))
    assert [len(c) for c in chunks] == [6_000, 6_000, 5 * 2_625 - 12_000]
    assert np.concatenate([c.source_id for c in chunks]).tolist() == whole.source_id.tolist()
    joined = np.concatenate([c.geometry for c in chunks])
    assert shapely.equals_exact(joined, whole.geometry, tolerance=0).all()


def test_streamed_buildings_file_is_the_one_written_at_once(tmp_path):
    options = BuildOptions()
    read = read_stage([LONDON_PBF], options)
    table = heights_stage(read, options, ["london"]).table.compacted()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_buildings_file(tmp_path / "a" / "buildings.fgb", table, ["london"], "t")
    batches = (table.take(slice(k, k + 700)) for k in range(0, len(table), 700))
    multi = bool((wkb_type(table.footprint) == 6).any())
    rows = stream_buildings_file(tmp_path / "b" / "buildings.fgb", batches, ["london"], "t", multi)
    assert rows == len(table)
    a, b = ((tmp_path / d / "buildings.fgb").read_bytes() for d in "ab")
    assert a == b
