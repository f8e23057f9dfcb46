"""Applying an approved scheme to a built city tileset (tiles/apply.py), and undoing it."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from tests.tiles.conftest import LONDON_PBF, validate_glbs
from tests.tiles.gltf_reader import (
    check_tileset,
    iter_tiles,
    load_tileset,
    read_glb,
    read_property_table,
)
from tiles.apply import (
    CHANGES_FILE,
    ChangeError,
    apply_change,
    current_buildings,
    previous_dir,
    revert_change,
)
from tiles.errors import InvalidInputError
from tiles.geometry.crs import metres_per_degree
from tiles.pipeline import BuildOptions, BuildResult, run
from tiles.writers.coarse_rows import COARSE_ROWS_FILE


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _ids_by_tile(folder: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for tile, _parent, _depth in iter_tiles(load_tileset(folder)["root"]):
        uri = tile.get("content", {}).get("uri")
        if uri:
            glb = read_glb(folder / uri)
            if "EXT_structural_metadata" not in glb.doc.get("extensions", {}):
                out[uri] = set()  # a coarse tile of merged blocks only: no features
                continue
            out[uri] = set(read_property_table(glb)["building_id"].tolist())
    return out


def _block(lon: float, lat: float, half_m: float, name: str, height: float) -> dict:
    mx, my = (float(v[0]) for v in metres_per_degree(np.array([lat])))
    dx, dy = half_m / mx, half_m / my
    return {
        "id": name,
        "footprint": shapely.box(lon - dx, lat - dy, lon + dx, lat + dy),
        "height_m": height,
    }


@pytest.fixture
def city(london_pbf_build: BuildResult, tmp_path: Path) -> Path:
    """A private copy of the London PBF build (changes edit it)."""
    target = tmp_path / "tiles" / "london"
    shutil.copytree(london_pbf_build.tileset_dir, target)
    return target


def _scheme(city: Path) -> tuple[list[dict], str]:
    """Two blocks on the drawn building nearest a point of the City, and one building elsewhere
    to replace explicitly."""
    frame = pyogrio.read_dataframe(city / "buildings.fgb")
    whole = frame[(frame.parent_id.fillna("") == "") & frame.drawn]
    point = shapely.Point(-0.0905, 51.5145)
    here = whole.iloc[int(np.argmin(shapely.distance(whole.geometry.values, point)))]
    c = here.geometry.representative_point()
    blocks = [
        _block(c.x, c.y, 25.0, "scheme-a", 60.0),
        _block(c.x + 0.0008, c.y, 12.0, "scheme-b", 35.0),
    ]
    far = whole.iloc[int(np.argmax(shapely.distance(whole.geometry.values, point)))]
    return blocks, str(far.building_id)


def _expected_replaced(city: Path, blocks: list[dict], explicit: str) -> set[str]:
    """Computed here from buildings.fgb with geopandas: overlap > 1 % of the building's area,
    the explicit id, and the parts of every outline replaced."""
    frame = pyogrio.read_dataframe(city / "buildings.fgb").to_crs("EPSG:32630")  # UTM metres
    out = {explicit}
    for b in blocks:
        fp = gpd.GeoSeries([b["footprint"]], crs="EPSG:4326").to_crs("EPSG:32630").iloc[0]
        overlap = frame.geometry.intersection(fp).area
        out |= set(frame.building_id[overlap > 0.01 * frame.geometry.area])
    parts = frame.parent_id.fillna("").isin(out)
    return out | set(frame.building_id[parts])


def test_approved_scheme_joins_the_tileset_and_replaced_buildings_leave(city: Path) -> None:
    blocks, explicit = _scheme(city)
    before = _ids_by_tile(city)
    expected = _expected_replaced(city, blocks, explicit)
    assert len(expected) >= 3  # the scheme overlaps real buildings

    result = apply_change(city, "p7-1", blocks, [explicit])

    assert set(result.replaced) == expected
    after = _ids_by_tile(city)
    everything = set().union(*after.values())
    assert {"massing:scheme-a", "massing:scheme-b"} <= everything
    assert not everything & expected
    # each block in exactly one leaf; no other building lost or gained anywhere
    leaves = [u for u in after if "massing:scheme-a" in after[u]]
    assert len(leaves) == 1
    drawn_before = set().union(*before.values())
    assert everything == (drawn_before - expected) | {"massing:scheme-a", "massing:scheme-b"}
    # the city as it stands now: the table without the replaced rows, plus the blocks
    now = set(current_buildings(city).building_id.tolist())
    built = set(pyogrio.read_dataframe(city / "buildings.fgb").building_id)
    assert now == (built - expected) | {"massing:scheme-a", "massing:scheme-b"}
    # the two leaves that changed (the scheme's and the explicit building's) and their ancestors
    assert len(result.tiles) >= 4
    assert all(t.endswith(".p7-1.glb") for t in result.tiles)


def test_only_touched_tiles_change_and_the_rest_stays_byte_identical(city: Path) -> None:
    blocks, explicit = _scheme(city)
    before = _hashes(city)
    result = apply_change(city, "p7-1", blocks, [explicit])
    after = _hashes(city)
    changed = {k for k in before if before[k] != after.get(k)}
    assert changed == {"tileset.json", *result.removed_tiles}
    assert set(after) - set(before) == {CHANGES_FILE, *result.tiles}
    assert len(result.tiles) < len([k for k in before if k.endswith(".glb")])
    # the previous state is kept as it was, file for file
    assert result.previous == previous_dir(city, "p7-1")
    assert _hashes(result.previous) == before


def test_revert_puts_back_every_file(city: Path) -> None:
    blocks, explicit = _scheme(city)
    before = _hashes(city)
    apply_change(city, "p7-1", blocks, [explicit])
    middle = _hashes(city)
    second_block = _block(-0.0980, 51.5170, 10.0, "second", 20.0)
    apply_change(city, "p8-1", [second_block])
    with pytest.raises(ChangeError, match="revert p8-1 first"):
        revert_change(city, "p7-1")
    revert_change(city, "p8-1")
    assert _hashes(city) == middle
    revert_change(city, "p7-1")
    assert _hashes(city) == before
    assert not (city.parent / ".changes" / "london").exists()
    with pytest.raises(ChangeError, match="not applied"):
        revert_change(city, "p7-1")


def test_changed_tileset_passes_the_structural_checks_and_the_gltf_validator(city: Path) -> None:
    blocks, explicit = _scheme(city)
    apply_change(city, "p7-1", blocks, [explicit])
    apply_change(city, "p8-1", [_block(-0.0980, 51.5170, 10.0, "second", 20.0)])
    assert check_tileset(city) == []
    report = validate_glbs(city)
    assert report["errors"] == 0, report["reports"][:3]
    assert report["warnings"] == 0, report["reports"][:3]


def test_readers_never_see_a_half_written_tileset(city: Path) -> None:
    """A reader opening the folder (as the tiles route resolves a path) at any moment finds a
    tileset.json whose every content file is there: the swap is one rename."""
    blocks, explicit = _scheme(city)
    stop = threading.Event()
    problems: list[str] = []
    seen = [0]

    def read() -> None:
        while not stop.is_set():
            try:
                fd = os.open(city, os.O_RDONLY | os.O_DIRECTORY)
            except FileNotFoundError:
                problems.append("tileset folder missing")
                continue
            try:
                try:
                    with open(os.open("tileset.json", os.O_RDONLY, dir_fd=fd)) as f:
                        text = f.read()
                except FileNotFoundError:
                    # only a folder swapped out and removed meanwhile may lack it
                    if os.fstat(fd).st_ino == os.stat(city).st_ino:
                        problems.append("tileset.json missing")
                    continue
                missing = [
                    uri
                    for tile, _p, _d in iter_tiles(json.loads(text)["root"])
                    if (uri := tile.get("content", {}).get("uri"))
                    and not os.path.exists(os.path.join(f"/proc/self/fd/{fd}", uri))
                ]
                # a folder swapped out while being read (and then removed) is not what the
                # name serves: only a folder still in place at the end counts
                if os.fstat(fd).st_ino == os.stat(city).st_ino:
                    problems.extend(f"{uri} missing" for uri in missing)
                    seen[0] += 1
            finally:
                os.close(fd)

    def guarded() -> None:  # a reader that died would check nothing more: that fails
        try:
            read()
        except Exception as exc:
            problems.append(f"the reader failed: {exc!r}")

    reader = threading.Thread(target=guarded)
    reader.start()
    try:
        for _ in range(5):
            apply_change(city, "p7-1", blocks, [explicit])
            revert_change(city, "p7-1")
    finally:
        stop.set()
        reader.join()
    assert seen[0] > 0
    assert problems == []


def test_bad_changes_are_refused_and_change_nothing(city: Path, tmp_path: Path) -> None:
    blocks, explicit = _scheme(city)
    before = _hashes(city)
    with pytest.raises(InvalidInputError, match="replaces: building 'london:way/0'"):
        apply_change(city, "p7-1", blocks, ["london:way/0"])
    with pytest.raises(ChangeError, match="change id"):
        apply_change(city, "../x", blocks)
    bad = dict(blocks[0], height_m=-3.0)
    with pytest.raises(InvalidInputError, match="height"):
        apply_change(city, "p7-1", [bad])
    assert _hashes(city) == before
    apply_change(city, "p7-1", blocks, [explicit])
    with pytest.raises(ChangeError, match="already applied"):
        apply_change(city, "p7-1", blocks)
    implicit = run([LONDON_PBF], tmp_path / "imp", BuildOptions(name="london", implicit=True))
    with pytest.raises(ChangeError, match=r"explicit 3D Tiles 1\.1"):
        apply_change(implicit.tileset_dir, "p7-1", blocks)


def test_buildings_table_is_what_the_frame_reads(city: Path) -> None:
    """current_buildings before any change is exactly buildings.fgb."""
    table = current_buildings(city)
    frame = gpd.read_file(city / "buildings.fgb")
    assert sorted(table.building_id.tolist()) == sorted(frame.building_id.tolist())
    assert np.isclose(np.sort(table.height_m), np.sort(frame.height_m.to_numpy(dtype=float))).all()


def test_a_city_whose_root_has_no_content_retiles_only_the_sites_subtree(tmp_path: Path) -> None:
    """Two copies of London 5 km apart: the root and its children are too coarse to have
    content, so a change re-tiles only the site's subtree (the table is read around it)."""
    london = gpd.read_file(LONDON_PBF.parent / "buildings.geojson")
    east = london.copy()
    east["geometry"] = east.geometry.translate(xoff=0.07)
    east["osm_id"] = "east-" + east["osm_id"].astype(str)
    both = gpd.GeoDataFrame(pd.concat([london, east], ignore_index=True), crs=london.crs)
    source = tmp_path / "two.geojson"
    both.to_file(source, driver="GeoJSON")
    built = run([source], tmp_path / "out", BuildOptions(name="two"))
    folder = built.tileset_dir
    assert "content" not in load_tileset(folder)["root"]
    blocks, explicit = _scheme(folder)
    before = _hashes(folder)
    ids_before = _ids_by_tile(folder)
    result = apply_change(folder, "c1", blocks, [explicit])
    after = _hashes(folder)
    assert {k for k in before if before[k] != after.get(k)} == {
        "tileset.json",
        *result.removed_tiles,
    }
    assert len(result.tiles) < len(ids_before) / 2
    expected = _expected_replaced(folder, blocks, explicit)
    assert set(result.replaced) == expected
    everything = set().union(*_ids_by_tile(folder).values())
    assert {"massing:scheme-a", "massing:scheme-b"} <= everything
    assert not everything & expected
    assert check_tileset(folder) == []
    revert_change(folder, "c1")
    assert _hashes(folder) == before


def test_on_a_city_built_with_a_dem_the_blocks_stand_on_its_terrain(tmp_path: Path) -> None:
    from tests.tiles.test_terrain_build import (
        TO_LONLAT,
        X0,
        Y0,
        feet,
        walls_geodetic,
        write_buildings,
        write_utm_dem,
    )
    from tiles.terrain.dem import Dem

    dem_path = write_utm_dem(tmp_path / "hill.tif")
    source = write_buildings(tmp_path / "buildings.geojson")
    built = run([source], tmp_path / "tiles", BuildOptions(name="hill", dem=str(dem_path)))
    x, y = X0 + 250.0, Y0 - 150.0  # on the steep south-east flank
    ring = [(x, y), (x + 30, y), (x + 30, y + 18), (x, y + 18)]
    lon, lat = TO_LONLAT.transform(*zip(*ring, strict=True))
    block = {"id": "A", "footprint": shapely.Polygon(zip(lon, lat, strict=True)), "height_m": 24}
    result = apply_change(built.tileset_dir, "c1", [block])
    assert "massing:A" in set().union(*_ids_by_tile(built.tileset_dir).values())
    dem = Dem.open(dem_path)
    corners = np.concatenate([feet(w) for w in walls_geodetic(built.tileset_dir)])
    ground = dem.ellipsoidal(corners[:, 0], corners[:, 1])
    assert np.abs(corners[:, 2] - ground).max() <= 0.5
    assert result.tiles and check_tileset(built.tileset_dir) == []


def _applied(folder: Path) -> dict[str, str]:
    """Hashes of an applied tileset with its kept states, ``changes.json`` without the times."""
    out = {}
    for p in sorted(folder.parent.rglob("*")):
        if p.is_file() and not p.name.endswith(".lock"):
            data = p.read_bytes()
            if p.name == CHANGES_FILE:
                state = json.loads(data)
                for c in state["changes"]:
                    c.pop("applied_at")
                data = json.dumps(state).encode()
            out[p.relative_to(folder.parent).as_posix()] = hashlib.sha256(data).hexdigest()
    return out


def test_the_root_from_the_coarse_rows_file_is_the_root_from_the_whole_table(
    city: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The root (it shows the whole city) rebuilt from buildings-coarse.arrow and the site's
    rows, byte for byte what a whole read of buildings.fgb gives (the path of a tileset built
    without that file): a scheme, a second one on a spot with no building (a box the
    FlatGeobuf index finds empty), a third replacing a block of the first, and reverts."""
    assert (city / COARSE_ROWS_FILE).is_file()
    whole = tmp_path / "whole" / "london"
    shutil.copytree(city, whole)
    (whole / COARSE_ROWS_FILE).unlink()
    blocks, _explicit = _scheme(city)
    c = blocks[0]["footprint"].centroid
    open_ground = _block(-0.0850, 51.5143, 20.0, "open", 80.0)
    third = _block(c.x, c.y, 8.0, "third", 20.0)
    steps = [("p1", blocks), ("p2", [open_ground]), ("p3", [third])]
    for change_id, features in steps:
        with caplog.at_level(logging.DEBUG, logger="tiles.apply"):
            caplog.clear()
            a = apply_change(city, change_id, features)
            assert "root from buildings-coarse.arrow" in caplog.text
            caplog.clear()
            b = apply_change(whole, change_id, features)
            assert "root from buildings-coarse.arrow" not in caplog.text
        assert a.tiles == b.tiles and a.replaced == b.replaced
        assert any(t.startswith("content/0_0_0") for t in a.removed_tiles)
        ours, theirs = _applied(city), _applied(whole)
        theirs[f"london/{COARSE_ROWS_FILE}"] = ours[f"london/{COARSE_ROWS_FILE}"]
        for kept in [k for k in ours if k.endswith(COARSE_ROWS_FILE)]:
            theirs.setdefault(kept, ours[kept])
        assert ours == theirs
    assert "massing:scheme-a" in a.replaced  # the third took out a block of the first
    for change_id, _ in reversed(steps):
        revert_change(city, change_id)
        revert_change(whole, change_id)
    assert check_tileset(city) == []


def test_a_root_landmark_takes_the_whole_table(
    city: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A block tall enough to be a landmark of the root (its full row is a feature there)
    makes the root from the whole table, with the same bytes as a tileset without the file."""
    whole = tmp_path / "whole" / "london"
    shutil.copytree(city, whole)
    (whole / COARSE_ROWS_FILE).unlink()
    tower = [_block(-0.0905, 51.5145, 15.0, "tower", 600.0)]  # root cell 117 m: 4 cells tall
    with caplog.at_level(logging.DEBUG, logger="tiles.apply"):
        a = apply_change(city, "tower", tower)
        assert "root from buildings-coarse.arrow" not in caplog.text
    apply_change(whole, "tower", tower)
    ours, theirs = _applied(city), _applied(whole)
    theirs[f"london/{COARSE_ROWS_FILE}"] = ours[f"london/{COARSE_ROWS_FILE}"]
    theirs.update({k: v for k, v in ours.items() if k.endswith(COARSE_ROWS_FILE)})
    assert ours == theirs
    root = read_glb(city / next(t for t in a.tiles if t.startswith("content/0_0_0")))
    assert "massing:tower" in read_property_table(root)["building_id"].tolist()
