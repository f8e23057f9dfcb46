"""A DEM read with rasterio (any GDAL raster, any CRS) and sampled at lon/lat by bilinear
interpolation, in heights above the WGS 84 ellipsoid.

The first band is read once, whole, as float32 (bounded by ``MAX_PIXELS``: a city DTM at 1 m or
a Copernicus GLO-30 tile is well under it). Heights are orthometric unless the caller says the
DEM is already ellipsoidal; no-data cells and points outside the raster give NaN.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyproj
from numpy.typing import NDArray

from tiles.errors import CRSError, InvalidInputError
from tiles.geometry.crs import parse_crs
from tiles.terrain.geoid import orthometric_to_ellipsoidal

MAX_PIXELS = 400_000_000


@dataclass
class Dem:
    """Heights of a raster's first band, with its grid (``affine``: GDAL's 6 numbers)."""

    path: Path
    heights: NDArray[np.float32]  # (rows, cols), NaN where no data
    affine: tuple[float, float, float, float, float, float]  # a, b, c, d, e, f (rasterio order)
    crs: pyproj.CRS
    orthometric: bool = True

    @classmethod
    def open(cls, path: str | Path, *, src_crs: str | None = None, orthometric: bool = True) -> Dem:
        """Read ``path``; ``src_crs`` for a raster that declares none (or to override it)."""
        import rasterio
        import rasterio.errors

        path = Path(path)
        try:
            with rasterio.open(path) as ds:
                pixels = ds.width * ds.height
                if pixels > MAX_PIXELS:
                    raise InvalidInputError(
                        f"{path}: {ds.width} x {ds.height} pixels, more than {MAX_PIXELS:,}; "
                        "crop the DEM to the city (gdal_translate -projwin)"
                    )
                crs_text = src_crs or (ds.crs.to_wkt() if ds.crs else None)
                if crs_text is None:
                    raise CRSError(f"{path}: the DEM declares no CRS; pass its CRS")
                band = ds.read(1, masked=True).astype(np.float32)
                a = ds.transform
        except rasterio.errors.RasterioIOError as exc:
            raise InvalidInputError(f"{path}: cannot read the DEM ({exc})") from exc
        heights = np.ma.filled(band, np.nan).astype(np.float32)
        affine = (a.a, a.b, a.c, a.d, a.e, a.f)
        return cls(path, heights, affine, parse_crs(crs_text, where=str(path)), orthometric)

    def sample(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
        """The DEM's own heights at lon/lat (bilinear between cell centres; NaN outside)."""
        tr = pyproj.Transformer.from_crs("EPSG:4326", self.crs.to_2d(), always_xy=True)
        x, y = tr.transform(np.asarray(lon, np.float64), np.asarray(lat, np.float64))
        return self.sample_xy(np.asarray(x), np.asarray(y))

    def sample_xy(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
        """The DEM's own heights at x/y in its CRS (bilinear between cell centres; NaN
        outside)."""
        a, b, c, d, e, f = self.affine
        det = a * e - b * d
        # inverse affine: pixel coordinates, then cell centres at integer + 0.5
        col = (e * (x - c) - b * (y - f)) / det - 0.5
        row = (-d * (x - c) + a * (y - f)) / det - 0.5
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
        outside = (col < -0.5) | (row < -0.5) | (col > cols - 0.5) | (row > rows - 0.5)
        out[outside] = np.nan
        return out

    def lonlat_bounds(self, per_side: int = 64) -> tuple[float, float, float, float]:
        """West, south, east, north (degrees) of the raster's extent: its outline, sampled
        ``per_side`` points a side, in lon/lat (a projected raster is turned and bent there)."""
        rows, cols = self.heights.shape
        t = np.linspace(0.0, 1.0, per_side)
        col = np.concatenate([t * cols, np.full(per_side, cols), t * cols, np.zeros(per_side)])
        row = np.concatenate([np.zeros(per_side), t * rows, np.full(per_side, rows), t * rows])
        a, b, c, d, e, f = self.affine
        x, y = a * col + b * row + c, d * col + e * row + f
        tr = pyproj.Transformer.from_crs(self.crs.to_2d(), "EPSG:4326", always_xy=True)
        lon, lat = (np.asarray(v) for v in tr.transform(x, y))
        return (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))

    def ellipsoidal_lattice(
        self, lon: NDArray[np.float64], lat: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """:meth:`ellipsoidal` at every node of the lattice ``lon`` x ``lat`` (1-D, increasing),
        as (len(lat), len(lon)).

        The node's place in the DEM's CRS and the geoid's undulation, both smooth over a city,
        are computed exactly every :data:`LATTICE_STEP` nodes and bilinearly between them (over
        16 nodes of 5 m a projection departs from linear by about 0.1 mm; EGM96 is itself a
        bilinear 15' grid, so the undulation is exact but where a span crosses one of its
        lines, within a few millimetres): two PROJ calls on 1/256 of the nodes instead of on
        every node.
        """
        ix, iy = _lattice_index(lon.size), _lattice_index(lat.size)
        slon, slat = np.meshgrid(lon[ix], lat[iy])
        tr = pyproj.Transformer.from_crs("EPSG:4326", self.crs.to_2d(), always_xy=True)
        sx, sy = (np.asarray(v).reshape(slon.shape) for v in tr.transform(slon, slat))
        x, y = _lattice_fill(sx, ix, iy), _lattice_fill(sy, ix, iy)
        h = self.sample_xy(x.ravel(), y.ravel()).reshape(x.shape)
        if not self.orthometric:
            return h
        zero = np.zeros(slon.size)
        n = orthometric_to_ellipsoidal(slon.ravel(), slat.ravel(), zero).reshape(slon.shape)
        return h + _lattice_fill(n, ix, iy)  # NaN stays NaN off the DEM

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


LATTICE_STEP = 16  # lattice nodes between exact PROJ calls (Dem.ellipsoidal_lattice)


def _lattice_index(n: int) -> NDArray[np.int64]:
    """Every LATTICE_STEP-th of ``n`` nodes, and the last."""
    return np.unique(np.append(np.arange(0, n, LATTICE_STEP), n - 1))


def _lattice_fill(
    v: NDArray[np.float64], ix: NDArray[np.int64], iy: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Values ``v`` at the lattice nodes (iy, ix) to every node, bilinear between them."""

    def weights(
        idx: NDArray[np.int64],
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        full = np.arange(int(idx[-1]) + 1)
        k = np.clip(np.searchsorted(idx, full, side="right") - 1, 0, idx.size - 1)
        k1 = np.minimum(k + 1, idx.size - 1)
        span = np.where(k1 > k, idx[k1] - idx[k], 1)
        return k, k1, (full - idx[k]) / span

    kx, kx1, tx = weights(ix)
    ky, ky1, ty = weights(iy)
    v = v[:, kx] * (1 - tx) + v[:, kx1] * tx
    return v[ky, :] * (1 - ty)[:, None] + v[ky1, :] * ty[:, None]
