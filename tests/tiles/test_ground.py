"""The ground layer: streets, water, green and names of the City of London as a 3D Tiles 1.1
tileset beside the buildings, read back with the tests' own glb reader."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely

from tests.tiles.conftest import LONDON_GEOJSON, LONDON_PBF, validate_glbs
from tests.tiles.gltf_reader import check_tileset, decode_content, iter_tiles, load_tileset
from tiles.errors import InvalidInputError, TilingError
from tiles.pipeline import BuildOptions, BuildResult, run

ECEF_TO_GEODETIC = pyproj.Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)
CLASS_ORDER = ["green", "water", "rail", "pedestrian", "footway", "carriageway"]


@pytest.fixture(scope="module")
def london_ground(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    out = tmp_path_factory.mktemp("london-ground")
    return run([LONDON_PBF], out, BuildOptions(name="london", ground=True))


def _ground(result: BuildResult) -> Path:
    return result.tileset_dir / "ground"


def _contents(folder: Path, leaves_only: bool = False):
    ts = load_tileset(folder)
    matrix = np.array(ts["root"]["transform"]).reshape(4, 4).T
    for tile, _parent, _depth in iter_tiles(ts["root"]):
        if "content" in tile and (not leaves_only or not tile.get("children")):
            yield tile, decode_content(folder / tile["content"]["uri"]), matrix


def _heights(positions: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    ecef = positions @ matrix[:3, :3].T + matrix[:3, 3]
    _lon, _lat, h = ECEF_TO_GEODETIC.transform(ecef[:, 0], ecef[:, 1], ecef[:, 2])
    return np.asarray(h)


def test_ground_tiles_pass_the_gltf_validator_and_the_structural_rules(london_ground):
    folder = _ground(london_ground)
    report = validate_glbs(folder)
    assert report["files"] == london_ground.report["ground"]["tiles_with_content"] > 1
    assert report["decoded"] == report["files"]
    assert report["errors"] == 0, report["reports"][:3]
    assert report["warnings"] == 0, report["reports"][:3]
    assert check_tileset(folder) == []
    ts = load_tileset(folder)
    assert ts["root"]["refine"] == "REPLACE"
    assert ts["root"]["geometricError"] > 0


def test_the_city_has_its_streets_river_squares_and_parks(london_ground):
    names: dict[str, set[str]] = {c: set() for c in CLASS_ORDER}
    for _tile, c, _m in _contents(_ground(london_ground), leaves_only=True):
        assert c.table is not None
        classes = c.glb.doc["extensions"]["EXT_structural_metadata"]["schema"]["enums"][
            "ground_class"
        ]["values"]
        by_value = {v["value"]: v["name"] for v in classes}
        for cls, name in zip(c.table["ground_class"], c.table.get("name", []), strict=False):
            names[by_value[int(cls)]].add(str(name))
        # a material per class present, named after it
        assert set(c.triangles_by_material) <= set(CLASS_ORDER)
    assert "River Thames" in names["water"]
    assert {"Fleet Street", "Cheapside", "Queen Victoria Street"} <= names["carriageway"]
    assert "Gough Square" in names["pedestrian"]
    assert all(names[c] for c in CLASS_ORDER), {c: len(v) for c, v in names.items()}


def test_classes_lie_a_few_centimetres_up_each_on_its_own_level(london_ground):
    levels: dict[str, list[float]] = {c: [] for c in CLASS_ORDER}
    for _tile, c, matrix in _contents(_ground(london_ground)):
        h = _heights(c.positions, matrix)
        for cls, tris in c.triangles_by_material.items():
            levels[cls].extend(h[np.unique(tris)].tolist())
    spans = {c: (min(v), max(v)) for c, v in levels.items()}
    for lower, upper in itertools.pairwise(CLASS_ORDER):
        # quantization (uint16 over a tile) moves a vertex by well under a centimetre
        assert spans[lower][1] + 0.02 < spans[upper][0], spans
    assert 0.02 < spans["green"][0] and spans["carriageway"][1] < 0.5, spans


def test_coarse_tiles_leave_footways_to_the_leaves(london_ground):
    for tile, c, _m in _contents(_ground(london_ground)):
        if tile.get("children"):
            assert "footway" not in c.triangles_by_material
            assert tile["geometricError"] > 0


def test_labels_name_streets_and_the_river_and_declutter_by_distance(london_ground):
    doc = json.loads((_ground(london_ground) / "labels.json").read_text(encoding="utf-8"))
    labels: dict[tuple[str, str], dict] = {}
    for f in doc["features"]:  # the farthest-reaching label of each name and class
        key = (f["properties"]["name"], f["properties"]["class"])
        if (
            key not in labels
            or f["properties"]["max_distance_m"] > labels[key]["properties"]["max_distance_m"]
        ):
            labels[key] = f
    assert ("River Thames", "water") in labels
    assert ("Fleet Street", "street") in labels and ("Gough Square", "square") in labels
    river = labels[("River Thames", "water")]["properties"]["max_distance_m"]
    fleet = labels[("Fleet Street", "street")]["properties"]["max_distance_m"]
    court = labels[("Gough Square", "square")]["properties"]["max_distance_m"]
    assert river > fleet > court
    lon, lat, _h = labels[("Fleet Street", "street")]["geometry"]["coordinates"]
    assert -0.112 < lon < -0.102 and 51.513 < lat < 51.515  # on Fleet Street


def test_without_ground_the_buildings_tileset_is_byte_identical(london_ground, tmp_path):
    plain = run([LONDON_PBF], tmp_path, BuildOptions(name="london"))
    assert not (plain.tileset_dir / "ground").exists()
    assert "ground" not in plain.report
    files = sorted(p.relative_to(plain.tileset_dir) for p in plain.tileset_dir.rglob("*.glb"))
    assert files
    for rel in [*files, Path("tileset.json"), Path("buildings.fgb")]:
        assert (plain.tileset_dir / rel).read_bytes() == (
            london_ground.tileset_dir / rel
        ).read_bytes()


def _layer(path: Path, features: list[dict], crs: str = "EPSG:27700") -> Path:
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": crs}},
        "features": features,
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _line(coords, **props) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": coords},
        "properties": props,
    }


def _polygon(ring, **props) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": props,
    }


def _ground_areas(folder: Path) -> dict[str, float]:
    """Area (m²) of the leaves' triangles per feature name."""
    out: dict[str, float] = {}
    for _tile, c, _m in _contents(folder, leaves_only=True):
        names = c.table.get("name")
        for tris in c.triangles_by_material.values():
            a, b, d = (c.positions[tris[:, k]] for k in range(3))
            area = 0.5 * np.abs(np.cross(b - a, d - a)[:, 2])
            fid = c.feature_ids[tris[:, 0]].astype(int)
            for f, s in zip(fid, area, strict=True):
                key = str(names[f]) if names is not None else ""
                out[key] = out.get(key, 0.0) + float(s)
    return out


@pytest.fixture
def gis_ground(tmp_path) -> Path:
    # British National Grid metres near St Paul's; buildings come from the London GeoJSON
    x0, y0 = 532000.0, 181000.0
    return _layer(
        tmp_path / "roads.geojson",
        [
            _line([[x0, y0], [x0 + 200, y0]], highway="primary", lanes="3", name="Three Lane Road"),
            _line([[x0, y0 + 100], [x0 + 200, y0 + 100]], highway="residential", name="Plain Road"),
            _line(
                [[x0, y0 + 200], [x0 + 200, y0 + 200]],
                highway="primary",
                tunnel="yes",
                name="Tunnel",
            ),
            _line(
                [[x0, y0 + 300], [x0 + 200, y0 + 300]], highway="service", name="Own Outline Road"
            ),
            _polygon(
                [
                    [x0 + 50, y0 + 295],
                    [x0 + 150, y0 + 295],
                    [x0 + 150, y0 + 305],
                    [x0 + 50, y0 + 305],
                    [x0 + 50, y0 + 295],
                ],
                **{"area:highway": "service", "name": "Outline"},
            ),
            _polygon(
                [
                    [x0, y0 - 300],
                    [x0 + 100, y0 - 300],
                    [x0 + 100, y0 - 200],
                    [x0, y0 - 200],
                    [x0, y0 - 300],
                ],
                leisure="park",
                name="Test Park",
            ),
        ],
    )


def test_centre_lines_become_carriageways_of_their_lanes_width(tmp_path, gis_ground):
    result = run(
        [LONDON_GEOJSON],
        tmp_path / "out",
        BuildOptions(name="g", ground_inputs=[str(gis_ground)], ground=True),
    )
    areas = _ground_areas(result.tileset_dir / "ground")
    # 200 m x 3 lanes x 3.25 m, plus round ends (a quarter circle in two segments each side)
    assert areas["Three Lane Road"] == pytest.approx(200 * 9.75 + np.pi * 4.875**2, rel=0.03)
    assert areas["Plain Road"] == pytest.approx(200 * 6.5 + np.pi * 3.25**2, rel=0.03)
    assert "Tunnel" not in areas
    assert areas["Test Park"] == pytest.approx(100 * 100, rel=0.01)
    # the carriageway outline replaces the 100 m of buffered centre line it covers
    assert areas["Outline"] == pytest.approx(1000, rel=0.01)
    assert areas["Own Outline Road"] == pytest.approx(100 * 3.9 + np.pi * 1.95**2, rel=0.05)


def test_ground_without_any_ground_feature_is_a_clear_error_and_writes_nothing(tmp_path):
    with pytest.raises(InvalidInputError, match="--ground: no OSM PBF input"):
        run([LONDON_GEOJSON], tmp_path, BuildOptions(name="g", ground=True))
    buildings_only = tmp_path / "only-buildings.geojson"
    buildings_only.write_bytes(LONDON_GEOJSON.read_bytes())
    with pytest.raises(InvalidInputError, match="--ground: no roads, paths, water or green"):
        run(
            [LONDON_GEOJSON],
            tmp_path,
            BuildOptions(name="g", ground_inputs=[str(buildings_only)], ground=True),
        )
    assert not (tmp_path / "g").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_ground_needs_3d_tiles_1_1(tmp_path):
    with pytest.raises(TilingError, match=r"--ground needs --format 1\.1"):
        run([LONDON_PBF], tmp_path, BuildOptions(ground=True, format="1.0"))


def test_ground_layer_of_a_gis_file_without_crs_asks_for_one(tmp_path):
    path = tmp_path / "roads.gpkg"
    import geopandas as gpd

    gpd.GeoDataFrame(
        {"highway": ["primary"]}, geometry=[shapely.LineString([(0, 0), (1, 1)])], crs=None
    ).to_file(path)
    with pytest.raises(InvalidInputError, match="declares no CRS"):
        run([LONDON_GEOJSON], tmp_path / "o", BuildOptions(ground_inputs=[str(path)], ground=True))


def test_a_bounded_build_writes_the_same_ground_layer(london_ground, tmp_path):
    # chunked read and spilled units (the path of large inputs) end in the same ground stage
    bounded = run([LONDON_PBF], tmp_path, BuildOptions(name="london", ground=True, chunk_rows=300))
    assert bounded.report["bounded"] is True
    here, there = _ground(bounded), _ground(london_ground)
    files = sorted(p.relative_to(there) for p in there.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(here) for p in here.rglob("*") if p.is_file())
    for rel in files:
        assert (here / rel).read_bytes() == (there / rel).read_bytes(), rel


def test_labels_near_a_more_important_one_show_only_closer_up(london_ground):
    doc = json.loads((_ground(london_ground) / "labels.json").read_text(encoding="utf-8"))
    feats = doc["features"]
    lonlat = np.array([f["geometry"]["coordinates"][:2] for f in feats])
    reach = np.array([f["properties"]["max_distance_m"] for f in feats])
    # metres on the spot (equirectangular at the City's latitude is exact enough for spacing)
    xy = np.column_stack(
        [lonlat[:, 0] * 111_320 * np.cos(np.radians(51.515)), lonlat[:, 1] * 110_574]
    )
    crowded = 0
    for j in range(len(feats)):
        d = np.hypot(*(xy - xy[j]).T)
        d[j] = np.inf
        near = (reach >= reach[j]) & (d * 6.0 < reach[j] * 0.99)
        # a label only ever shares the screen with a more important one when both are at the
        # close-up floor
        crowded += int(near.any() and reach[j] > 100.0)
    assert crowded == 0
    assert len(feats) > 300 and reach.max() > 4000
