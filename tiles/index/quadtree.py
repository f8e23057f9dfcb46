"""Spatial partitioning: a quadtree over building centroids with a per-tile budget.

Each leaf holds at most ``max_features`` buildings and about ``max_vertices`` vertices, so a leaf
glb stays small (uint16 indices) and loads quickly. Features are reordered so that every node's
buildings, leaves and internal nodes alike, are one contiguous range: tiles slice, never search.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

MAX_LEVEL = 24


@dataclass
class Node:
    """A quadtree node: address ``(level, x, y)``, square extent, and its feature range."""

    level: int
    x: int
    y: int
    center: tuple[float, float]  # ENU metres
    half: float  # half the side, metres
    start: int
    stop: int
    children: list[int] = field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def size_m(self) -> float:
        return 2.0 * self.half

    @property
    def key(self) -> str:
        return f"{self.level}/{self.x}/{self.y}"


@dataclass
class Quadtree:
    """Nodes in depth-first order (``nodes[0]`` is the root) and the feature permutation."""

    nodes: list[Node]
    order: NDArray[np.int64]  # new position -> original feature index

    @property
    def leaves(self) -> list[int]:
        return [i for i, n in enumerate(self.nodes) if n.is_leaf]

    def depth(self) -> int:
        return max(n.level for n in self.nodes)


def root_cell(lo: NDArray[np.float64], hi: NDArray[np.float64]) -> tuple[list[float], float]:
    """Centre and half side of the root cell around the corners ``lo`` and ``hi``."""
    half = float(max(hi[0] - lo[0], hi[1] - lo[1]) / 2.0) * 1.0001 + 1.0
    return ((lo + hi) / 2.0).tolist(), half


def build_quadtree(
    xy: NDArray[np.float64],
    weight: NDArray[np.int64],
    *,
    max_features: int,
    max_vertices: int,
    extent: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None,
) -> Quadtree:
    """Split until every leaf has ``<= max_features`` features and ``<= max_vertices`` weight.

    ``xy`` are feature centroids in the local frame (metres), ``weight`` an estimate of each
    feature's vertex count. ``extent`` (min and max corner), if given, is covered by the root cell
    too (e.g. the footprints' full extent).

    Examples
    --------
    >>> xy = np.array([[0.0, 0.0], [1.0, 1.0], [100.0, 100.0]])
    >>> tree = build_quadtree(xy, np.ones(3, np.int64), max_features=2, max_vertices=10)
    >>> [n.key for n in tree.nodes], tree.order.tolist()
    (['0/0/0', '1/0/0', '1/1/1'], [0, 1, 2])
    """
    n = xy.shape[0]
    if n == 0:
        return Quadtree([], np.zeros(0, np.int64))
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    if extent is not None:
        lo, hi = np.minimum(lo, extent[0]), np.maximum(hi, extent[1])
    center, half = root_cell(lo, hi)
    nodes: list[Node] = []
    chunks: list[NDArray[np.int64]] = []
    count = 0

    def visit(idx: NDArray[np.int64], level: int, x: int, y: int, c: list[float], h: float) -> int:
        nonlocal count
        me = len(nodes)
        node = Node(level, x, y, (c[0], c[1]), h, count, count)
        nodes.append(node)
        small = idx.size <= max_features and int(weight[idx].sum()) <= max_vertices
        if small or level >= MAX_LEVEL:
            chunks.append(idx)
            count += idx.size
            node.stop = count
            return me
        px, py = xy[idx, 0], xy[idx, 1]
        quadrant = (px >= c[0]).astype(np.int8) + 2 * (py >= c[1]).astype(np.int8)
        q_order = np.argsort(quadrant, kind="stable")
        bounds = np.searchsorted(quadrant[q_order], np.arange(5))
        hh = h / 2.0
        for q in range(4):
            sub = idx[q_order[bounds[q] : bounds[q + 1]]]
            if sub.size == 0:
                continue
            dx, dy = q & 1, q >> 1
            cc = [c[0] + (hh if dx else -hh), c[1] + (hh if dy else -hh)]
            node.children.append(visit(sub, level + 1, 2 * x + dx, 2 * y + dy, cc, hh))
        node.stop = count
        return me

    visit(np.arange(n, dtype=np.int64), 0, 0, 0, center, half)
    return Quadtree(nodes, np.concatenate(chunks))
