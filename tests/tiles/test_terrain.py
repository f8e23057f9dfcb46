"""Terrain from a DEM: a steep synthetic hill (Genoa-like, 300 m over 400 m) written as a
GeoTIFF in UTM 32N, sampled at lon/lat, converted to ellipsoidal heights with EGM96, and the
ground under footprints."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyproj
import pytest
import rasterio
import shapely
from rasterio.transform import Affine

from tiles.errors import CRSError, InvalidInputError
from tiles.terrain.bases import footprint_bases
from tiles.terrain.dem import Dem
from tiles.terrain.geoid import geoid_grid_path

UTM = "EPSG:32632"
X0, Y0 = 494_700.0, 4_917_000.0  # the hill's top, near Genoa's old port
PIXEL = 5.0
SIZE = 600  # 3 km x 3 km
TO_UTM = pyproj.Transformer.from_crs("EPSG:4326", UTM, always_xy=True)
TO_LONLAT = pyproj.Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)


def hill(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """300 m Gaussian hill with a 400 m spread on a plane tilted 5 % to the east."""
    r2 = (x - X0) ** 2 + (y - Y0) ** 2
    return 20.0 + 300.0 * np.exp(-r2 / (2 * 400.0**2)) + 0.05 * (x - X0)


def write_dem(path: Path, crs: str | None = UTM, nodata_block: bool = False) -> Path:
    west, north = X0 - SIZE * PIXEL / 2, Y0 + SIZE * PIXEL / 2
    cols = west + (np.arange(SIZE) + 0.5) * PIXEL
    rows = north - (np.arange(SIZE) + 0.5) * PIXEL
    z = hill(cols[None, :], rows[:, None]).astype(np.float32)
    if nodata_block:
        z[:50, :50] = -9999.0
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=SIZE,
        height=SIZE,
        count=1,
        dtype="float32",
        crs=crs,
        transform=Affine(PIXEL, 0.0, west, 0.0, -PIXEL, north),
        nodata=-9999.0,
    ) as ds:
        ds.write(z, 1)
    return path


@pytest.fixture
def dem(tmp_path) -> Dem:
    return Dem.open(write_dem(tmp_path / "hill.tif"))


def _random_lonlat(n: int, spread: float = 1200.0, seed: int = 7):
    rng = np.random.default_rng(seed)
    x = X0 + rng.uniform(-spread, spread, n)
    y = Y0 + rng.uniform(-spread, spread, n)
    lon, lat = TO_LONLAT.transform(x, y)
    return np.asarray(lon), np.asarray(lat), x, y


def test_dem_heights_at_lon_lat_follow_the_hill(dem):
    lon, lat, x, y = _random_lonlat(2000)
    h = dem.sample(lon, lat)
    assert np.abs(h - hill(x, y)).max() < 0.05  # bilinear on a 5 m grid of a smooth hill


def test_points_off_the_dem_and_on_no_data_have_no_height(tmp_path):
    dem = Dem.open(write_dem(tmp_path / "holes.tif", nodata_block=True))
    corner_x, corner_y = X0 - SIZE * PIXEL / 2 + 10, Y0 + SIZE * PIXEL / 2 - 10
    lon, lat = TO_LONLAT.transform(
        np.array([corner_x, X0 + 5000, X0]), np.array([corner_y, Y0, Y0])
    )
    h = dem.sample(np.asarray(lon), np.asarray(lat))
    assert np.isnan(h[0]) and np.isnan(h[1]) and not np.isnan(h[2])


def test_ellipsoidal_heights_add_the_egm96_undulation(dem):
    lon, lat, _x, _y = _random_lonlat(50)
    h = dem.sample(lon, lat)
    e = dem.ellipsoidal(lon, lat)
    # an independent path: the grid file itself read by GDAL (not PROJ), bilinear at lon/lat
    geoid = Dem.open(geoid_grid_path(), orthometric=False)
    assert np.abs(e - (h + geoid.sample(lon, lat))).max() < 0.02
    assert 40.0 < float(np.mean(e - h)) < 50.0  # EGM96 near Genoa is about +45 m


def test_a_lattices_heights_are_those_of_its_nodes_one_by_one(dem):
    """The terrain grid's lattice transforms every 16th node and interpolates between: the
    same heights as each node on its own, and the same nodes off the DEM (its turned edge)."""
    half = SIZE * PIXEL / 2 + 100.0  # beyond the raster: its turned edge crosses the lattice
    lon_ends, lat_ends = TO_LONLAT.transform([X0 - half, X0 + half], [Y0 - half, Y0 + half])
    (w, e), (s, n) = lon_ends, lat_ends
    lon, lat = np.linspace(w, e, 523), np.linspace(s, n, 389)  # not a multiple of 16 either way
    glon, glat = np.meshgrid(lon, lat)
    one_by_one = dem.ellipsoidal(glon.ravel(), glat.ravel()).reshape(glon.shape)
    lattice = dem.ellipsoidal_lattice(lon, lat)
    assert np.array_equal(np.isnan(lattice), np.isnan(one_by_one))
    assert np.isnan(one_by_one).any() and not np.isnan(one_by_one).all()
    assert float(np.nanmax(np.abs(lattice - one_by_one))) < 0.001


def test_an_ellipsoidal_dem_is_not_shifted(tmp_path):
    dem = Dem.open(write_dem(tmp_path / "e.tif"), orthometric=False)
    lon, lat, _x, _y = _random_lonlat(20)
    assert np.array_equal(dem.ellipsoidal(lon, lat), dem.sample(lon, lat))


def _squares(n: int, side: float = 12.0, seed: int = 3):
    """Footprints on the hill's steep flank (lon/lat) and their corners in UTM."""
    rng = np.random.default_rng(seed)
    cx = X0 + rng.uniform(200, 700, n)
    cy = Y0 + rng.uniform(-300, 300, n)
    polys, corners = [], []
    for x, y in zip(cx, cy, strict=True):
        ring = [(x, y), (x + side, y), (x + side, y + side), (x, y + side)]
        corners.append(ring)
        lon, lat = TO_LONLAT.transform(*zip(*ring, strict=True))
        polys.append(shapely.Polygon(zip(lon, lat, strict=True)))
    return np.array(polys, dtype=object), np.array(corners)


def test_footprint_bases_are_the_lowest_or_mean_ground_under_each_footprint(dem):
    footprints, corners = _squares(200)
    ground = hill(corners[..., 0], corners[..., 1])  # (n, 4) true terrain at the corners
    undulation = dem.ellipsoidal(*_centroids(footprints)) - dem.sample(*_centroids(footprints))
    low = footprint_bases(footprints, dem, "min") - undulation
    mean = footprint_bases(footprints, dem, "mean") - undulation
    assert np.abs(low - ground.min(axis=1)).max() < 0.5
    assert np.all(mean > low) and np.all(mean < ground.max(axis=1) + 0.5)
    # the flank is steep: the corners of a 12 m footprint differ by metres
    assert np.median(ground.max(axis=1) - ground.min(axis=1)) > 3.0


def _centroids(footprints):
    c = shapely.get_coordinates(shapely.centroid(footprints))
    return c[:, 0], c[:, 1]


def test_footprints_off_the_dem_are_a_clear_error(dem):
    footprints, _ = _squares(3)
    far = shapely.box(9.5, 45.0, 9.5001, 45.0001)  # near Milan, off the DEM
    with pytest.raises(InvalidInputError, match=r"1 footprint\(s\) lie off the DEM.*row 3"):
        footprint_bases(np.append(footprints, far), dem)


def test_a_dem_without_crs_or_unreadable_is_a_clear_error(tmp_path):
    with pytest.raises(CRSError, match="declares no CRS"):
        Dem.open(write_dem(tmp_path / "nocrs.tif", crs=None))
    assert (
        Dem.open(write_dem(tmp_path / "nocrs2.tif", crs=None), src_crs=UTM).crs.to_epsg() == 32632
    )
    bad = tmp_path / "bad.tif"
    bad.write_bytes(b"not a raster")
    with pytest.raises(InvalidInputError, match="cannot read the DEM"):
        Dem.open(bad)


def test_a_window_over_a_box_reads_only_its_cells_with_the_whole_rasters_heights(tmp_path):
    path = write_dem(tmp_path / "hill.tif")
    whole = Dem.open(path)
    lon, lat, _, _ = _random_lonlat(2000, spread=300.0)
    box = (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))
    part = Dem.open(path, over=box)
    assert part.heights.size < whole.heights.size / 8  # 600 m of a 3 km raster, + 2 cells
    assert np.array_equal(part.ellipsoidal(lon, lat), whole.ellipsoidal(lon, lat))
    assert np.array_equal(part.sample(lon, lat), whole.sample(lon, lat))
    # the window's own extent: the box, a few cells more
    w, s, e, n = part.lonlat_bounds()
    assert w <= box[0] and s <= box[1] and e >= box[2] and n >= box[3]
    assert e - w < (box[2] - box[0]) * 1.2


def test_a_window_off_the_raster_is_a_clear_error(tmp_path):
    path = write_dem(tmp_path / "hill.tif")
    with pytest.raises(InvalidInputError, match=r"does not cover the city \(it spans lon"):
        Dem.open(path, over=(9.5, 45.0, 9.51, 45.01))  # near Milan
