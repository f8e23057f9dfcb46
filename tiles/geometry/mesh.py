"""Triangle meshes as plain arrays, grouped by feature so tiles can slice them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass
class MeshBlock:
    """Triangles of many features in the local ENU frame (metres, float64).

    Vertices and triangles of feature ``f`` are the contiguous ranges
    ``v_offsets[f]:v_offsets[f+1]`` and ``t_offsets[f]:t_offsets[f+1]``; triangle indices are
    relative to this block. Triangles are counter-clockwise seen from outside.
    """

    positions: NDArray[np.float64]  # (V, 3) east, north, up
    normals: NDArray[np.float32]  # (V, 3) unit, flat per face
    triangles: NDArray[np.int64]  # (T, 3)
    surface: NDArray[np.uint8]  # (T,) tiles.model.Surface
    v_offsets: NDArray[np.int64]  # (F + 1,)
    t_offsets: NDArray[np.int64]  # (F + 1,)

    @property
    def feature_count(self) -> int:
        return int(self.v_offsets.shape[0] - 1)

    @staticmethod
    def empty(features: int) -> MeshBlock:
        zeros = np.zeros(features + 1, dtype=np.int64)
        return MeshBlock(
            np.zeros((0, 3)),
            np.zeros((0, 3), np.float32),
            np.zeros((0, 3), np.int64),
            np.zeros(0, np.uint8),
            zeros,
            zeros.copy(),
        )


@dataclass
class TileMesh:
    """The mesh of one tile: vertices, triangles, and the local feature id of every vertex."""

    positions: NDArray[np.float64]
    normals: NDArray[np.float32]
    feature_ids: NDArray[np.int64]  # -1 for vertices that belong to no feature (merged blocks)
    triangles: NDArray[np.int64]
    surface: NDArray[np.uint8]

    @property
    def vertex_count(self) -> int:
        return int(self.positions.shape[0])


Part = tuple[MeshBlock, "NDArray[np.int64] | None", int, int]


def gather(parts: list[Part]) -> TileMesh:
    """Concatenate features ``start:stop`` of each ``(block, ids, start, stop)`` into one mesh.

    ``ids`` gives the local feature id of each feature of the block (``-1``: geometry of no
    feature, such as a merged block); ``None`` means feature ``f`` gets id ``f - start``.
    """
    pos, nrm, fid, tri, srf = [], [], [], [], []
    base = 0
    for block, ids, start, stop in parts:
        v0, v1 = int(block.v_offsets[start]), int(block.v_offsets[stop])
        t0, t1 = int(block.t_offsets[start]), int(block.t_offsets[stop])
        if v1 == v0:
            continue
        pos.append(block.positions[v0:v1])
        nrm.append(block.normals[v0:v1])
        counts = np.diff(block.v_offsets[start : stop + 1])
        local = np.arange(stop - start) if ids is None else ids[start:stop]
        fid.append(np.repeat(local, counts))
        tri.append(block.triangles[t0:t1] - v0 + base)
        srf.append(block.surface[t0:t1])
        base += v1 - v0
    if not pos:
        return TileMesh(
            np.zeros((0, 3)),
            np.zeros((0, 3), np.float32),
            np.zeros(0, np.int64),
            np.zeros((0, 3), np.int64),
            np.zeros(0, np.uint8),
        )
    return TileMesh(
        np.concatenate(pos),
        np.concatenate(nrm),
        np.concatenate(fid),
        np.concatenate(tri),
        np.concatenate(srf),
    )
