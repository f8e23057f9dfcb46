"""Exact polygon triangulation (earcut) for many polygons at once."""

from __future__ import annotations

import mapbox_earcut as earcut
import numpy as np
from numpy.typing import NDArray


def triangulate_polygons(
    xy: NDArray[np.float64],
    poly_vertex_start: NDArray[np.int64],
    ring_ends: NDArray[np.int64],
    poly_ring_start: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Triangulate polygons with holes whose vertices are stacked in ``xy``.

    Polygon ``p`` owns vertices ``poly_vertex_start[p]:poly_vertex_start[p+1]`` (closing vertices
    removed, exterior ring first) and rings ``poly_ring_start[p]:poly_ring_start[p+1]`` whose
    exclusive ends (global vertex indices) are in ``ring_ends``. Returns ``(triangles, counts)``:
    global vertex indices ``(T, 3)`` wound counter-clockwise in ``xy``, and triangles per polygon.

    Simple triangles and convex quadrilaterals (most building footprints) are split in numpy;
    the rest go through earcut one polygon at a time.
    """
    n_poly = poly_vertex_start.shape[0] - 1
    n_vert = np.diff(poly_vertex_start)
    n_ring = np.diff(poly_ring_start)
    simple = n_ring == 1
    tri_simple = simple & (n_vert == 3)
    quad = simple & (n_vert == 4)
    if quad.any():
        s = poly_vertex_start[:-1][quad]
        p = xy[s[:, None] + np.arange(4)]
        e = np.roll(p, -1, axis=1) - p
        cross = (
            e[:, :, 0] * np.roll(e, -1, axis=1)[:, :, 1]
            - e[:, :, 1] * np.roll(e, -1, axis=1)[:, :, 0]
        )
        convex = np.all(cross > 0, axis=1) | np.all(cross < 0, axis=1)
        quad[np.flatnonzero(quad)[~convex]] = False
    fast = tri_simple | quad
    counts = np.where(fast, n_vert - 2, 0).astype(np.int64)

    pieces: list[NDArray[np.int64]] = []
    if tri_simple.any():
        s = poly_vertex_start[:-1][tri_simple]
        pieces.append(np.column_stack([s, s + 1, s + 2]))
    if quad.any():
        s = poly_vertex_start[:-1][quad]
        pieces.append(
            np.stack(
                [np.column_stack([s, s + 1, s + 2]), np.column_stack([s, s + 2, s + 3])], 1
            ).reshape(-1, 3)
        )
    fast_tris = np.concatenate(pieces) if pieces else np.zeros((0, 3), np.int64)
    # fast triangles are produced grouped by kind; re-sort them into polygon order below
    fast_owner = np.concatenate(
        [np.flatnonzero(tri_simple), np.repeat(np.flatnonzero(quad), 2)]
    ).astype(np.int64)

    slow = np.flatnonzero(~fast)
    # ring ends relative to their polygon's first vertex, as earcut wants them
    ring_owner = np.repeat(np.arange(n_poly), n_ring)
    rel_ends = (ring_ends - poly_vertex_start[:-1][ring_owner]).astype(np.uint32)
    out: list[NDArray[np.uint32]] = []
    vs, ve = poly_vertex_start[:-1].tolist(), poly_vertex_start[1:].tolist()
    rs, re_ = poly_ring_start[:-1].tolist(), poly_ring_start[1:].tolist()
    tri_fn = earcut.triangulate_float64
    for p in slow.tolist():
        out.append(tri_fn(xy[vs[p] : ve[p]], rel_ends[rs[p] : re_[p]]))
    slow_counts = np.fromiter((a.shape[0] // 3 for a in out), dtype=np.int64, count=len(out))
    counts[slow] = slow_counts
    if out:
        flat = np.concatenate(out).astype(np.int64)
        flat += np.repeat(poly_vertex_start[:-1][slow], slow_counts * 3)
        slow_tris = [flat.reshape(-1, 3)]
        slow_owner = [np.repeat(slow, slow_counts)]
    else:
        slow_tris, slow_owner = [], []

    tris = np.concatenate([fast_tris, *slow_tris]) if slow_tris else fast_tris
    owner = np.concatenate([fast_owner, *slow_owner]) if slow_owner else fast_owner
    order = np.argsort(owner, kind="stable")
    tris = tris[order]
    # enforce counter-clockwise winding (earcut's output orientation is not guaranteed)
    a, b, c = xy[tris[:, 0]], xy[tris[:, 1]], xy[tris[:, 2]]
    area2 = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    flip = area2 < 0
    tris[flip] = tris[flip][:, ::-1]
    assert counts.sum() == tris.shape[0] and n_poly == counts.shape[0]
    return tris, counts
