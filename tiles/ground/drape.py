"""Draping the ground layer on a terrain: polygons cut at a square grid, all of a tile at once.

A flat triangle laid on a terrain touches it only at its corners; across a hillside a large one
floats above or sinks below the slope. Cutting the polygons at the lines of a grid of the
terrain's cell size keeps every triangle within one cell, where the terrain is a single bilinear
patch, so heights sampled once per vertex (one vectorised call per tile) follow the slope.

The cut is a bisection: each round splits every piece that a grid line crosses at the middle one
of those lines (along the axis crossed by more of them), one GEOS intersection per half, so a
piece is cut ``log2`` of its cells times, and each cut works on a piece already small. Before this
each polygon was intersected with every cell of its box, the whole polygon each time (a river of
thousands of vertices against thousands of cells): the draped ground layer took 2.6 times as long
as a flat one (docs/benchmarks.md, "Terrain"). The pieces are the same, polygon ∩ cell.
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray

# pieces a tile may be cut into at most (cells of the polygons' boxes): a coarser grid beyond it
MAX_DRAPE_PIECES = 4_000_000
_TOL_M = 1e-6  # a grid line this close to a piece's edge does not cross it (GEOS rounding)
_PAD_M = 1.0  # the halves' boxes reach this far beyond the piece
MAX_ROUNDS = 64  # bisection rounds at most (a piece of 2**32 cells a side needs 64)


def polygonal(geoms: NDArray[np.object_]) -> NDArray[np.object_]:
    """The polygonal part of each geometry (an empty Polygon where there is none): what a clip
    or an intersection returns besides polygons (touching lines and points) is dropped."""
    types = shapely.get_type_id(geoms)
    out = np.array(geoms, dtype=object)
    for i in np.flatnonzero(~np.isin(types, [3, 6])).tolist():
        g = geoms[i]
        parts = [] if g is None else [p for p in shapely.get_parts(g) if p.geom_type == "Polygon"]
        out[i] = shapely.MultiPolygon(parts) if parts else shapely.Polygon()
    return out


def _lines_inside(
    vmin: NDArray[np.float64], vmax: NDArray[np.float64], cell_m: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per piece, the first and last grid line index strictly between ``vmin`` and ``vmax``
    (``lo > hi`` when there is none)."""
    lo = np.floor(vmin / cell_m) + 1.0
    lo = np.where(lo * cell_m <= vmin + _TOL_M, lo + 1.0, lo)
    hi = np.ceil(vmax / cell_m) - 1.0
    hi = np.where(hi * cell_m >= vmax - _TOL_M, hi - 1.0, hi)
    return lo, hi


def cut_at_grid(
    polys: NDArray[np.object_], owner: NDArray[np.int64], cell_m: float
) -> tuple[NDArray[np.object_], NDArray[np.int64]]:
    """Cut polygons (plane metres) at the grid lines ``x = i * cell_m`` and ``y = j * cell_m``
    (a grid aligned on the plane's origin), so that each piece lies within one cell. Returns the
    pieces and, per piece, its polygon's ``owner``; the grid is coarsened when the polygons'
    boxes span more than :data:`MAX_DRAPE_PIECES` cells.

    Examples
    --------
    >>> import numpy as np, shapely
    >>> pieces, who = cut_at_grid(np.array([shapely.box(0, 0, 20, 10)]), np.array([7]), 5.0)
    >>> len(pieces), sorted(set(who.tolist())), round(float(shapely.area(pieces).sum()), 6)
    (8, [7], 200.0)
    """
    b = shapely.bounds(polys)
    ok = ~np.isnan(b[:, 0])
    if not ok.any():
        return polys, owner
    i0 = np.floor(b[:, 0] / cell_m)
    j0 = np.floor(b[:, 1] / cell_m)
    nx = np.where(ok, np.ceil(b[:, 2] / cell_m) - i0, 0).astype(np.int64)
    ny = np.where(ok, np.ceil(b[:, 3] / cell_m) - j0, 0).astype(np.int64)
    nx, ny = np.maximum(nx, 1) * ok, np.maximum(ny, 1) * ok
    count = nx * ny
    if count.sum() > MAX_DRAPE_PIECES:  # bounded: a coarser grid rather than unbounded work
        return cut_at_grid(polys, owner, cell_m * np.sqrt(count.sum() / MAX_DRAPE_PIECES))
    single = count == 1
    many = np.flatnonzero(count > 1)
    if many.size == 0:
        return polys, owner
    rep = np.repeat(many, count[many])
    k = np.arange(rep.size) - np.repeat(np.cumsum(count[many]) - count[many], count[many])
    ci = i0[rep] + k % nx[rep]
    cj = j0[rep] + k // nx[rep]
    cells = shapely.box(ci * cell_m, cj * cell_m, (ci + 1) * cell_m, (cj + 1) * cell_m)
    shapely.prepare(polys[many])
    hit = np.flatnonzero(shapely.intersects(polys[rep], cells))
    # a cell inside its polygon is its own piece; only the cells on an edge need the overlay
    inside = shapely.contains_properly(polys[rep[hit]], cells[hit])
    pieces = cells[hit].copy()
    edge = np.flatnonzero(~inside)
    # GEOS's rectangle clip (what the tiles' own cut uses) instead of a full overlay: half the
    # time, the same pieces; shapely's wrapper takes one rectangle per call, its ufunc an array
    x0, y0 = ci[hit[edge]] * cell_m, cj[hit[edge]] * cell_m
    clipped = shapely.lib.clip_by_rect(polys[rep[hit[edge]]], x0, y0, x0 + cell_m, y0 + cell_m)
    pieces[edge] = polygonal(clipped)
    keep = ~shapely.is_empty(pieces)
    out = np.concatenate([polys[single], pieces[keep]])
    who = np.concatenate([owner[single], owner[rep[hit][keep]]])
    return out, who
