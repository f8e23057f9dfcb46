"""A terrain for Cesium: quantized-mesh-1.0 tiles and ``layer.json`` from a build's terrain grid.

Written from the format's specification (github.com/CesiumGS/quantized-mesh, "quantized-mesh-1.0
terrain format"): the geographic tiling scheme (EPSG:4326, two root tiles of 180 degrees, TMS
rows counted from the south), each tile a header (centre, height range, bounding sphere, horizon
occlusion point), zig-zag delta coded u/v/height on 0..32767, high-water-mark coded triangle
indices and the four edges' vertex lists (Cesium hangs its skirts on them). Heights are
ellipsoidal, as the grid's are.

Every tile is a regular grid of ``SEGMENTS`` x ``SEGMENTS`` cells sampled from the grid
(points beyond it take its nearest edge, so the globe around a city is at the city's edge
height, without a cliff). Only the tiles over the grid's box are written, at every level from 0
down to the first whose vertex spacing is the grid's own; ``layer.json`` lists them as
``available``, and Cesium upsamples a parent where a tile is not.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tiles.geometry.crs import WGS84_A, WGS84_E2, WGS84_F
from tiles.terrain.grid import TerrainGrid

TERRAIN_DIR = "terrain"
LAYER_FILE = "layer.json"
GRID_FILE = "grid.npz"  # the build's terrain grid, for massing set on the same terrain later
SEGMENTS = 64  # cells per tile side: 65 x 65 vertices, 8,192 triangles
MAX_LEVEL = 18
MAX_TOP_TILES = 1024  # at the finest level at most: a coarser top level for a larger city
QMAX = 32767
WGS84_B = WGS84_A * (1.0 - WGS84_F)
_RADII = np.array([WGS84_A, WGS84_A, WGS84_B])


def tile_bounds(level: int, x: int, y: int) -> tuple[float, float, float, float]:
    """West, south, east, north (degrees) of tile ``level/x/y`` (TMS: ``y`` from the south)."""
    size = 180.0 / 2**level
    return (-180.0 + x * size, -90.0 + y * size, -180.0 + (x + 1) * size, -90.0 + (y + 1) * size)


def tile_range(level: int, bbox: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    """The tiles (start x, start y, end x, end y, inclusive) of ``level`` over ``bbox``."""
    size = 180.0 / 2**level
    w, s, e, n = bbox
    nx, ny = 2 ** (level + 1), 2**level
    x0 = min(max(math.floor((w + 180.0) / size), 0), nx - 1)
    x1 = min(max(math.floor((e + 180.0) / size), 0), nx - 1)
    y0 = min(max(math.floor((s + 90.0) / size), 0), ny - 1)
    y1 = min(max(math.floor((n + 90.0) / size), 0), ny - 1)
    return x0, y0, x1, y1


def max_level(grid: TerrainGrid) -> int:
    """The first level whose vertex spacing (north-south) is no coarser than the grid's."""
    lat_m = math.pi * WGS84_A / 180.0  # about a metre per degree of latitude x 111 km
    for level in range(MAX_LEVEL + 1):
        if 180.0 / 2**level / SEGMENTS * lat_m <= grid.cell_m:
            return level
    return MAX_LEVEL


def _zigzag_delta(values: NDArray[np.int64]) -> NDArray[np.uint16]:
    """Zig-zag coded differences along the last axis (from 0)."""
    delta = np.diff(values, prepend=0, axis=-1)
    return ((delta << 1) ^ (delta >> 63)).astype(np.uint16)


def _high_water_mark(indices: NDArray[np.int64]) -> NDArray[np.int64]:
    """High-water-mark codes of ``indices``, which must use each new vertex in order."""
    # the highest index seen before each position, plus one, is the decoder's "highest"
    highest = np.concatenate([[0], np.maximum.accumulate(indices)[:-1] + 1])
    return highest - indices


def _horizon_points(
    ecef: tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]],
    center: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Per tile (``ecef``: x, y, z, each tiles x vertices; ``center``: tiles x 3), the horizon
    occlusion point in ellipsoid-scaled coordinates (Cesium's EllipsoidalOccluder): on the ray
    through the centre, beyond which every vertex is hidden exactly when the point is. For tiles
    too large for one (a hemisphere), the point far along the ray, so the tile is never culled
    for being behind the horizon."""
    # component by component: numpy's reductions over an axis of 3 are several times slower
    # than three multiply-adds (the same sums, in the same order)
    sx, sy, sz = (ecef[i] / _RADII[i] for i in range(3))
    d = center / _RADII
    d = d / np.sqrt(d[:, 0] ** 2 + d[:, 1] ** 2 + d[:, 2] ** 2)[:, None]
    dx, dy, dz = (d[:, i, None] for i in range(3))
    mag2 = sx**2 + sy**2 + sz**2
    norm = np.sqrt(mag2)
    mag2 = np.maximum(mag2, 1.0)
    mag = np.sqrt(mag2)
    ux, uy, uz = sx / norm, sy / norm, sz / norm
    cos_a = ux * dx + uy * dy + uz * dz
    cx, cy, cz = uy * dz - uz * dy, uz * dx - ux * dz, ux * dy - uy * dx
    sin_a = np.sqrt(cx**2 + cy**2 + cz**2)
    cos_b = 1.0 / mag
    sin_b = np.sqrt(mag2 - 1.0) * cos_b
    denom = cos_a * cos_b - sin_a * sin_b
    below = (denom <= 1e-9).any(axis=1)
    far = (1.0 / np.where(denom > 1e-9, denom, 1.0)).max(axis=1)
    scale = np.where(below, 1e6, far)
    return d * scale[:, None]


def encode_tile(grid: TerrainGrid, level: int, x: int, y: int) -> bytes:
    """One quantized-mesh-1.0 tile (uncompressed) sampled from ``grid``."""
    return encode_tiles(grid, level, np.array([x]), np.array([y]))[0]


TILES_PER_BATCH = 4  # tiles per vectorised step: 17k vertices, its arrays stay in the cache


def encode_tiles(
    grid: TerrainGrid, level: int, xs: NDArray[np.int64], ys: NDArray[np.int64]
) -> list[bytes]:
    """The quantized-mesh-1.0 tiles ``level/xs[i]/ys[i]`` (uncompressed) sampled from ``grid``,
    all at once: the per-tile work is the header's packing only."""
    out: list[bytes] = []
    for k in range(0, xs.size, TILES_PER_BATCH):
        out.extend(
            _encode_batch(grid, level, xs[k : k + TILES_PER_BATCH], ys[k : k + TILES_PER_BATCH])
        )
    return out


def _encode_batch(
    grid: TerrainGrid, level: int, xs: NDArray[np.int64], ys: NDArray[np.int64]
) -> list[bytes]:
    size = 180.0 / 2**level
    w, s = -180.0 + xs * size, -90.0 + ys * size
    e, n = -180.0 + (xs + 1) * size, -90.0 + (ys + 1) * size
    mesh = _grid_mesh(SEGMENTS)
    q = mesh.qu[: SEGMENTS + 1]  # u of a row's vertices = v of a column's: vertex = row * k + col
    k = q.size
    # a tile's vertices are a lattice: lon varies along its columns only, lat along its rows, so
    # everything but the height is computed once per column or row (tiles x 1 x k, tiles x k x 1)
    lon = (w[:, None] + (e - w)[:, None] * q[None, :] / QMAX)[:, None, :]
    lat = (s[:, None] + (n - s)[:, None] * q[None, :] / QMAX)[:, :, None]
    h = grid.sample(lon, lat).reshape(xs.size, k * k)
    h_min, h_max = h.min(axis=1), h.max(axis=1)
    span = h_max - h_min
    safe = np.where(span > 0, span, 1.0)
    qh = np.where(
        (span > 0)[:, None], np.rint((h - h_min[:, None]) / safe[:, None] * QMAX), 0.0
    ).astype(np.int64)
    ecef = _lattice_ecef(lon, lat, h.reshape(xs.size, k, k))
    center = np.column_stack([(c.min(axis=1) + c.max(axis=1)) / 2.0 for c in ecef])
    dist2 = sum((c - center[:, i, None]) ** 2 for i, c in enumerate(ecef))
    radius = np.sqrt(dist2).max(axis=1)
    horizon = _horizon_points(ecef, center)
    heights = _zigzag_delta(qh[:, mesh.order])
    count = struct.pack("<I", mesh.order.size)
    tiles = []
    for t in range(xs.size):
        head = struct.pack("<3d2f", *center[t], h_min[t], h_max[t])
        head += struct.pack("<4d", *center[t], radius[t])
        head += struct.pack("<3d", *horizon[t])
        body = count + mesh.uv + heights[t].tobytes()
        used = len(head) + len(body)
        pad = (-used) % (4 if mesh.index_bytes == 4 else 2)
        tiles.append(b"".join([head, body, b"\0" * pad, mesh.indices]))
    return tiles


def _lattice_ecef(
    lon: NDArray[np.float64], lat: NDArray[np.float64], h: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """:func:`~tiles.geometry.crs.geodetic_to_ecef` of a lattice (``lon``: tiles x 1 x k,
    ``lat``: tiles x k x 1, ``h``: tiles x k x k) as x, y, z of tiles x k*k: the same closed
    form and order of operations, its sines and cosines taken once per column and row."""
    lon_r, lat_r = np.radians(lon), np.radians(lat)
    sin_lat, cos_lat = np.sin(lat_r), np.cos(lat_r)
    n = WGS84_A / np.sqrt(1.0 - WGS84_E2 * sin_lat * sin_lat)
    tiles = h.shape[0]
    x = ((n + h) * cos_lat * np.cos(lon_r)).reshape(tiles, -1)
    y = ((n + h) * cos_lat * np.sin(lon_r)).reshape(tiles, -1)
    z = ((n * (1.0 - WGS84_E2) + h) * sin_lat).reshape(tiles, -1)
    return x, y, z


@dataclass(frozen=True)
class _GridMesh:
    """What every tile shares: its vertices' u/v on 0..QMAX (grid order), the order vertices
    are written in (first use by the triangles), and the encoded u/v, triangles and edges."""

    qu: NDArray[np.int64]
    qv: NDArray[np.int64]
    order: NDArray[np.int64]
    uv: bytes  # zig-zag delta u then v, in vertex order
    index_bytes: int
    indices: bytes  # triangle count, high-water-mark indices, the four edges


@lru_cache(maxsize=4)
def _grid_mesh(segments: int) -> _GridMesh:
    """The regular grid's topology, the same for every tile: built once, not once per tile."""
    k = segments + 1
    q = np.rint(np.linspace(0, QMAX, k)).astype(np.int64)
    qu, qv = np.meshgrid(q, q)  # rows: v (south to north), cols: u (west to east)
    # two counter-clockwise triangles per cell, then vertices renumbered by first use
    a = (np.arange(segments)[None, :] + k * np.arange(segments)[:, None]).ravel()
    tris = np.stack(
        [np.stack([a, a + 1, a + k + 1], 1), np.stack([a, a + k + 1, a + k], 1)], 1
    ).reshape(-1, 3)
    flat = tris.ravel()
    _, first = np.unique(flat, return_index=True)
    order = flat[np.sort(first)]  # old vertex ids in order of first use
    new_id = np.empty(k * k, np.int64)
    new_id[order] = np.arange(order.size)
    grid_id = np.arange(k * k).reshape(k, k)
    edges = [  # west, south, east, north
        new_id[grid_id[:, 0]],
        new_id[grid_id[0, :]],
        new_id[grid_id[:, -1]],
        new_id[grid_id[-1, :]],
    ]
    index_type = np.uint16 if order.size <= 65536 else np.uint32
    indices = struct.pack("<I", tris.shape[0])
    indices += _high_water_mark(new_id[flat]).astype(index_type).tobytes()
    for edge in edges:
        indices += struct.pack("<I", edge.size) + edge.astype(index_type).tobytes()
    uv = _zigzag_delta(qu.ravel()[order]).tobytes() + _zigzag_delta(qv.ravel()[order]).tobytes()
    qu, qv = qu.ravel(), qv.ravel()
    for arr in (qu, qv, order):
        arr.flags.writeable = False  # cached: every tile reads the same arrays
    return _GridMesh(qu, qv, order, uv, np.dtype(index_type).itemsize, indices)


def _count(r: tuple[int, int, int, int]) -> int:
    return (r[2] - r[0] + 1) * (r[3] - r[1] + 1)


def write_terrain(grid: TerrainGrid, out_dir: Path) -> dict[str, Any]:
    """Write ``out_dir/layer.json`` and ``{level}/{x}/{y}.terrain`` over the grid's box;
    returns a report (levels, tiles, bytes)."""
    top = max_level(grid)
    while top > 0 and _count(tile_range(top, grid.bbox)) > MAX_TOP_TILES:
        top -= 1
    available: list[list[dict[str, int]]] = []
    tiles = 0
    size = 0
    for level in range(top + 1):
        x0, y0, x1, y1 = (0, 0, 1, 0) if level == 0 else tile_range(level, grid.bbox)
        available.append([{"startX": x0, "startY": y0, "endX": x1, "endY": y1}])
        xs, ys = np.meshgrid(np.arange(x0, x1 + 1), np.arange(y0, y1 + 1), indexing="ij")
        encoded = encode_tiles(grid, level, xs.ravel(), ys.ravel())
        for x, y, data in zip(xs.ravel().tolist(), ys.ravel().tolist(), encoded, strict=True):
            folder = out_dir / str(level) / str(x)
            if y == y0:
                folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{y}.terrain").write_bytes(data)
            tiles += 1
            size += len(data)
    layer = {
        "tilejson": "2.1.0",
        "name": "terrain",
        "description": "heights above the WGS 84 ellipsoid, from the build's DEM + EGM96",
        "version": "1.0.0",
        "format": "quantized-mesh-1.0",
        "scheme": "tms",
        "tiles": ["{z}/{x}/{y}.terrain"],
        "projection": "EPSG:4326",
        "bounds": [-180.0, -90.0, 180.0, 90.0],
        "minzoom": 0,
        "maxzoom": top,
        "available": available,
    }
    (out_dir / LAYER_FILE).write_text(json.dumps(layer, indent=1), encoding="utf-8")
    grid.save(out_dir / GRID_FILE)
    return {"levels": top + 1, "tiles": tiles, "bytes": size, "cell_m": round(grid.cell_m, 3)}
