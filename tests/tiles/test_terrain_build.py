"""``tiles build --dem``: buildings on a steep synthetic hill (Genoa-like: 200 m over about
500 m), the quantized-mesh terrain, the draped ground layer, and CityJSON at its real heights.

Footprint corners are read back from the glb (decoded, root transform applied, ECEF to geodetic
by PROJ) and compared with the DEM + EGM96 geoid (``Dem.ellipsoidal``) and with the terrain
tiles decoded here from the quantized-mesh bytes.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pyproj
import pytest
import rasterio
from rasterio.transform import Affine

from tests.tiles.conftest import validate_glbs
from tests.tiles.gltf_reader import check_tileset, decode_content, iter_tiles, load_tileset
from tiles.errors import CRSError, InvalidInputError
from tiles.pipeline import BuildOptions, run
from tiles.terrain.dem import Dem

UTM = "EPSG:32632"
X0, Y0 = 494_700.0, 4_917_000.0  # the hill's top, near Genoa's old port
TO_LONLAT = pyproj.Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
ECEF_TO_GEODETIC = pyproj.Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)
HEIGHT_M = 20.0  # taller than any footprint's drop across the slope (else it is dug in)


def hill(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """20 m plus a 200 m Gaussian hill of 250 m spread: slopes up to about 50 %."""
    return 20.0 + 200.0 * np.exp(-((x - X0) ** 2 + (y - Y0) ** 2) / (2 * 250.0**2))


def write_utm_dem(path: Path, pixel: float = 5.0, size: int = 400) -> Path:
    west, north = X0 - size * pixel / 2, Y0 + size * pixel / 2
    cols = west + (np.arange(size) + 0.5) * pixel
    rows = north - (np.arange(size) + 0.5) * pixel
    z = hill(cols[None, :], rows[:, None]).astype(np.float32)
    with rasterio.open(
        path, "w", driver="GTiff", width=size, height=size, count=1, dtype="float32",
        crs=UTM, transform=Affine(pixel, 0.0, west, 0.0, -pixel, north), nodata=-9999.0,
    ) as ds:  # fmt: skip
        ds.write(z, 1)
    return path


def write_lonlat_dem(path: Path, cell_deg: float = 0.00005, size: int = 500) -> Path:
    """The same hill sampled on a lon/lat grid (EPSG:4326, about 4 x 5.5 m cells)."""
    lon0, lat0 = TO_LONLAT.transform(X0, Y0)
    west, north = lon0 - size * cell_deg / 2, lat0 + size * cell_deg / 2
    lon = west + (np.arange(size) + 0.5) * cell_deg
    lat = north - (np.arange(size) + 0.5) * cell_deg
    glon, glat = np.meshgrid(lon, lat)
    x, y = pyproj.Transformer.from_crs("EPSG:4326", UTM, always_xy=True).transform(glon, glat)
    z = hill(np.asarray(x), np.asarray(y)).astype(np.float32)
    with rasterio.open(
        path, "w", driver="GTiff", width=size, height=size, count=1, dtype="float32",
        crs="EPSG:4326", transform=Affine(cell_deg, 0.0, west, 0.0, -cell_deg, north),
    ) as ds:  # fmt: skip
        ds.write(z, 1)
    return path


def write_buildings(path: Path, n: int = 80, side: float = 12.0, seed: int = 5) -> Path:
    """Squares and L shapes all over the hill (on its steep flanks most of them)."""
    rng = np.random.default_rng(seed)
    feats = []
    for i in range(n):
        x, y = X0 + rng.uniform(-550, 550), Y0 + rng.uniform(-550, 550)
        s = side
        ring = [(x, y), (x + s, y), (x + s, y + s), (x, y + s)]
        if i % 3 == 0:  # an L
            ring = [(x, y), (x + 2 * s, y), (x + 2 * s, y + s), (x + s, y + s),
                    (x + s, y + 2 * s), (x, y + 2 * s)]  # fmt: skip
        lon, lat = TO_LONLAT.transform(*zip(*ring, strict=True))
        coords = [[a, b] for a, b in zip(lon, lat, strict=True)]
        feats.append(
            {
                "type": "Feature",
                "properties": {"id": f"b{i}", "height": HEIGHT_M},
                "geometry": {"type": "Polygon", "coordinates": [[*coords, coords[0]]]},
            }
        )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return path


def walls_geodetic(folder: Path) -> list[np.ndarray]:
    """Per leaf glb: its wall vertices as (lon, lat, ellipsoidal height)."""
    ts = load_tileset(folder)
    m = np.asarray(ts["root"]["transform"], float).reshape(4, 4).T
    out = []
    for glb in sorted((folder / "content").rglob("*.glb")):
        c = decode_content(glb)
        walls = c.triangles_by_material.get("wall")
        if walls is None:
            continue
        p = c.positions[np.unique(walls)]
        ecef = p @ m[:3, :3].T + m[:3, 3]
        lon, lat, h = ECEF_TO_GEODETIC.transform(ecef[:, 0], ecef[:, 1], ecef[:, 2])
        out.append(np.column_stack([lon, lat, h]))
    return out


def feet(vertices: np.ndarray) -> np.ndarray:
    """The lowest vertex at each corner: of the vertices within 5 cm horizontally (a wall's
    foot and its top share lon/lat), the lowest, once per corner."""
    mx = 111_320.0 * np.cos(np.radians(vertices[:, 1].mean()))
    xy = vertices[:, :2] * np.array([mx, 111_320.0])
    near = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) < 0.05
    low = np.where(near, vertices[None, :, 2], np.inf).min(axis=1)
    is_foot = vertices[:, 2] <= low + 1e-6
    return vertices[is_foot]


# --- quantized-mesh decoding, written from the format's specification -------------------------


def _unzigzag(v: np.ndarray) -> np.ndarray:
    v = v.astype(np.int64)
    return np.cumsum((v >> 1) ^ -(v & 1))


def decode_terrain_tile(data: bytes, bounds: tuple[float, float, float, float]):
    """(lon, lat, h) of every vertex and the triangles of a quantized-mesh-1.0 tile."""
    h_min, h_max = struct.unpack_from("<2f", data, 24)
    count = struct.unpack_from("<I", data, 88)[0]
    q = np.frombuffer(data, "<u2", 3 * count, 92).reshape(3, count)
    u, v, hq = (_unzigzag(q[i]) for i in range(3))
    off = 92 + 6 * count
    wide = count > 65536
    off += (-off) % (4 if wide else 2)
    tris = struct.unpack_from("<I", data, off)[0]
    codes = np.frombuffer(data, "<u4" if wide else "<u2", 3 * tris, off + 4).astype(np.int64)
    idx, highest = np.empty_like(codes), 0
    for k, c in enumerate(codes.tolist()):
        idx[k] = highest - c
        if c == 0:
            highest += 1
    w, s, e, n = bounds
    lon = w + (e - w) * u / 32767.0
    lat = s + (n - s) * v / 32767.0
    h = h_min + (h_max - h_min) * hq / 32767.0
    return np.column_stack([lon, lat, h]), idx.reshape(-1, 3)


def terrain_height(folder: Path, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Heights of the finest terrain tiles at lon/lat, interpolated in their triangles."""
    layer = json.loads((folder / "layer.json").read_text())
    level = layer["maxzoom"]
    size = 180.0 / 2**level
    out = np.full(lon.size, np.nan)
    tx = np.floor((lon + 180.0) / size).astype(int)
    ty = np.floor((lat + 90.0) / size).astype(int)
    for x, y in set(zip(tx.tolist(), ty.tolist(), strict=True)):
        bounds = (-180 + x * size, -90 + y * size, -180 + (x + 1) * size, -90 + (y + 1) * size)
        verts, tris = decode_terrain_tile(
            (folder / f"{level}/{x}/{y}.terrain").read_bytes(), bounds
        )
        sel = np.flatnonzero((tx == x) & (ty == y))
        a, b, c = verts[tris[:, 0]], verts[tris[:, 1]], verts[tris[:, 2]]
        for i in sel:
            p = np.array([lon[i], lat[i]])
            d = (b[:, 1] - c[:, 1]) * (a[:, 0] - c[:, 0]) + (c[:, 0] - b[:, 0]) * (
                a[:, 1] - c[:, 1]
            )
            l1 = (
                (b[:, 1] - c[:, 1]) * (p[0] - c[:, 0]) + (c[:, 0] - b[:, 0]) * (p[1] - c[:, 1])
            ) / d
            l2 = (
                (c[:, 1] - a[:, 1]) * (p[0] - c[:, 0]) + (a[:, 0] - c[:, 0]) * (p[1] - c[:, 1])
            ) / d
            l3 = 1 - l1 - l2
            inside = np.flatnonzero((l1 >= -1e-9) & (l2 >= -1e-9) & (l3 >= -1e-9))
            t = inside[0]
            out[i] = l1[t] * a[t, 2] + l2[t] * b[t, 2] + l3[t] * c[t, 2]
    return out


# --- tests ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hill_build(tmp_path_factory):
    d = tmp_path_factory.mktemp("hill")
    dem = write_utm_dem(d / "hill.tif")
    buildings = write_buildings(d / "buildings.geojson")
    result = run([buildings], d / "tiles", BuildOptions(name="hill", dem=str(dem)))
    return result, Dem.open(dem), buildings


@pytest.mark.parametrize("dem_kind", ["utm", "lonlat"])
@pytest.mark.parametrize("base", ["min", "mean"])
def test_every_footprint_corner_lies_on_the_terrain(tmp_path, dem_kind, base):
    dem_path = (write_utm_dem if dem_kind == "utm" else write_lonlat_dem)(tmp_path / "dem.tif")
    buildings = write_buildings(tmp_path / "b.geojson")
    result = run([buildings], tmp_path / "t", BuildOptions(name="h", dem=str(dem_path), base=base))
    dem = Dem.open(dem_path)
    corners = np.concatenate([feet(w) for w in walls_geodetic(result.tileset_dir)])
    ground = dem.ellipsoidal(corners[:, 0], corners[:, 1])
    assert corners.shape[0] >= 80 * 4
    assert np.abs(corners[:, 2] - ground).max() <= 0.5
    # really on a slope: the corners of one building differ by metres, and the heights are
    # ellipsoidal (EGM96 near Genoa adds about 47 m to the DEM's)
    assert float(np.ptp(corners[:, 2])) > 150.0
    assert 40.0 < float(np.mean(ground - dem.sample(corners[:, 0], corners[:, 1]))) < 52.0


def test_a_dem_without_a_crs_is_asked_for_one_and_builds_with_it(tmp_path):
    """An ESRI ASCII grid has no CRS (its .prj is often missing): the build names the option
    that gives one, and with it the buildings stand on the same terrain as from the GeoTIFF."""
    tif = write_utm_dem(tmp_path / "dem.tif")
    with rasterio.open(tif) as src:
        z, transform = src.read(1), src.transform
    asc = tmp_path / "dem.asc"
    with rasterio.open(
        asc, "w", driver="AAIGrid", width=z.shape[1], height=z.shape[0], count=1,
        dtype="float32", transform=transform, nodata=-9999.0,
    ) as ds:  # fmt: skip
        ds.write(z, 1)
    assert not asc.with_suffix(".prj").exists()
    buildings = write_buildings(tmp_path / "b.geojson")
    with pytest.raises(CRSError, match=r"declares no CRS; give it with --dem-crs"):
        run([buildings], tmp_path / "t", BuildOptions(name="h", dem=str(asc)))
    assert not (tmp_path / "t" / "h").exists()
    with pytest.raises(CRSError, match=r"dem\.asc"):
        run([buildings], tmp_path / "t", BuildOptions(name="h", dem=str(asc), dem_crs="EPSG:0"))
    result = run([buildings], tmp_path / "t", BuildOptions(name="h", dem=str(asc), dem_crs=UTM))
    assert result.report["options"]["dem_crs"] == UTM
    corners = np.concatenate([feet(w) for w in walls_geodetic(result.tileset_dir)])
    ground = Dem.open(tif).ellipsoidal(corners[:, 0], corners[:, 1])
    assert np.abs(corners[:, 2] - ground).max() <= 0.5
    assert float(np.ptp(corners[:, 2])) > 150.0


def _with_void(src: Path, dst: Path, rows: slice, cols: slice) -> Path:
    """A copy of a DEM with no data in ``rows`` x ``cols`` (a lake, a gap in a survey)."""
    with rasterio.open(src) as ds:
        z, profile = ds.read(1), ds.profile
    z[rows, cols] = profile["nodata"]
    with rasterio.open(dst, "w", **profile) as ds:
        ds.write(z, 1)
    return dst


def test_buildings_over_a_void_in_the_dem_stand_on_its_filled_ground(tmp_path):
    """No-data cells under buildings are filled from their neighbours and counted, instead of
    refusing the city; points beyond the DEM still are refused (another test)."""
    tif = write_utm_dem(tmp_path / "dem.tif")
    # 60 x 60 cells (300 m) off the hill's top, on its flank
    void = _with_void(tif, tmp_path / "void.tif", slice(60, 120), slice(60, 120))
    buildings = write_buildings(tmp_path / "b.geojson")
    result = run([buildings], tmp_path / "t", BuildOptions(name="h", dem=str(void)))
    t = result.report["terrain"]
    assert t["no_data_nodes"] >= 58 * 58, t
    corners = np.concatenate([feet(w) for w in walls_geodetic(result.tileset_dir)])
    holed, whole = Dem.open(void), Dem.open(tif)
    on_data = ~np.isnan(holed.sample(corners[:, 0], corners[:, 1]))
    assert on_data.sum() < corners.shape[0]  # some corners stand in the void
    # elsewhere on the terrain exactly as before; in the void between the heights around it
    # (filled ring by ring from the rim: no hole, no spike)
    truth = whole.ellipsoidal(corners[:, 0], corners[:, 1])
    assert np.abs(corners[on_data, 2] - truth[on_data]).max() <= 0.5
    n = float(np.mean(truth - whole.sample(corners[:, 0], corners[:, 1])))  # the geoid's
    z = whole.heights
    rim = np.concatenate([z[59, 59:121], z[120, 59:121], z[59:121, 59], z[59:121, 120]]) + n
    inside = corners[~on_data, 2]
    assert rim.min() - 0.5 <= inside.min() and inside.max() <= rim.max() + 0.5, (inside, rim)
    # the terrain tiles the viewer draws stand on the same filled ground
    th = terrain_height(result.tileset_dir / "terrain", corners[:, 0], corners[:, 1])
    assert np.abs(th - corners[:, 2]).max() <= 0.5


@pytest.mark.parametrize("value", [-32768.0, -3.4028235e38, 1e30])
def test_heights_no_terrain_has_are_refused_naming_the_cell(tmp_path, value):
    """An undeclared no-data value (or a spike) would lift or bury the city by kilometres."""
    tif = write_utm_dem(tmp_path / "dem.tif")
    with rasterio.open(tif) as src:
        z, profile = src.read(1), src.profile
    z[200, 150] = value
    profile["nodata"] = None  # not declared
    bad = tmp_path / "bad.tif"
    with rasterio.open(bad, "w", **profile) as ds:
        ds.write(z, 1)
    buildings = write_buildings(tmp_path / "b.geojson")
    with pytest.raises(
        InvalidInputError,
        match=r"1 cells have heights no terrain has .* column 150, row 200.*-a_nodata",
    ):
        run([buildings], tmp_path / "t", BuildOptions(name="h", dem=str(bad)))
    assert not (tmp_path / "t" / "h").exists()


def test_infinite_heights_are_no_data(tmp_path):
    tif = write_utm_dem(tmp_path / "dem.tif")
    with rasterio.open(tif) as src:
        z, profile = src.read(1), src.profile
    z[200:202, 150:152] = np.inf
    profile["nodata"] = None
    odd = tmp_path / "inf.tif"
    with rasterio.open(odd, "w", **profile) as ds:
        ds.write(z, 1)
    dem = Dem.open(odd)
    assert np.isnan(dem.heights[200:202, 150:152]).all() and np.isfinite(dem.heights).sum() > 0
    buildings = write_buildings(tmp_path / "b.geojson")
    result = run([buildings], tmp_path / "t", BuildOptions(name="h", dem=str(odd)))
    assert result.report["terrain"]["no_data_nodes"] > 0
    corners = np.concatenate([feet(w) for w in walls_geodetic(result.tileset_dir)])
    assert np.isfinite(corners).all() and corners[:, 2].max() < 400.0


def test_a_dem_with_no_data_under_most_of_the_city_is_refused(tmp_path):
    tif = write_utm_dem(tmp_path / "dem.tif")
    void = _with_void(tif, tmp_path / "void.tif", slice(0, 400), slice(0, 300))
    buildings = write_buildings(tmp_path / "b.geojson")
    with pytest.raises(InvalidInputError, match=r"no data under \d+ % of the city"):
        run([buildings], tmp_path / "t", BuildOptions(name="h", dem=str(void)))
    assert not (tmp_path / "t" / "h").exists()


def test_roofs_stand_their_height_above_the_lowest_corner(hill_build):
    result, dem, _ = hill_build
    ts = load_tileset(result.tileset_dir)
    m = np.asarray(ts["root"]["transform"], float).reshape(4, 4).T
    table = result.buildings
    for glb in sorted((result.tileset_dir / "content").rglob("*.glb")):
        c = decode_content(glb)
        if c.table is None or "roof" not in c.triangles_by_material:
            continue
        roof_v = np.unique(c.triangles_by_material["roof"])
        ecef = c.positions[roof_v] @ m[:3, :3].T + m[:3, 3]
        _lon, _lat, h = ECEF_TO_GEODETIC.transform(ecef[:, 0], ecef[:, 1], ecef[:, 2])
        fid = c.feature_ids[roof_v].astype(int)
        for f in np.unique(fid):
            bid = c.table["building_id"][f]
            fp = table.geometry[table.building_id == bid].iloc[0]
            xy = np.asarray(fp.exterior.coords)
            lowest = dem.ellipsoidal(xy[:, 0], xy[:, 1]).min()
            assert np.abs(h[fid == f] - (lowest + HEIGHT_M)).max() < 0.3, bid
    assert validate_glbs(result.tileset_dir)["errors"] == 0
    assert check_tileset(result.tileset_dir) == []


def test_the_terrain_tiles_agree_with_the_buildings(hill_build):
    result, dem, _ = hill_build
    terrain = result.tileset_dir / "terrain"
    layer = json.loads((terrain / "layer.json").read_text())
    assert layer["format"] == "quantized-mesh-1.0" and layer["scheme"] == "tms"
    assert layer["available"][0] == [{"startX": 0, "startY": 0, "endX": 1, "endY": 0}]
    for level, ranges in enumerate(layer["available"]):
        for r in ranges:
            for x in range(r["startX"], r["endX"] + 1):
                for y in range(r["startY"], r["endY"] + 1):
                    assert (terrain / f"{level}/{x}/{y}.terrain").is_file()
    corners = np.concatenate([feet(w) for w in walls_geodetic(result.tileset_dir)])
    mesh_h = terrain_height(terrain, corners[:, 0], corners[:, 1])
    assert np.abs(corners[:, 2] - mesh_h).max() <= 0.5
    # and the mesh is the DEM + geoid, also away from the buildings
    rng = np.random.default_rng(2)
    x, y = X0 + rng.uniform(-600, 600, 300), Y0 + rng.uniform(-600, 600, 300)
    lon, lat = (np.asarray(v) for v in TO_LONLAT.transform(x, y))
    assert np.abs(terrain_height(terrain, lon, lat) - dem.ellipsoidal(lon, lat)).max() <= 0.5
    assert result.report["terrain"]["tiles"] == sum(
        (r["endX"] - r["startX"] + 1) * (r["endY"] - r["startY"] + 1)
        for ranges in layer["available"]
        for r in ranges
    )


def _occluded(camera: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Whether the unit sphere hides each of ``points`` from ``camera`` (both in ellipsoid-scaled
    coordinates): Cesium's EllipsoidalOccluder test, written from its horizon-culling note."""
    vh2 = camera @ camera - 1.0
    vt = points - camera
    vt_dot_vc = -(vt @ camera)
    return (vt_dot_vc > vh2) & (vt_dot_vc**2 / (vt * vt).sum(axis=1) > vh2)


def test_terrain_tiles_headers_bound_their_vertices_and_hide_them_only_behind_the_horizon(
    hill_build,
):
    result, _, _ = hill_build
    terrain = result.tileset_dir / "terrain"
    layer = json.loads((terrain / "layer.json").read_text())
    radii = np.array([6378137.0, 6378137.0, 6356752.314245179])
    rng = np.random.default_rng(4)
    to_ecef = pyproj.Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
    checked = 0
    for level in (0, 8, len(layer["available"]) - 1):
        r = layer["available"][level][0]
        x, y = r["startX"], r["startY"]
        size = 180.0 / 2**level
        bounds = (-180 + x * size, -90 + y * size, -180 + (x + 1) * size, -90 + (y + 1) * size)
        data = (terrain / f"{level}/{x}/{y}.terrain").read_bytes()
        center = np.array(struct.unpack_from("<3d", data, 0))
        h_min, h_max = struct.unpack_from("<2f", data, 24)
        sphere = np.array(struct.unpack_from("<4d", data, 32))
        horizon = np.array(struct.unpack_from("<3d", data, 64))
        verts, _ = decode_terrain_tile(data, bounds)
        ecef = np.column_stack(to_ecef.transform(verts[:, 0], verts[:, 1], verts[:, 2]))
        assert np.array_equal(sphere[:3], center)
        assert np.linalg.norm(ecef - center, axis=1).max() <= sphere[3] + 0.01
        assert h_min <= verts[:, 2].min() + 0.01 and verts[:, 2].max() <= h_max + 0.01
        if np.linalg.norm(horizon) > 1e5:
            continue  # too large a tile for a horizon point: never culled
        # cameras all around the tile, 1 to 2,000 km up: where its horizon point is hidden,
        # every vertex is too
        scaled = ecef / radii
        mid = scaled.mean(axis=0) / np.linalg.norm(scaled.mean(axis=0))
        dirs = mid + rng.normal(0.0, 0.3, (3000, 3))
        dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
        cams = dirs * (1.0 + rng.uniform(1.5e-4, 0.3, 3000))[:, None]
        hidden = 0
        for cam in cams:
            if _occluded(cam, horizon[None, :])[0]:
                hidden += 1
                assert _occluded(cam, scaled * (1 - 1e-9)).all()
        assert hidden > 100
        checked += 1
    assert checked >= 2


def test_a_dem_that_misses_the_city_is_a_clear_error(tmp_path):
    dem = write_utm_dem(tmp_path / "small.tif", size=40)  # 200 m across, the city is 1.1 km
    buildings = write_buildings(tmp_path / "b.geojson")
    with pytest.raises(InvalidInputError, match="does not cover the city"):
        run([buildings], tmp_path / "t", BuildOptions(name="h", dem=str(dem)))


def test_the_terrain_is_the_same_whether_units_run_forked_or_in_process(hill_build, tmp_path):
    """Forked workers mesh the buildings on the grid they inherit: every file the same as in
    process, terrain included."""
    result, dem, buildings = hill_build
    forked = run([buildings], tmp_path / "f", BuildOptions(name="hill", dem=str(dem.path), jobs=2))
    assert forked.report["options"]["jobs"] == 2 and result.report["options"]["jobs"] is None
    ours = sorted(p.relative_to(result.tileset_dir) for p in result.tileset_dir.rglob("*"))
    theirs = sorted(p.relative_to(forked.tileset_dir) for p in forked.tileset_dir.rglob("*"))
    assert ours == theirs
    terrain = [p for p in ours if p.parts[0] == "terrain" and p.suffix == ".terrain"]
    assert len(terrain) == result.report["terrain"]["tiles"] > 10
    for rel in ours:
        a, b = result.tileset_dir / rel, forked.tileset_dir / rel
        if a.is_file() and rel.name != "build-report.json":
            assert a.read_bytes() == b.read_bytes(), rel
    assert forked.report["terrain"]["tiles"] == result.report["terrain"]["tiles"]


def test_without_a_dem_the_build_is_the_same_and_has_no_terrain(hill_build, tmp_path):
    _, _, buildings = hill_build
    plain = run([buildings], tmp_path / "a", BuildOptions(name="h"))
    again = run([buildings], tmp_path / "b", BuildOptions(name="h", base="mean"))
    assert not (plain.tileset_dir / "terrain").exists()
    assert "terrain" not in plain.report and "dem" not in plain.report["options"]
    files = sorted(p.relative_to(plain.tileset_dir) for p in plain.tileset_dir.rglob("*.glb"))
    for rel in [*files, Path("tileset.json"), Path("buildings.fgb")]:
        assert (plain.tileset_dir / rel).read_bytes() == (again.tileset_dir / rel).read_bytes()
    # on the ellipsoid: every foot at height 0
    corners = np.concatenate([feet(w) for w in walls_geodetic(plain.tileset_dir)])
    assert np.abs(corners[:, 2]).max() < 0.01


# --- CityJSON at its real heights on its own ground -----------------------------------------

CITYJSON_SAMPLES = {  # file: CRS of its x/y (heights NAP or LN02, treated as geoid heights)
    "delft": "EPSG:28992",
    "denhaag-subset": "EPSG:28992",
    "rotterdam-subset": "EPSG:28992",
    "zurich-lod2": "EPSG:2056",
}


def _indices(b):
    if isinstance(b, list):
        for x in b:
            yield from _indices(x)
    else:
        yield b


def _faces(geom: dict):
    """(rings, semantic index or None) of each surface of a MultiSurface/Solid/MultiSolid."""
    kind, bounds = geom["type"], geom["boundaries"]
    values = (geom.get("semantics") or {}).get("values")
    if kind in ("MultiSurface", "CompositeSurface"):
        shells, vals = [bounds], [values]
    elif kind == "Solid":
        shells, vals = bounds, values or [None] * len(bounds)
    else:  # MultiSolid, CompositeSolid
        shells = [sh for solid in bounds for sh in solid]
        vals = [v for solid in (values or [[None] * len(s) for s in bounds]) for v in solid]
    for shell, sv in zip(shells, vals, strict=True):
        for i, rings in enumerate(shell):
            yield rings, (None if sv is None else sv[i])


def ground_faces(path: Path, plans: dict) -> list[tuple]:
    """The ground surfaces of the objects built, as (plan, (x, y, z) points) in the file's CRS
    and heights: each face typed GroundSurface (its exterior ring); for a geometry without
    semantics (Delft's LoD 1 solids have no bottom face) its built plan (``plans``: source id
    to footprint) and its vertices within 5 cm of its lowest. Of each object its highest LoD,
    the one the pipeline builds."""
    import shapely

    doc = json.loads(path.read_text())
    verts = np.asarray(doc["vertices"], float)
    if tr := doc.get("transform"):
        verts = verts * np.asarray(tr["scale"]) + np.asarray(tr["translate"])
    out = []
    for key in sorted(plans):
        geoms = doc["CityObjects"][key].get("geometry", [])
        for geom in geoms[:1] and [max(geoms, key=lambda g: float(str(g.get("lod", 0))))]:
            surfaces = (geom.get("semantics") or {}).get("surfaces")
            faces = list(_faces(geom))
            if surfaces:
                rings = [verts[np.asarray(r[0])] for r, v in faces
                         if v is not None and surfaces[v]["type"] == "GroundSurface"]  # fmt: skip
                out.extend((shapely.Polygon(r[:, :2]), r) for r in rings)
            else:
                pts = verts[np.unique(np.asarray(list(_indices(geom["boundaries"]))))]
                out.append((plans[key], pts[pts[:, 2] < pts[:, 2].min() + 0.05]))
    return out


def cityjson_ground_dem(faces: list[tuple], out: Path, crs: str, pixel: float = 0.5) -> Path:
    """A DEM of the sample's own ground: each ground surface's plane (least squares through its
    points; 6 of Zurich's slope, up to 3.6 m) drawn over the surface grown by 1.5 cells (so the
    bilinear sample at its corners reads its own plane), the mean of the planes where grown
    surfaces overlap (a corner two buildings share, at two heights, lies half-way), the gaps
    between buildings filled from the nearest ones; in the sample's CRS, heights as in the file
    (NAP, LN02)."""
    import shapely
    from rasterio.features import rasterize
    from rasterio.fill import fillnodata

    polys = [p.buffer(1.5 * pixel) for p, _f in faces]
    w, s, e, n = shapely.total_bounds(polys)
    w, s, e, n = w - 10, s - 10, e + 10, n + 10
    cols, rows = int(np.ceil((e - w) / pixel)), int(np.ceil((n - s) / pixel))
    transform = Affine(pixel, 0.0, w, 0.0, -pixel, n)
    total, count = np.zeros((rows, cols)), np.zeros((rows, cols))
    for poly, (_p, f) in zip(polys, faces, strict=True):
        a = np.column_stack([f[:, :2] - f[0, :2], np.ones(len(f))])
        plane = np.linalg.lstsq(a, f[:, 2], rcond=None)[0]
        x0, y0, x1, y1 = poly.bounds  # the surface's window of the grid
        c0, r0 = int((x0 - w) // pixel), int((n - y1) // pixel)
        c1, r1 = int((x1 - w) // pixel) + 1, int((n - y0) // pixel) + 1
        sub = Affine(pixel, 0.0, w + c0 * pixel, 0.0, -pixel, n - r0 * pixel)
        inside = rasterize([(poly, 1)], (r1 - r0, c1 - c0), transform=sub, dtype="uint8") == 1
        xs = w + (np.arange(c0, c1) + 0.5) * pixel - f[0, 0]
        ys = n - (np.arange(r0, r1) + 0.5) * pixel - f[0, 1]
        zs = plane[0] * xs[None, :] + plane[1] * ys[:, None] + plane[2]
        total[r0:r1, c0:c1] += np.where(inside, zs, 0.0)
        count[r0:r1, c0:c1] += inside
    z = np.full((rows, cols), -9999.0, dtype="float32")
    z[count > 0] = total[count > 0] / count[count > 0]
    drawn = z != -9999.0
    z = fillnodata(z, mask=drawn.astype("uint8"), max_search_distance=100.0)
    z[z == -9999.0] = float(np.median(z[drawn]))  # far from every building
    with rasterio.open(
        out, "w", driver="GTiff", width=cols, height=rows, count=1, dtype="float32",
        crs=crs, transform=transform, nodata=-9999.0,
    ) as ds:  # fmt: skip
        ds.write(z, 1)
    return out


def _quantum(glb: Path) -> float:
    """The glb's position step (metres): its node's scale under KHR_mesh_quantization, else 0."""
    data = glb.read_bytes()
    doc = json.loads(data[20 : 20 + struct.unpack_from("<I", data, 12)[0]])
    if "KHR_mesh_quantization" not in doc.get("extensionsUsed", []):
        return 0.0
    return float(max(max(n.get("scale", [0.0])) for n in doc["nodes"]))


def ground_corners(folder: Path, faces: list[tuple], crs: str) -> np.ndarray:
    """(lon, lat, h) of the built footprint corners: the glbs' vertices (ground, wall or roof;
    a few of Rotterdam's walls stop metres above their ground) that are the source ground
    surfaces' vertices (x/y to lon/lat, heights plus the geoid, as the pipeline does), each
    matched within 1 cm plus half a quantization step (Zurich's single 10 km tile has 15 cm
    steps); asserts every such vertex is found."""
    from scipy.spatial import cKDTree

    from tiles.terrain.geoid import orthometric_to_ellipsoidal

    src = np.unique(np.round(np.concatenate([f for _p, f in faces]), 3), axis=0)
    lon, lat = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(
        src[:, 0], src[:, 1]
    )
    h = orthometric_to_ellipsoidal(np.asarray(lon), np.asarray(lat), src[:, 2])
    to_ecef = pyproj.Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
    want = np.column_stack(to_ecef.transform(np.asarray(lon), np.asarray(lat), h))
    ts = load_tileset(folder)
    m = np.asarray(ts["root"]["transform"], float).reshape(4, 4).T
    built, tol = [], []
    for glb in sorted((folder / "content").rglob("*.glb")):
        c = decode_content(glb)
        if c.table is not None:
            tris = np.concatenate(list(c.triangles_by_material.values()))
            built.append(c.positions[np.unique(tris)] @ m[:3, :3].T + m[:3, 3])
            tol.append(np.full(len(built[-1]), 0.01 + 0.5 * np.sqrt(3) * _quantum(glb)))
    ecef, tol_all = np.concatenate(built), np.concatenate(tol)
    k = min(8, len(ecef))
    dist, idx = cKDTree(ecef).query(want, k=k)
    dist, idx = dist.reshape(len(want), k), idx.reshape(len(want), k)
    ok = dist <= tol_all[idx]
    assert ok.any(axis=1).all(), f"{int((~ok.any(axis=1)).sum())} of {len(want)} not built"
    p = ecef[idx[np.arange(len(want)), ok.argmax(axis=1)]]
    return np.column_stack(ECEF_TO_GEODETIC.transform(p[:, 0], p[:, 1], p[:, 2]))


@pytest.mark.parametrize("sample", sorted(CITYJSON_SAMPLES))
def test_cityjson_keeps_its_real_heights_and_stands_on_its_own_ground(tmp_path, sample):
    from tests.tiles.conftest import CITYJSON

    path = CITYJSON / f"{sample}.city.json"
    crs = CITYJSON_SAMPLES[sample]
    src_crs = "EPSG:7415" if sample in ("denhaag-subset", "rotterdam-subset") else None
    plain = run([path], tmp_path / "plain", BuildOptions(name=sample, src_crs=src_crs))
    # Zurich's 9 x 10 km: a 2 m DEM gives the same terrain grid as 0.5 m (the grid is capped at
    # 4,097 points a side, 2.47 m cells there) and takes seconds to draw instead of minutes
    pixel = 2.0 if sample == "zurich-lod2" else 0.5
    table = plain.buildings.to_crs(crs)
    faces = ground_faces(path, dict(zip(table.source_id, table.geometry, strict=True)))
    dem_path = cityjson_ground_dem(faces, tmp_path / "ground.tif", crs, pixel=pixel)
    options = BuildOptions(name=sample, dem=str(dem_path), src_crs=src_crs)
    result = run([path], tmp_path / "t", options)
    dem = Dem.open(dem_path)
    walls = walls_geodetic(result.tileset_dir)
    # the footprint corners: the built vertices of the models' own ground surfaces (parts on
    # other parts' roofs have none)
    corners = ground_corners(result.tileset_dir, faces, crs)
    ground = dem.ellipsoidal(corners[:, 0], corners[:, 1])
    assert corners.shape[0] > 20
    assert np.abs(corners[:, 2] - ground).max() <= 0.5
    # real heights: the highest vertex of the objects built, plus the geoid (EGM96: 40-50 m in
    # NL and CH)
    doc = json.loads(path.read_text())
    verts = np.asarray(doc["vertices"], float) * doc["transform"]["scale"]
    verts = verts + doc["transform"]["translate"]
    built = set(plain.buildings.source_id)
    z_top = max(
        float(verts[np.asarray(list(_indices(g["boundaries"]))), 2].max())
        for key, obj in doc["CityObjects"].items()
        if key in built
        for g in obj.get("geometry", [])
    )
    top = max(float(w[:, 2].max()) for w in walls)
    assert 40.0 < top - z_top < 52.0
    assert validate_glbs(result.tileset_dir)["errors"] == 0
    assert check_tileset(result.tileset_dir) == []


def test_a_schemes_massing_stands_on_its_citys_terrain(hill_build, tmp_path):
    from backend.services.massing import city_terrain
    from tiles.massing import build_massing_tileset

    result, dem, _ = hill_build
    x, y = X0 + 250.0, Y0 - 150.0  # on the steep south-east flank
    ring = [(x, y), (x + 30, y), (x + 30, y + 18), (x, y + 18)]
    lon, lat = TO_LONLAT.transform(*zip(*ring, strict=True))
    import shapely

    block = shapely.Polygon(zip(lon, lat, strict=True))
    tiles_dir = result.tileset_dir.parent
    grid = city_terrain(tiles_dir, block.bounds)
    assert grid == result.tileset_dir / "terrain" / "grid.npz"
    assert city_terrain(tiles_dir, (9.5, 45.0, 9.6, 45.1)) is None  # Milan: no city there
    scheme = build_massing_tileset(
        [{"id": "A", "footprint": block, "height_m": 24.0}], tmp_path, "scheme", grid
    )
    assert not (scheme.tileset_dir / "terrain").exists()  # the city's terrain is the one drawn
    corners = np.concatenate([feet(w) for w in walls_geodetic(scheme.tileset_dir)])
    ground = dem.ellipsoidal(corners[:, 0], corners[:, 1])
    assert corners.shape[0] >= 4
    assert np.abs(corners[:, 2] - ground).max() <= 0.5
    assert float(np.ptp(ground)) > 5.0  # a real slope under the block
    plain = build_massing_tileset(
        [{"id": "A", "footprint": block, "height_m": 24.0}], tmp_path / "p", "scheme"
    )
    flat = np.concatenate([feet(w) for w in walls_geodetic(plain.tileset_dir)])
    assert np.abs(flat[:, 2]).max() < 0.01  # no terrain given: on the ellipsoid, as before


# --- the ground layer draped on the terrain -------------------------------------------------


def write_hill_ground(path: Path) -> Path:
    """A 400 m park over the hill's eastern flank (about 150 m of drop across it) and a road
    climbing it, in the DEM's own CRS."""
    park = [(X0 - 50, Y0 - 200), (X0 + 350, Y0 - 200), (X0 + 350, Y0 + 200), (X0 - 50, Y0 + 200)]
    road = [(X0 - 500, Y0 - 300), (X0 + 500, Y0 - 250)]

    def feature(kind: str, coords: list, **props: str) -> dict:
        geometry = {"type": kind, "coordinates": coords}
        return {"type": "Feature", "properties": props, "geometry": geometry}

    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": UTM}},
        "features": [
            feature("Polygon", [[*park, park[0]]], leisure="park", name="Hill Park"),
            feature("LineString", road, highway="primary", name="Hill Road"),
        ],
    }
    path.write_text(json.dumps(doc))
    return path


def test_the_draped_ground_follows_the_slope_inside_every_triangle(hill_build, tmp_path):
    """In the leaves, vertices sit a few centimetres over DEM + geoid (each class on its own
    step) and so do the triangles' centres: a park laid flat between its corners would float
    metres over the valley or sink into the hill (coarse tiles follow a coarser grid)."""
    _, dem, buildings = hill_build
    dem_path = write_utm_dem(tmp_path / "hill.tif")
    ground = write_hill_ground(tmp_path / "ground.geojson")
    options = BuildOptions(name="h", dem=str(dem_path), ground=True, ground_inputs=[str(ground)])
    result = run([buildings], tmp_path / "t", options)
    folder = result.tileset_dir / "ground"
    assert check_tileset(folder) == []
    report = validate_glbs(folder)
    assert report["errors"] == 0 and report["warnings"] == 0, report
    ts = load_tileset(folder)
    m = np.asarray(ts["root"]["transform"], float).reshape(4, 4).T
    names: set[str] = set()
    leaves = [t["content"]["uri"] for t, _p, _d in iter_tiles(ts["root"])
              if "content" in t and not t.get("children")]  # fmt: skip
    assert leaves
    for uri in leaves:
        glb = folder / uri
        c = decode_content(glb)
        if c.table is not None:
            names.update(str(n) for n in c.table["name"])
        for tris in c.triangles_by_material.values():
            corners = c.positions[tris]  # (T, 3, 3)
            for pts in (corners.reshape(-1, 3), corners.mean(axis=1)):
                ecef = pts @ m[:3, :3].T + m[:3, 3]
                lon, lat, h = ECEF_TO_GEODETIC.transform(ecef[:, 0], ecef[:, 1], ecef[:, 2])
                above = np.asarray(h) - dem.ellipsoidal(np.asarray(lon), np.asarray(lat))
                assert above.min() > 0.0 and above.max() < 0.45, (
                    glb.name,
                    above.min(),
                    above.max(),
                )
    assert {"Hill Park", "Hill Road"} <= names
    assert result.report["ground"]["features"] >= 2
