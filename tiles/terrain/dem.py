"""A DEM read with rasterio (any GDAL raster, any CRS) and sampled at lon/lat by bilinear
interpolation, in heights above the WGS 84 ellipsoid.

The first band is read once as float32: whole, or only the window over a lon/lat box (``over``:
what a build needs, the city and a margin; a Copernicus GLO-30 tile is 3,600 x 3,600 cells, a
city a few hundred of them a side), bounded by ``MAX_PIXELS``. Heights are orthometric unless
the caller says the DEM is already ellipsoidal; no-data cells and points outside the raster (or
the window read) give NaN.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyproj
from numpy.typing import NDArray
from pyproj.enums import TransformDirection

from tiles.errors import CRSError, InvalidInputError
from tiles.geometry.crs import parse_crs
from tiles.geometry.lattice import lattice_fill, lattice_index
from tiles.terrain.geoid import orthometric_to_ellipsoidal

MAX_PIXELS = 400_000_000
# heights a terrain can have, in metres (the Dead Sea's shore -430, Everest 8,849)
MIN_HEIGHT_M, MAX_HEIGHT_M = -500.0, 9000.0
WINDOW_PAD = 2  # cells read around a window's box (a bilinear sample needs its 4 cells)


@dataclass
class Dem:
    """Heights of a raster's first band, with its grid (``affine``: GDAL's 6 numbers)."""

    path: Path
    heights: NDArray[np.float32]  # (rows, cols), NaN where no data
    affine: tuple[float, float, float, float, float, float]  # a, b, c, d, e, f (rasterio order)
    crs: pyproj.CRS
    orthometric: bool = True
    # (column, row) of ``heights[0, 0]`` in the raster: a window read keeps the raster's own
    # affine and this offset, so its samples are computed exactly as on the whole raster
    offset: tuple[int, int] = (0, 0)

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        src_crs: str | None = None,
        orthometric: bool = True,
        over: tuple[float, float, float, float] | None = None,
    ) -> Dem:
        """Read ``path``; ``src_crs`` for a raster that declares none (or to override it);
        ``over`` (west, south, east, north in degrees): read only the cells over that box and
        :data:`WINDOW_PAD` around it (every bilinear sample inside the box then has its four
        cells, so heights there are those of the whole raster). Raises
        :class:`InvalidInputError` when the box misses the raster."""
        import rasterio
        import rasterio.errors
        from rasterio.windows import Window

        path = Path(path)
        try:
            with rasterio.open(path) as ds:
                crs_text = src_crs or (ds.crs.to_wkt() if ds.crs else None)
                if crs_text is None:
                    raise CRSError(
                        f"{path}: the DEM declares no CRS; give it with --dem-crs "
                        "(e.g. --dem-crs EPSG:27700)"
                    )
                crs = parse_crs(crs_text, where=str(path))
                a = ds.transform
                affine = (a.a, a.b, a.c, a.d, a.e, a.f)
                col0, row0, cols, rows = 0, 0, ds.width, ds.height
                if over is not None:
                    col0, row0, cols, rows = _window(affine, ds.height, ds.width, crs, over)
                    if cols <= 0 or rows <= 0:
                        w, s, e, n = _outline_lonlat(affine, ds.height, ds.width, crs)
                        raise InvalidInputError(
                            f"{path}: the DEM does not cover the city (it spans lon "
                            f"{w:.6f}..{e:.6f}, lat {s:.6f}..{n:.6f}; the city lon "
                            f"{over[0]:.6f}..{over[2]:.6f}, lat {over[1]:.6f}..{over[3]:.6f}); "
                            "use a DEM that covers it whole"
                        )
                if cols * rows > MAX_PIXELS:
                    raise InvalidInputError(
                        f"{path}: {cols} x {rows} pixels, more than {MAX_PIXELS:,}; "
                        "crop the DEM to the city (gdal_translate -projwin)"
                    )
                window = None if over is None else Window(col0, row0, cols, rows)
                band = ds.read(1, masked=True, window=window)
        except rasterio.errors.RasterioIOError as exc:
            raise InvalidInputError(f"{path}: cannot read the DEM ({exc})") from exc
        heights = np.ma.filled(band.astype(np.float32), np.nan).astype(np.float32)
        heights[~np.isfinite(heights)] = np.nan  # infinities: no data too
        _check_range(path, heights, (col0, row0))
        return cls(path, heights, affine, crs, orthometric, (col0, row0))

    def sample(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
        """The DEM's own heights at lon/lat (bilinear between cell centres; NaN outside)."""
        x, y = _from_lonlat(self.crs).transform(
            np.asarray(lon, np.float64), np.asarray(lat, np.float64)
        )
        return self.sample_xy(np.asarray(x), np.asarray(y))

    def sample_xy(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
        """The DEM's own heights at x/y in its CRS (bilinear between cell centres; NaN
        outside)."""
        return self._sample(x, y)[0]

    def _sample(
        self, x: NDArray[np.float64], y: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """:meth:`sample_xy`, and which points lie beyond the raster (the window read), as
        opposed to on its no-data cells (NaN too)."""
        a, b, c, d, e, f = self.affine
        det = a * e - b * d
        # inverse affine: pixel coordinates, then cell centres at integer + 0.5
        # (subtracting the window's integer offset is exact: the same weights as the raster's)
        col = (e * (x - c) - b * (y - f)) / det - 0.5 - self.offset[0]
        row = (-d * (x - c) + a * (y - f)) / det - 0.5 - self.offset[1]
        rows, cols = self.heights.shape
        c0 = np.floor(col).astype(np.int64)
        r0 = np.floor(row).astype(np.int64)
        fc, fr = col - c0, row - r0
        # at the outer half cell, clamp to the edge cells (the raster's extent still covers it)
        c0c, c1c = np.clip(c0, 0, cols - 1), np.clip(c0 + 1, 0, cols - 1)
        r0c, r1c = np.clip(r0, 0, rows - 1), np.clip(r0 + 1, 0, rows - 1)
        z = self.heights  # float32, gathered before widening (a large DEM is GBs in float64)
        f64 = np.float64
        out = (
            z[r0c, c0c].astype(f64) * (1 - fc) * (1 - fr)
            + z[r0c, c1c].astype(f64) * fc * (1 - fr)
            + z[r1c, c0c].astype(f64) * (1 - fc) * fr
            + z[r1c, c1c].astype(f64) * fc * fr
        )
        beyond = (col < -0.5) | (row < -0.5) | (col > cols - 0.5) | (row > rows - 0.5)
        out[beyond] = np.nan
        return out, beyond

    def lonlat_bounds(self, per_side: int = 64) -> tuple[float, float, float, float]:
        """West, south, east, north (degrees) of the raster's extent (of the window read): its
        outline, sampled ``per_side`` points a side, in lon/lat (a projected raster is turned
        and bent there)."""
        rows, cols = self.heights.shape
        return _outline_lonlat(self.affine, rows, cols, self.crs, per_side, self.offset)

    def ellipsoidal_lattice(
        self, lon: NDArray[np.float64], lat: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """:meth:`ellipsoidal` at every node of the lattice ``lon`` x ``lat`` (1-D, increasing),
        as (len(lat), len(lon)); see :meth:`ellipsoidal_lattice_and_extent`."""
        return self.ellipsoidal_lattice_and_extent(lon, lat)[0]

    def ellipsoidal_lattice_and_extent(
        self, lon: NDArray[np.float64], lat: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """:meth:`ellipsoidal` at every node of the lattice ``lon`` x ``lat`` (1-D, increasing),
        as (len(lat), len(lon)), and which nodes lie beyond the raster (NaN, as are nodes on its
        no-data cells).

        The node's place in the DEM's CRS and the geoid's undulation, both smooth over a city,
        are computed exactly every ``LATTICE_STEP`` nodes (:mod:`tiles.geometry.lattice`) and
        bilinearly between them (over
        16 nodes of 5 m a projection departs from linear by about 0.1 mm; EGM96 is itself a
        bilinear 15' grid, so the undulation is exact but where a span crosses one of its
        lines, within a few millimetres): two PROJ calls on 1/256 of the nodes instead of on
        every node.
        """
        ix, iy = lattice_index(lon.size), lattice_index(lat.size)
        slon, slat = np.meshgrid(lon[ix], lat[iy])
        tr = _from_lonlat(self.crs)
        sx, sy = (np.asarray(v).reshape(slon.shape) for v in tr.transform(slon, slat))
        x, y = lattice_fill(sx, ix, iy), lattice_fill(sy, ix, iy)
        flat, beyond = self._sample(x.ravel(), y.ravel())
        h = flat.reshape(x.shape)
        if self.orthometric:
            zero = np.zeros(slon.size)
            n = orthometric_to_ellipsoidal(slon.ravel(), slat.ravel(), zero).reshape(slon.shape)
            h = h + lattice_fill(n, ix, iy)  # NaN stays NaN off the DEM
        return h, beyond.reshape(x.shape)

    def ellipsoidal(
        self, lon: NDArray[np.float64], lat: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """Heights above the WGS 84 ellipsoid at lon/lat (NaN outside the DEM or on no data)."""
        h = self.sample(lon, lat)
        if not self.orthometric:
            return h
        ok = ~np.isnan(h)
        out = np.full(h.shape, np.nan)
        if ok.any():
            out[ok] = orthometric_to_ellipsoidal(np.asarray(lon)[ok], np.asarray(lat)[ok], h[ok])
        return out


def _check_range(path: Path, heights: NDArray[np.float32], offset: tuple[int, int]) -> None:
    """Refuse heights no terrain has (an undeclared no-data value such as -32768 or -3.4e38
    would raise or bury a city by kilometres), naming the first such cell."""
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero((heights < MIN_HEIGHT_M) | (heights > MAX_HEIGHT_M))
    if bad.size:
        row, col = divmod(int(bad[0]), heights.shape[1])
        first = float(heights.flat[bad[0]])
        raise InvalidInputError(
            f"{path}: {bad.size} cells have heights no terrain has (the first {first:g} m at "
            f"column {col + offset[0]}, row {row + offset[1]}; heights lie within "
            f"{MIN_HEIGHT_M:g}..{MAX_HEIGHT_M:g} m); if that is its no-data value, declare it "
            "(gdal_edit.py -a_nodata VALUE FILE)"
        )


def _outline_lonlat(
    affine: tuple[float, float, float, float, float, float],
    rows: int,
    cols: int,
    crs: pyproj.CRS,
    per_side: int = 64,
    offset: tuple[int, int] = (0, 0),
) -> tuple[float, float, float, float]:
    """West, south, east, north (degrees) of the outline of ``rows`` x ``cols`` cells from
    ``offset`` (column, row)."""
    t = np.linspace(0.0, 1.0, per_side)
    col = np.concatenate([t * cols, np.full(per_side, cols), t * cols, np.zeros(per_side)])
    row = np.concatenate([np.zeros(per_side), t * rows, np.full(per_side, rows), t * rows])
    col, row = col + offset[0], row + offset[1]
    a, b, c, d, e, f = affine
    x, y = a * col + b * row + c, d * col + e * row + f
    inverse = TransformDirection.INVERSE
    lon, lat = (np.asarray(v) for v in _from_lonlat(crs).transform(x, y, direction=inverse))
    return (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))


def _window(
    affine: tuple[float, float, float, float, float, float],
    rows: int,
    cols: int,
    crs: pyproj.CRS,
    box: tuple[float, float, float, float],
    per_side: int = 64,
) -> tuple[int, int, int, int]:
    """Column, row offsets and width, height of the cells over the lon/lat ``box`` (its outline
    in the raster's CRS, sampled ``per_side`` points a side) and :data:`WINDOW_PAD` around it,
    clipped to the raster (width or height 0 when the box misses it)."""
    w, s, e, n = box
    t = np.linspace(0.0, 1.0, per_side)
    lon = np.concatenate(
        [w + t * (e - w), np.full(per_side, e), w + t * (e - w), np.full(per_side, w)]
    )
    lat = np.concatenate(
        [np.full(per_side, s), s + t * (n - s), np.full(per_side, n), s + t * (n - s)]
    )
    x, y = (np.asarray(v) for v in _from_lonlat(crs).transform(lon, lat))
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        return 0, 0, cols, rows  # the box does not project into the raster's CRS: read it all
    a, b, c, d, e_aff, f = affine
    det = a * e_aff - b * d
    col = (e_aff * (x - c) - b * (y - f)) / det
    row = (-d * (x - c) + a * (y - f)) / det
    c0 = max(int(np.floor(col.min())) - WINDOW_PAD, 0)
    r0 = max(int(np.floor(row.min())) - WINDOW_PAD, 0)
    c1 = min(int(np.ceil(col.max())) + WINDOW_PAD, cols)
    r1 = min(int(np.ceil(row.max())) + WINDOW_PAD, rows)
    return c0, r0, max(c1 - c0, 0), max(r1 - r0, 0)


@lru_cache(maxsize=8)
def _from_lonlat(crs: pyproj.CRS) -> pyproj.Transformer:
    """lon/lat to the DEM's CRS (its inverse with ``direction=INVERSE``): building one costs
    20-40 ms, so once per CRS rather than once per call."""
    return pyproj.Transformer.from_crs("EPSG:4326", crs.to_2d(), always_xy=True)
