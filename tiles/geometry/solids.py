"""Triangulation of 3D model surfaces (CityJSON): planar polygons with holes, flat normals."""

from __future__ import annotations

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


def mesh_solids(table: FeatureTable, frame: LocalFrame) -> list[MeshBlock]:
    """One block with every drawn row's surfaces; rows without a solid get empty ranges."""
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
        local = frame.lonlat_to_local(allv[:, 0], allv[:, 1], allv[:, 2] - solid.ground_z)
        centre = local.mean(axis=0)
        k = 0
        for rings_s, cls in zip(solid.rings, solid.surface, strict=True):
            sizes = [len(r) for r in rings_s]
            pts = local[k : k + sum(sizes)]
            k += sum(sizes)
            normal = _newell(pts[: sizes[0]])
            if not normal.any():
                continue
            # rings of MultiSurface data are not always wound outward: roofs face up, grounds
            # down, and other surfaces away from the building's centre
            if cls < 0:
                cls = (
                    Surface.ROOF
                    if normal[2] > 0.5
                    else (Surface.GROUND if normal[2] < -0.5 else Surface.WALL)
                )
            if cls == Surface.ROOF:
                outward = normal[2] >= 0
            elif cls == Surface.GROUND:
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
            # keep each triangle facing along the surface normal (outward in CityJSON)
            a, b, c = pts[t[:, 0]], pts[t[:, 1]], pts[t[:, 2]]
            e1, e2 = b - a, c - a
            back = (
                (e1[:, 1] * e2[:, 2] - e1[:, 2] * e2[:, 1]) * normal[0]
                + (e1[:, 2] * e2[:, 0] - e1[:, 0] * e2[:, 2]) * normal[1]
                + (e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]) * normal[2]
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
