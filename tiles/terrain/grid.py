"""The terrain of a build: ellipsoidal heights on a regular lon/lat grid over the city.

A DEM in any CRS is resampled once (bilinear, then the geoid added) onto a lon/lat grid at about
the DEM's own resolution covering the buildings' box plus a margin, clipped to the DEM's own
lon/lat extent. A DEM in a projected CRS is a rectangle in that CRS, turned (meridian
convergence) and bent against the lon/lat box, so some nodes near the box's corners may lie off
it: they take their covered neighbours' heights, and only the footprints themselves must be on
the DEM (:meth:`TerrainGrid.uncovered`, checked where buildings are meshed). Nodes on the DEM's
no-data cells (voids) are filled the same way and counted, unless voids cover most of the city.
Everything that stands on the terrain then samples this one grid: building bases and wall feet,
the draped ground layer, a proposal's massing and the quantized-mesh terrain the viewer draws,
so they agree with one another exactly at its nodes and to the interpolation between them. The
grid is plain numpy (it pickles to forked or Dask workers) and sampling it needs no PROJ call.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from tiles.errors import InvalidInputError
from tiles.geometry.crs import metres_per_degree
from tiles.terrain.dem import Dem

# a grid finer than this many nodes a side is coarsened (a city at 1 m would be 10k x 10k)
MAX_GRID_SIDE = 4097
MARGIN_M = 150.0  # beyond the buildings' box: the ground layer is clipped at about 100 m


@dataclass(frozen=True)
class TerrainGrid:
    """Heights above the WGS 84 ellipsoid at ``west + i * dlon``, ``south + j * dlat``.

    ``heights`` is (rows = latitudes from south, cols = longitudes from west), float32.
    """

    west: float
    south: float
    dlon: float
    dlat: float
    heights: NDArray[np.float32]
    # nodes beyond the DEM's extent (filled from their neighbours); None: none was
    off_dem: NDArray[np.bool_] | None = None
    # nodes on the DEM's no-data cells (voids: water, gaps in a survey), filled likewise
    no_data: NDArray[np.bool_] | None = None
    source: str = ""  # the DEM's path, for messages

    @property
    def east(self) -> float:
        return self.west + self.dlon * (self.heights.shape[1] - 1)

    @property
    def north(self) -> float:
        return self.south + self.dlat * (self.heights.shape[0] - 1)

    @property
    def cell_m(self) -> float:
        """The node spacing in metres (the larger of east-west and north-south)."""
        mx, my = metres_per_degree(np.array([(self.south + self.north) / 2.0]))
        return float(max(self.dlon * mx[0], self.dlat * my[0]))

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.west, self.south, self.east, self.north)

    def sample(
        self, lon: NDArray[np.float64] | float, lat: NDArray[np.float64] | float
    ) -> NDArray[np.float64]:
        """Bilinear heights at lon/lat; points beyond the grid take its nearest edge."""
        lon = np.asarray(lon, np.float64)
        lat = np.asarray(lat, np.float64)
        rows, cols = self.heights.shape
        fx = np.clip((lon - self.west) / self.dlon, 0.0, cols - 1.0)
        fy = np.clip((lat - self.south) / self.dlat, 0.0, rows - 1.0)
        x0 = np.minimum(np.floor(fx).astype(np.int64), cols - 2)
        y0 = np.minimum(np.floor(fy).astype(np.int64), rows - 2)
        tx, ty = fx - x0, fy - y0
        z = self.heights
        return (
            z[y0, x0] * (1 - tx) * (1 - ty)
            + z[y0, x0 + 1] * tx * (1 - ty)
            + z[y0 + 1, x0] * (1 - tx) * ty
            + z[y0 + 1, x0 + 1] * tx * ty
        )

    def uncovered(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Which points have no height from the DEM's extent: beyond the grid, or in a cell
        with a node beyond the DEM (its height made up from neighbours). Points on its no-data
        cells are not among them: the voids of a survey are filled (:attr:`no_data`)."""
        lon = np.asarray(lon, np.float64)
        lat = np.asarray(lat, np.float64)
        rows, cols = self.heights.shape
        fx = (lon - self.west) / self.dlon
        fy = (lat - self.south) / self.dlat
        eps = 1e-9  # a point on the grid's edge is on it
        out = (fx < -eps) | (fy < -eps) | (fx > cols - 1 + eps) | (fy > rows - 1 + eps)
        if self.off_dem is None:
            return out
        x0 = np.clip(np.floor(fx).astype(np.int64), 0, cols - 2)
        y0 = np.clip(np.floor(fy).astype(np.int64), 0, rows - 2)
        off = self.off_dem
        return out | off[y0, x0] | off[y0, x0 + 1] | off[y0 + 1, x0] | off[y0 + 1, x0 + 1]

    def check_covers(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> None:
        """Raise :class:`InvalidInputError` naming the first point (footprint vertex) whose
        height would not come from the DEM."""
        bad = np.flatnonzero(self.uncovered(lon, lat))
        if bad.size:
            i = int(bad[0])
            raise InvalidInputError(
                f"{self.source or 'the DEM'}: the DEM does not cover the city ({bad.size} "
                f"footprint vertices have no height, the first at lon {float(lon[i]):.6f}, "
                f"lat {float(lat[i]):.6f}); use a DEM that covers it whole"
            )

    def save(self, path: Path) -> None:
        """Write the grid to ``path`` (.npz), for builds that stand on the same terrain later
        (a proposal's massing on its city's terrain)."""
        origin = np.array([self.west, self.south, self.dlon, self.dlat])
        # stored, not deflated: 4 bytes a node (London's bench grid 0.7 MB, 67 MB at the bound of
        # MAX_GRID_SIDE) instead of 20-50 ms of zlib in every terrain build (a second per 67 MB)
        with path.open("wb") as f:
            np.savez(f, origin=origin, bbox=np.array(self.bbox), heights=self.heights)

    @classmethod
    def load(cls, path: Path) -> TerrainGrid:
        """A grid written by :meth:`save`."""
        with np.load(path) as doc:
            w, s, dlon, dlat = (float(v) for v in doc["origin"])
            return cls(w, s, dlon, dlat, doc["heights"].astype(np.float32))

    @staticmethod
    def saved_bbox(path: Path) -> tuple[float, float, float, float]:
        """The lon/lat box of a saved grid, without reading its heights."""
        with np.load(path) as doc:
            w, s, e, n = (float(v) for v in doc["bbox"])
        return (w, s, e, n)

    @classmethod
    def read(
        cls,
        path: str | Path,
        bbox: tuple[float, float, float, float],
        margin_m: float = MARGIN_M,
        src_crs: str | None = None,
    ) -> TerrainGrid:
        """:meth:`from_dem` of the DEM at ``path``, reading only its cells over ``bbox`` plus
        ``margin_m`` (and a few cells around), not the whole raster."""
        w, s, e, n = bbox
        mx, my = metres_per_degree(np.array([(s + n) / 2.0]))
        # a metre more than from_dem's own margin: the window holds every node's four cells
        pad_x, pad_y = (margin_m + 1.0) / float(mx[0]), (margin_m + 1.0) / float(my[0])
        over = (w - pad_x, s - pad_y, e + pad_x, n + pad_y)
        return cls.from_dem(Dem.open(path, src_crs=src_crs, over=over), bbox, margin_m)

    @classmethod
    def from_dem(
        cls, dem: Dem, bbox: tuple[float, float, float, float], margin_m: float = MARGIN_M
    ) -> TerrainGrid:
        """Resample ``dem`` onto lon/lat nodes over ``bbox`` (lon/lat) plus ``margin_m``, clipped
        to the DEM's lon/lat extent.

        The node spacing is the DEM's cell size (its affine, in its own units: metres, or
        degrees for a geographic DEM), at most :data:`MAX_GRID_SIDE` nodes a side. Nodes with
        no DEM height (off a turned raster, or on no data) take their neighbours' and are
        marked in ``off_dem`` (beyond the DEM) or ``no_data`` (its voids). Raises
        :class:`InvalidInputError` when the DEM has no height
        over the box at all; whether it covers the footprints is :meth:`check_covers`'s.
        """
        w, s, e, n = bbox
        lat0 = (s + n) / 2.0
        mx, my = metres_per_degree(np.array([lat0]))
        mx_f, my_f = float(mx[0]), float(my[0])
        dw, ds, de, dn = dem.lonlat_bounds()
        w, e = max(w - margin_m / mx_f, dw), min(e + margin_m / mx_f, de)
        s, n = max(s - margin_m / my_f, ds), min(n + margin_m / my_f, dn)
        if not (w < e and s < n):
            raise InvalidInputError(
                f"{dem.path}: the DEM does not cover the city (it spans lon {dw:.6f}..{de:.6f}, "
                f"lat {ds:.6f}..{dn:.6f}; the buildings lon {bbox[0]:.6f}..{bbox[2]:.6f}, lat "
                f"{bbox[1]:.6f}..{bbox[3]:.6f}); use a DEM that covers it whole"
            )
        a, b, _c, d, e_aff, _f = dem.affine
        cell = min(np.hypot(a, d), np.hypot(b, e_aff))
        if dem.crs.is_geographic:
            cell *= my_f  # degrees to metres (north-south)
        cell = max(cell, 0.5)
        nx = int(min(max(np.ceil((e - w) * mx_f / cell), 1), MAX_GRID_SIDE - 1)) + 1
        ny = int(min(max(np.ceil((n - s) * my_f / cell), 1), MAX_GRID_SIDE - 1)) + 1
        lon = np.linspace(w, e, nx)
        lat = np.linspace(s, n, ny)
        h, beyond = dem.ellipsoidal_lattice_and_extent(lon, lat)
        missing = np.isnan(h)
        if missing.all():
            raise InvalidInputError(f"{dem.path}: the DEM has no heights over the city")
        off, void = missing & beyond, missing & ~beyond
        _check_voids(dem, void, lon, lat, bbox)
        _fill_from_neighbours(h)
        return cls(
            w,
            s,
            (e - w) / (nx - 1),
            (n - s) / (ny - 1),
            h.astype(np.float32),
            off if off.any() else None,
            void if void.any() else None,
            str(dem.path),
        )

    @property
    def no_data_nodes(self) -> int:
        """How many nodes stood on the DEM's no-data cells (filled from their neighbours)."""
        return 0 if self.no_data is None else int(self.no_data.sum())


# a DEM with no data under more than this share of the buildings' box is refused
MAX_VOID_SHARE = 0.5


def _check_voids(
    dem: Dem,
    void: NDArray[np.bool_],
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    bbox: tuple[float, float, float, float],
) -> None:
    """Refuse a DEM whose no-data cells cover most of the buildings' box: filling them from
    their neighbours would make the city's ground up."""
    w, s, e, n = bbox
    inside = void[np.ix_((lat >= s) & (lat <= n), (lon >= w) & (lon <= e))]
    if inside.size and inside.mean() > MAX_VOID_SHARE:
        raise InvalidInputError(
            f"{dem.path}: the DEM has no data under {100 * inside.mean():.0f} % of the city "
            f"(lon {w:.6f}..{e:.6f}, lat {s:.6f}..{n:.6f}); fill its voids "
            "(gdal_fillnodata) or use a DEM with heights there"
        )


def _fill_from_neighbours(h: NDArray[np.float64]) -> None:
    """Give margin nodes off the DEM the mean of their covered 4-neighbours, ring by ring.

    Each ring works on the nodes still without a height only (not the whole grid: London's
    bench DEM has 17 rings over a fifth of its 274k nodes), from the heights of the ring before.
    """
    rows, cols = h.shape
    flat = h.ravel()  # a view of a contiguous grid; written back below in any case
    gap = np.flatnonzero(np.isnan(flat))
    while gap.size:
        r, c = np.divmod(gap, cols)
        total = np.zeros(gap.size)
        count = np.zeros(gap.size, np.int64)
        for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):  # south, north, west, east
            rr, cc = r + dr, c + dc
            on = np.flatnonzero((rr >= 0) & (rr < rows) & (cc >= 0) & (cc < cols))
            v = flat[rr[on] * cols + cc[on]]
            has = ~np.isnan(v)
            total[on[has]] += v[has]
            count[on[has]] += 1
        fill = count > 0
        if not fill.any():
            break  # nothing left to fill from (a grid with no height at all is refused before)
        flat[gap[fill]] = total[fill] / count[fill]
        gap = gap[~fill]
    h[...] = flat.reshape(rows, cols)
