"""Coarse levels of detail for internal tiles (REPLACE refinement).

An internal tile of side ``S`` shows its whole subtree at a resolution of ``c = S / CELLS`` metres:

* *landmarks* -- buildings at least ``2c`` across or ``4c`` tall -- keep their own footprint,
  simplified with tolerance ``c / 4``, and their feature id, so the skyline stays right;
* every other building is merged per ``c x c`` cell into one block with the cell's built-up area
  (a square of that area centred on the area-weighted centroid) and its volume (area-weighted
  mean height). Blocks carry the null feature id.

The error of this representation is at most about ``c`` (a building moves by less than a cell,
heights are averaged within a cell), which is the tile's geometric error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from tiles.geometry.crs import LocalFrame, metres_per_degree
from tiles.geometry.extrude import BaseMode, Terrain, extrude_footprints
from tiles.geometry.mesh import MeshBlock
from tiles.model import FeatureTable

CELLS = 16  # cells per tile side; the geometric error of an internal tile is its side / CELLS
MAX_CELL_M = 160.0  # above this a tile has no content: blocks that coarse show nothing useful
LEAF_POSITION_ERROR_M = 0.01  # a leaf's vertices are written within 1 cm of the data
LANDMARK_SIDE = 2.0  # a building this many cells across keeps its own shape
LANDMARK_HEIGHT = 4.0  # ... and so does one this many cells tall (the skyline)


def cell_size(tile_size_m: float) -> float:
    return tile_size_m / CELLS


def position_error_m(tile_size_m: float, leaf: bool) -> float:
    """How far encoding (quantization) may move a vertex of a tile's content: 1 cm in a leaf,
    which shows the data as it is, and in an internal tile a quarter of its cell (the
    tolerance its content is simplified with)."""
    if leaf:
        return LEAF_POSITION_ERROR_M
    return max(LEAF_POSITION_ERROR_M, cell_size(tile_size_m) / 4.0)


def has_coarse_content(tile_size_m: float) -> bool:
    return cell_size(tile_size_m) <= MAX_CELL_M


@dataclass
class CoarseContent:
    """Meshes of an internal tile plus the rows (landmarks) its feature ids refer to."""

    blocks: list[tuple[MeshBlock, NDArray[np.int64] | None]]
    rows: NDArray[np.int64]  # positions in the node's table slice, in feature-id order
    feature_count: int  # landmark features plus one pseudo-feature per merged block


def coarse_content(
    table: FeatureTable,
    area_m2: NDArray[np.float64],
    center_lonlat: NDArray[np.float64],
    tile_size_m: float,
    frame: LocalFrame,
    terrain: Terrain | None = None,
    base: BaseMode = "min",
) -> CoarseContent:
    """Landmarks and merged blocks for the buildings of ``table`` (one internal tile)."""
    c = cell_size(tile_size_m)
    drawn = table.drawn
    height = table.height_m
    landmark = drawn & ((np.sqrt(area_m2) >= LANDMARK_SIDE * c) | (height >= LANDMARK_HEIGHT * c))
    small = drawn & ~landmark
    blocks: list[tuple[MeshBlock, NDArray[np.int64] | None]] = []

    rows = np.flatnonzero(landmark)
    if rows.size:
        geoms = table.geometry_to_draw[rows]
        tol_deg = (c / 4.0) / 111_320.0
        simple = shapely.simplify(geoms, tol_deg, preserve_topology=True)
        bad = shapely.is_empty(simple) | ~shapely.is_valid(simple)
        simple[bad] = geoms[bad]
        mesh = extrude_footprints(
            simple, table.base_height_m[rows], height[rows], frame, terrain, base
        )
        ids = np.arange(rows.size, dtype=np.int64)
        blocks.extend((m, ids) for m in mesh)

    if small.any():
        lon, lat = center_lonlat[small, 0], center_lonlat[small, 1]
        a = area_m2[small]
        h = height[small]
        mx, my = metres_per_degree(lat)
        gx = np.floor(lon * mx / c).astype(np.int64)
        gy = np.floor(lat * my / c).astype(np.int64)
        # cells numbered in (gx, gy) order, as np.unique(axis=0) numbers the pairs, from one
        # integer per pair (a row-wise unique sorts a structured view: 10x slower)
        gx -= gx.min()
        gy -= gy.min()
        _, cell = np.unique(gx * (int(gy.max()) + 1) + gy, return_inverse=True)
        cell = cell.reshape(-1)
        k = int(cell.max()) + 1
        sa = np.bincount(cell, a, k)
        sa_safe = np.where(sa > 0, sa, 1.0)
        clon = np.bincount(cell, a * lon, k) / sa_safe
        clat = np.bincount(cell, a * lat, k) / sa_safe
        ch = np.bincount(cell, a * h, k) / sa_safe
        side = np.minimum(np.sqrt(sa), c)
        ok = side > 0.5
        clon, clat, ch, side = clon[ok], clat[ok], ch[ok], side[ok]
        bx, by = metres_per_degree(clat)
        hx, hy = side / 2.0 / bx, side / 2.0 / by
        boxes = shapely.box(clon - hx, clat - hy, clon + hx, clat + hy)
        mesh = extrude_footprints(boxes, np.zeros(boxes.shape[0]), ch, frame, terrain, base)
        null = np.full(boxes.shape[0], -1, dtype=np.int64)
        # blocks come after the landmarks in vertex order; their ids are all "no feature"
        blocks.extend((m, null) for m in mesh)
    return CoarseContent(blocks=blocks, rows=rows, feature_count=int(rows.size))
