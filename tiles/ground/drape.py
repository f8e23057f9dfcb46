"""Draping the ground layer on a terrain: polygons cut at a square grid, all of a tile at once.

A flat triangle laid on a terrain touches it only at its corners; across a hillside a large one
floats above or sinks below the slope. Cutting the polygons at the lines of a grid of the
terrain's cell size keeps every triangle within one cell, where the terrain is a single bilinear
patch, so heights sampled once per vertex (one vectorised call per tile) follow the slope.

Each polygon is tested against the cells of its box at once: a cell inside it is its own piece,
and only cells on its edge are clipped (GEOS's rectangle clip, one vectorised call per tile).

Where the terrain is smooth, cells much larger than the terrain's own need no cut at all: a
triangle whose corners lie on the terrain strays from it by at most twice the terrain's distance
to a plane over the triangle. :class:`DrapeCells` measures that distance once for the whole
layer, for square blocks of ``2**k`` terrain cells (the best plane of each block, every node of
a regular lattice at the terrain's spacing), and each tile is cut at the coarsest block size
whose blocks over the tile all keep draped triangles within :data:`DRAPE_TOLERANCE_M`; steep or
rough ground keeps the terrain's own cell. On the bench's London DEM (a 40 m rise, 3 m ripples)
leaves are cut at 10 to 40 m instead of 5 m.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import NDArray

# pieces a tile may be cut into at most (cells of the polygons' boxes): a coarser grid beyond it
MAX_DRAPE_PIECES = 4_000_000
# a draped triangle's inside lies at most this far from the terrain (it is drawn 5 cm and more
# above it: a triangle never sinks into it, and never floats visibly)
DRAPE_TOLERANCE_M = 0.02
MAX_LATTICE_NODES = 4_000_000  # the flatness lattice is bounded: coarser spacing beyond it

# heights (ellipsoidal metres) at plane x/y
PlaneHeightFn = Callable[[NDArray[np.float64], NDArray[np.float64]], NDArray[np.float64]]
# heights at every node of the lattice gx x gy (1-D plane coordinates), as (len(gy), len(gx))
LatticeHeightFn = Callable[[NDArray[np.float64], NDArray[np.float64]], NDArray[np.float64]]


@dataclass
class DrapeCells:
    """Per level ``k``, which blocks of ``2**k`` cells of ``cell_m`` (aligned on multiples of
    the block size in the plane) keep draped triangles within :data:`DRAPE_TOLERANCE_M`."""

    cell_m: float
    i0: int  # lattice node index (in cells) of the lattice's south-west corner
    j0: int
    flat: list[NDArray[np.bool_]]  # level k: (blocks north, blocks east)
    _sat: dict[int, NDArray[np.int64]] = field(default_factory=dict, repr=False)

    @classmethod
    def measure(
        cls,
        height_xy: PlaneHeightFn,
        bounds: tuple[float, float, float, float],
        cell_m: float,
        max_cell_m: float,
        tolerance_m: float = DRAPE_TOLERANCE_M,
        *,
        on_lattice: LatticeHeightFn | None = None,
    ) -> DrapeCells:
        """Sample the terrain at every ``cell_m`` over ``bounds`` (plane metres) and find, for
        blocks up to ``max_cell_m`` across, those within ``tolerance_m / 2`` of a plane.
        ``on_lattice``, when given, gives the lattice's heights instead of ``height_xy`` on its
        nodes one by one (a caller that can place a regular lattice more cheaply)."""
        x0, y0, x1, y1 = bounds
        levels = max(int(np.floor(np.log2(max(max_cell_m / cell_m, 1.0)))), 0)
        nodes = ((x1 - x0) / cell_m + 2**levels) * ((y1 - y0) / cell_m + 2**levels)
        if nodes > MAX_LATTICE_NODES:  # bounded: a coarser lattice, so fewer (coarser) cuts
            coarser = cell_m * float(np.sqrt(nodes / MAX_LATTICE_NODES))
            return cls.measure(
                height_xy,
                bounds,
                coarser,
                max(max_cell_m, coarser),
                tolerance_m,
                on_lattice=on_lattice,
            )
        top = 2**levels
        i0 = int(np.floor(x0 / cell_m / top)) * top
        j0 = int(np.floor(y0 / cell_m / top)) * top
        nx = int(np.ceil(x1 / cell_m / top)) * top - i0 + 1
        ny = int(np.ceil(y1 / cell_m / top)) * top - j0 + 1
        gx = (i0 + np.arange(max(nx, top + 1))) * cell_m
        gy = (j0 + np.arange(max(ny, top + 1))) * cell_m
        if on_lattice is not None:
            h = np.asarray(on_lattice(gx, gy), np.float64)
        else:
            xx, yy = np.meshgrid(gx, gy)
            h = np.asarray(height_xy(xx.ravel(), yy.ravel()), np.float64).reshape(xx.shape)
        flat = [np.ones(((h.shape[0] - 1), (h.shape[1] - 1)), bool)]  # one cell: the finest cut
        for k in range(1, levels + 1):
            flat.append(_within_plane(h, 2**k, tolerance_m / 2.0))
        return cls(cell_m, i0, j0, flat)

    def cell_for(self, box: tuple[float, float, float, float]) -> float:
        """The coarsest cut cell (metres) at which every block over ``box`` is flat enough."""
        return float(self.cells_for(np.array([box], np.float64))[0])

    def cells_for(self, boxes: NDArray[np.float64]) -> NDArray[np.float64]:
        """:meth:`cell_for` of every box (rows of west, south, east, north) at once: per level,
        the count of blocks not flat enough under each box from a summed-area table."""
        out = np.full(boxes.shape[0], self.cell_m)
        todo = np.asarray(~np.isnan(boxes).any(axis=1), dtype=bool)
        for k in range(len(self.flat) - 1, 0, -1):
            if not todo.any():
                break
            size = self.cell_m * 2**k
            rows, cols = self.flat[k].shape
            b = boxes[todo]
            bi0 = np.floor(b[:, 0] / size).astype(np.int64) - self.i0 // 2**k
            bj0 = np.floor(b[:, 1] / size).astype(np.int64) - self.j0 // 2**k
            bi1 = np.ceil(b[:, 2] / size).astype(np.int64) - self.i0 // 2**k
            bj1 = np.ceil(b[:, 3] / size).astype(np.int64) - self.j0 // 2**k
            # beyond the measured lattice: not known to be flat
            inside = (bi0 >= 0) & (bj0 >= 0) & (bi1 <= cols) & (bj1 <= rows)
            bi0, bi1 = np.clip(bi0, 0, cols), np.clip(bi1, 0, cols)
            bj0, bj1 = np.clip(bj0, 0, rows), np.clip(bj1, 0, rows)
            sat = self._rough_counts(k)
            rough = sat[bj1, bi1] - sat[bj0, bi1] - sat[bj1, bi0] + sat[bj0, bi0]
            idx = np.flatnonzero(todo)[inside & (rough == 0)]
            out[idx] = size
            todo[idx] = False
        return out

    def _rough_counts(self, k: int) -> NDArray[np.int64]:
        """Summed-area table of level ``k``'s blocks that are not flat enough, (rows + 1, cols + 1)
        with a zero first row and column."""
        if k not in self._sat:
            rough = (~self.flat[k]).astype(np.int64)
            sat = np.zeros((rough.shape[0] + 1, rough.shape[1] + 1), np.int64)
            sat[1:, 1:] = rough.cumsum(axis=0).cumsum(axis=1)
            self._sat[k] = sat
        return self._sat[k]


def _within_plane(h: NDArray[np.float64], s: int, limit_m: float) -> NDArray[np.bool_]:
    """For blocks of ``s`` x ``s`` cells of the lattice ``h`` (nodes, both edges included),
    whether every node lies within ``limit_m`` of the block's least-squares plane."""
    win = np.lib.stride_tricks.sliding_window_view(h, (s + 1, s + 1))[::s, ::s]
    by, bx = win.shape[:2]
    u, v = np.meshgrid(np.arange(s + 1.0), np.arange(s + 1.0))
    a = np.column_stack([np.ones(u.size), u.ravel(), v.ravel()])
    solve = np.linalg.pinv(a).T  # heights to plane coefficients, the same for every block
    flat = np.empty((by, bx), bool)
    for r in range(by):  # a row of blocks at a time: bounded memory
        z = win[r].reshape(bx, -1)
        flat[r] = np.abs(z - (z @ solve) @ a.T).max(axis=1) <= limit_m
    return flat


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


def cut_at_cells(
    polys: NDArray[np.object_], owner: NDArray[np.int64], cells: NDArray[np.float64]
) -> tuple[NDArray[np.object_], NDArray[np.int64]]:
    """:func:`cut_at_grid` of each polygon at its own cell (``cells``, metres): a polygon over
    flat ground is cut at the coarse cell its ground allows even where a slope elsewhere in
    its tile needs a fine one. Pieces come grouped by cell, from the finest."""
    out_p: list[NDArray[np.object_]] = []
    out_o: list[NDArray[np.int64]] = []
    for cell in np.unique(cells).tolist():
        sel = np.flatnonzero(cells == cell)
        pieces, who = cut_at_grid(polys[sel], owner[sel], cell)
        out_p.append(pieces)
        out_o.append(who)
    if not out_p:
        return polys, owner
    return np.concatenate(out_p), np.concatenate(out_o)
