"""Triangulation of 3D model surfaces (CityJSON): planar polygons with holes, flat normals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mapbox_earcut as earcut
import numpy as np
from numpy.typing import NDArray

from tiles.geometry.crs import LocalFrame
from tiles.geometry.mesh import MeshBlock
from tiles.model import FeatureTable, Surface


def _newell(ring: NDArray[np.float64]) -> NDArray[np.float64]:
    nxt = np.roll(ring, -1, axis=0)
    n = np.array(
        [
            np.sum((ring[:, 1] - nxt[:, 1]) * (ring[:, 2] + nxt[:, 2])),
            np.sum((ring[:, 2] - nxt[:, 2]) * (ring[:, 0] + nxt[:, 0])),
            np.sum((ring[:, 0] - nxt[:, 0]) * (ring[:, 1] + nxt[:, 1])),
        ]
    )
    length = np.linalg.norm(n)
    return n / length if length > 0 else n


def _cross(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.array(
        [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
    )


def _fan_volume(ring: NDArray[np.float64], origin: NDArray[np.float64]) -> float:
    """Six times the signed volume of the cone from ``origin`` over the ring, as wound."""
    r = ring - origin
    a, b = r[1:-1], r[2:]
    return float(np.sum(r[0] @ np.cross(a, b).T)) if len(r) >= 3 else 0.0


def _area_vector(ring: NDArray[np.float64]) -> NDArray[np.float64]:
    nxt = np.roll(ring, -1, axis=0)
    return 0.5 * np.cross(ring, nxt).sum(axis=0)


def _guess(
    normal: NDArray[np.float64], ring: NDArray[np.float64], cls: int, centre: NDArray[np.float64]
) -> int:
    """1 when a surface wound along ``normal`` looks outward on its own, -1 when not: roofs
    face up, grounds down, other surfaces away from the building's centre."""
    if cls < 0:
        cls = Surface.ROOF if normal[2] > 0.5 else (Surface.GROUND if normal[2] < -0.5 else -1)
    if cls == Surface.ROOF:
        return 1 if normal[2] >= 0 else -1
    if cls == Surface.GROUND:
        return 1 if normal[2] <= 0 else -1
    return 1 if float(normal @ (ring.mean(axis=0) - centre)) >= 0 else -1


def _find(parent: list[int], parity: list[int], i: int) -> tuple[int, int]:
    """Root of ``i`` and the parity of ``i`` relative to it (path-compressed)."""
    path = []
    while parent[i] != i:
        path.append(i)
        i = parent[i]
    acc = 0
    for j in reversed(path):
        acc ^= parity[j]
        parity[j] = acc
        parent[j] = i
    return i, parity[path[0]] if path else 0


# T-junctions: a vertex within this distance (metres) of another surface's edge splits it
T_JUNCTION_TOLERANCE = 0.005
# points x edges compared at once to find T-junctions; larger shells are oriented without them
T_JUNCTION_WORK = 4_000_000


def _split_at_t_junctions(
    a: NDArray[np.int64],
    b: NDArray[np.int64],
    srf: NDArray[np.int64],
    all_keys: NDArray[np.int64],
    all_pts: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Split each directed edge a->b at the shell's vertices lying on it (T-junctions), so that
    a surface meeting a longer edge of its neighbour is still found to share it."""
    uk, first = np.unique(all_keys, return_index=True)
    upts = all_pts[first]
    if len(uk) * len(a) > T_JUNCTION_WORK:
        return a, b, srf
    pa = upts[np.searchsorted(uk, a)]
    pb = upts[np.searchsorted(uk, b)]
    d = pb - pa
    length2 = np.einsum("ij,ij->i", d, d)
    rel = upts[None, :, :] - pa[:, None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.einsum("evj,ej->ev", rel, d) / length2[:, None]
    off = rel - t[:, :, None] * d[:, None, :]
    dist2 = np.einsum("evj,evj->ev", off, off)
    on = (t > 1e-9) & (t < 1 - 1e-9) & (dist2 < T_JUNCTION_TOLERANCE**2) & (length2[:, None] > 0)
    on &= (uk[None, :] != a[:, None]) & (uk[None, :] != b[:, None])
    if not on.any():
        return a, b, srf
    out_a, out_b, out_s = [], [], []
    for e in range(len(a)):
        mid = np.flatnonzero(on[e])
        if mid.size == 0:
            out_a.append(a[e : e + 1])
            out_b.append(b[e : e + 1])
            out_s.append(srf[e : e + 1])
            continue
        chain = np.concatenate([[a[e]], uk[mid[np.argsort(t[e, mid])]], [b[e]]])
        out_a.append(chain[:-1])
        out_b.append(chain[1:])
        out_s.append(np.full(len(chain) - 1, srf[e], np.int64))
    return np.concatenate(out_a), np.concatenate(out_b), np.concatenate(out_s)


def _pairs(
    a: NDArray[np.int64], b: NDArray[np.int64], srf: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_]]:
    """Surfaces sharing a manifold edge (used by exactly two surfaces), and for each pair
    whether they use it in the same direction (so one of the two must be reversed)."""
    keep = a != b
    a, b, srf = a[keep], b[keep], srf[keep]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    forward = a < b
    order = np.lexsort((srf, hi, lo))
    lo, hi, forward, srf = lo[order], hi[order], forward[order], srf[order]
    # an edge where three or more surfaces meet (a partition wall, touching parts) says
    # nothing clear about either
    cut = np.flatnonzero((lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])) + 1
    group_size = np.diff(np.concatenate([[0], cut, [len(lo)]]))
    size_at = np.repeat(group_size, group_size)
    j = np.flatnonzero(
        (lo[1:] == lo[:-1]) & (hi[1:] == hi[:-1]) & (srf[1:] != srf[:-1]) & (size_at[1:] == 2)
    )
    return srf[j], srf[j + 1], forward[j] == forward[j + 1]


def _vote(
    out: NDArray[np.int8],
    s1: NDArray[np.int64],
    s2: NDArray[np.int64],
    reverse: NDArray[np.bool_],
    only_unset: bool,
) -> None:
    """Turn each surface the way most of its oriented neighbours want it (in place)."""
    n = len(out)
    for _round in range(8):
        # what each neighbour asks of the other: the same sign, or the opposite
        rel = np.where(reverse, -1, 1).astype(np.int64)
        ask = np.zeros(n, np.int64)
        np.add.at(ask, s1, out[s2] * rel)
        np.add.at(ask, s2, out[s1] * rel)
        want = np.sign(ask).astype(np.int8)
        change = (want != 0) & (want != out)
        if only_unset:
            change &= out == 0
        if not change.any():
            return
        out[change] = want[change]


def shell_flips(
    rings: list[list[NDArray[np.float64]]],
    keys: list[list[NDArray[np.int64]]],
    interior: list[bool],
    classes: list[int],
) -> NDArray[np.int8]:
    """Per surface: 1 to draw it as wound, -1 to reverse it, 0 when it must be guessed alone.

    Surfaces that share an edge form a shell; a shell is wound consistently when each shared
    edge is used once in each direction. Each shell is oriented as a whole: one surface's
    winding decides its neighbours' across shared edges (a spanning forest), the shell is
    turned so that its signed volume is positive (negative for the interior shell of a solid,
    a cavity), then a surface wound against most of its neighbours in the source is turned
    to agree with them. Surfaces meeting their shell only at T-junctions take the winding
    their neighbours ask for. Only surfaces left without any oriented neighbour, in a shell
    without volume (a lone roof plane), get 0.
    """
    n = len(rings)
    ea: list[NDArray[np.int64]] = []
    eb: list[NDArray[np.int64]] = []
    es: list[NDArray[np.int64]] = []
    for i, surface in enumerate(keys):
        for k in surface:
            ea.append(k)
            eb.append(np.roll(k, -1))
            es.append(np.full(len(k), i, np.int64))
    if not ea:
        return np.zeros(n, np.int8)
    a, b, srf = np.concatenate(ea), np.concatenate(eb), np.concatenate(es)
    s1, s2, reverse = _pairs(a, b, srf)
    parent = list(range(n))
    parity = [0] * n
    for x, y, rev in zip(s1.tolist(), s2.tolist(), reverse.tolist(), strict=True):
        r1, p1 = _find(parent, parity, x)
        r2, p2 = _find(parent, parity, y)
        if r1 != r2:
            parent[r2] = r1
            parity[r2] = p1 ^ p2 ^ int(rev)
    roots = np.zeros(n, np.int64)
    sign = np.ones(n, np.int8)
    for i in range(n):
        r, p = _find(parent, parity, i)
        roots[i] = r
        sign[i] = -1 if p else 1
    # an edge used by one surface only: its shell is open (no ground, or T-junctions)
    keep = a != b
    lo, hi = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
    _e, inv, uses = np.unique(
        np.column_stack([lo, hi]), axis=0, return_inverse=True, return_counts=True
    )
    open_surface = np.zeros(n, bool)
    open_surface[srf[keep][uses[inv.reshape(-1)] == 1]] = True
    centre = np.concatenate([r for surface in rings for r in surface]).mean(axis=0)
    out = np.zeros(n, np.int8)
    for r in np.unique(roots).tolist():
        members = np.flatnonzero(roots == r)
        if open_surface[members].any():
            # an open shell's volume depends on where it is measured from: the surfaces'
            # own guesses (roofs up, grounds down, walls away from the centre) vote, by area
            ask = 0.0
            for i in members.tolist():
                normal = _newell(rings[i][0]) * sign[i]
                area = float(np.linalg.norm(_area_vector(rings[i][0])))
                ask += area * _guess(normal, rings[i][0], classes[i], centre)
            if ask == 0:
                continue
            out[members] = sign[members] if ask > 0 else -sign[members]
            continue
        pts = np.concatenate([ring for i in members for ring in rings[i]])
        origin = pts.mean(axis=0)
        volume = sum(
            float(sign[i]) * _fan_volume(ring, origin) for i in members for ring in rings[i]
        )
        extent = float(np.ptp(pts, axis=0).max())
        if abs(volume) <= 1e-9 * max(extent, 1e-3) ** 3:
            continue
        outward = volume > 0
        if interior[int(members[0])]:
            outward = not outward
        out[members] = sign[members] if outward else -sign[members]
    if len(s1):
        _vote(out, s1, s2, reverse, only_unset=False)
    if (out == 0).any():
        ta, tb, ts = _split_at_t_junctions(
            a,
            b,
            srf,
            np.concatenate([k for surface in keys for k in surface]),
            np.concatenate([r for surface in rings for r in surface]),
        )
        t1, t2, t_rev = _pairs(ta, tb, ts)
        if len(t1):
            _vote(out, t1, t2, t_rev, only_unset=True)
    return out


# a source's heights (orthometric, e.g. NAP) at lon/lat to heights above the ellipsoid
RealHeights = Callable[
    [NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]], NDArray[np.float64]
]


def mesh_solids(
    table: FeatureTable, frame: LocalFrame, real_heights: RealHeights | None = None
) -> list[MeshBlock]:
    """One block with every drawn row's surfaces; rows without a solid get empty ranges.

    Without ``real_heights`` each building is set on the ellipsoid (its lowest vertex at 0);
    with it (a build on a terrain) its vertices keep their real heights, made ellipsoidal."""
    assert table.solid is not None
    pos: list[NDArray[np.float64]] = []
    nrm: list[NDArray[np.float64]] = []
    tri: list[NDArray[np.int64]] = []
    srf: list[NDArray[np.uint8]] = []
    v_count = np.zeros(len(table), np.int64)
    t_count = np.zeros(len(table), np.int64)
    base = 0
    n_tri = 0
    for f, solid in enumerate(table.solid):
        if solid is None or not table.drawn[f]:
            continue
        v0, t0 = base, n_tri
        rings: list[Any] = [r for s in solid.rings for r in s]
        allv = np.concatenate(rings)
        if real_heights is None:
            h = allv[:, 2] - solid.ground_z
        else:
            h = real_heights(allv[:, 0], allv[:, 1], allv[:, 2])
        local = frame.lonlat_to_local(allv[:, 0], allv[:, 1], h)
        centre = local.mean(axis=0)
        sizes_all = [[len(r) for r in rings_s] for rings_s in solid.rings]
        bounds = np.cumsum([0] + [sum(z) for z in sizes_all])
        if solid.keys is not None:
            split = [
                np.split(local[bounds[i] : bounds[i + 1]], np.cumsum(z)[:-1])
                for i, z in enumerate(sizes_all)
            ]
            interior = solid.interior or [False] * len(solid.rings)
            flips = shell_flips(split, solid.keys, interior, solid.surface)
        else:
            flips = np.zeros(len(solid.rings), np.int8)
        for s_i, (sizes, cls) in enumerate(zip(sizes_all, solid.surface, strict=True)):
            pts = local[bounds[s_i] : bounds[s_i + 1]]
            normal = _newell(pts[: sizes[0]])
            if not normal.any():
                continue
            if flips[s_i]:
                # the surface's shell is oriented as a whole: outward is its winding, or the
                # reverse
                if flips[s_i] < 0:
                    normal = -normal
            else:
                # a surface that cannot be oriented with a shell (inconsistent multi-surface
                # data) is guessed alone: roofs face up, grounds down, and other surfaces away
                # from the building's centre
                guess = cls
                if guess < 0:
                    guess = (
                        Surface.ROOF
                        if normal[2] > 0.5
                        else (Surface.GROUND if normal[2] < -0.5 else Surface.WALL)
                    )
                if guess == Surface.ROOF:
                    outward = normal[2] >= 0
                elif guess == Surface.GROUND:
                    outward = normal[2] <= 0
                else:
                    outward = float(normal @ (pts.mean(axis=0) - centre)) >= 0
                if not outward:
                    normal = -normal
            # project onto the surface's plane and triangulate there
            helper = np.array([1.0, 0, 0]) if abs(normal[0]) < 0.9 else np.array([0, 1.0, 0])
            u = _cross(normal, helper)
            u /= np.linalg.norm(u)
            v = _cross(normal, u)
            uv = np.column_stack([pts @ u, pts @ v])
            idx = earcut.triangulate_float64(uv, np.cumsum(sizes).astype(np.uint32))
            if idx.size == 0:
                continue
            t = idx.reshape(-1, 3).astype(np.int64)
            # keep each triangle facing along the surface normal (outward), judged in the
            # surface's plane (u x v is the normal), so that a folded, non-planar surface keeps
            # the winding of its ring and so stays consistent with its neighbours
            a, b, c = uv[t[:, 0]], uv[t[:, 1]], uv[t[:, 2]]
            back = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (
                c[:, 0] - a[:, 0]
            ) < 0
            t[back] = t[back][:, ::-1]
            if cls < 0:
                cls = (
                    Surface.ROOF
                    if normal[2] > 0.5
                    else (Surface.GROUND if normal[2] < -0.5 else Surface.WALL)
                )
            pos.append(pts)
            nrm.append(np.repeat(normal[None, :], pts.shape[0], axis=0))
            tri.append(t + base)
            srf.append(np.full(t.shape[0], cls, np.uint8))
            base += pts.shape[0]
            n_tri += t.shape[0]
        v_count[f] = base - v0
        t_count[f] = n_tri - t0
    if not pos:
        return [MeshBlock.empty(len(table))]
    block = MeshBlock(
        positions=np.concatenate(pos),
        normals=np.concatenate(nrm).astype(np.float32),
        triangles=np.concatenate(tri),
        surface=np.concatenate(srf),
        v_offsets=np.concatenate([[0], np.cumsum(v_count)]).astype(np.int64),
        t_offsets=np.concatenate([[0], np.cumsum(t_count)]).astype(np.int64),
    )
    return [block]
