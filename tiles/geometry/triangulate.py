"""Exact polygon triangulation (earcut) for many polygons at once."""

from __future__ import annotations

import mapbox_earcut as earcut
import numpy as np
from numpy.typing import NDArray

# twice the area (m²) below which a vertex's turn counts as straight: such polygons go to earcut
_STRICT = 1e-9


def _starts(counts: NDArray[np.int64]) -> NDArray[np.int64]:
    out = np.zeros(counts.shape[0] + 1, np.int64)
    np.cumsum(counts, out=out[1:])
    return out


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

    Strictly convex polygons without holes (most building footprints) are fanned in numpy; the
    rest go through earcut one polygon at a time.
    """
    n_poly = poly_vertex_start.shape[0] - 1
    n_vert = np.diff(poly_vertex_start)
    n_ring = np.diff(poly_ring_start)
    fast = (n_ring == 1) & (n_vert >= 3)
    if fast.any():
        # every turn of the ring to the left (or every turn to the right): convex
        v = np.arange(xy.shape[0])
        first = poly_vertex_start[:-1]
        owner = np.repeat(np.arange(n_poly), n_vert)
        nxt = v + 1
        nxt[poly_vertex_start[1:][n_vert > 0] - 1] = first[n_vert > 0]
        prv = np.empty_like(v)
        prv[nxt] = v
        e0 = xy - xy[prv]
        e1 = xy[nxt] - xy
        turn = e0[:, 0] * e1[:, 1] - e0[:, 1] * e1[:, 0]
        left = np.bincount(owner, turn > _STRICT, minlength=n_poly) == n_vert
        right = np.bincount(owner, turn < -_STRICT, minlength=n_poly) == n_vert
        fast &= left | right
    counts = np.where(fast, n_vert - 2, 0).astype(np.int64)
    fan_owner = np.repeat(np.flatnonzero(fast), counts[fast])
    fan_k = np.arange(fan_owner.shape[0]) - np.repeat(_starts(counts[fast])[:-1], counts[fast])
    s = poly_vertex_start[:-1][fan_owner]
    fast_tris = np.column_stack([s, s + fan_k + 1, s + fan_k + 2])
    fast_owner = fan_owner.astype(np.int64)

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
