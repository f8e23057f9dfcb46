"""The quadtree of :func:`tiles.index.quadtree.build_quadtree`, built without holding the points.

A point's path down the tree -- its quadrant at every level -- depends only on the point and the
root cell, not on the tree's shape (a node's centre is its parent's plus or minus half the child's
side). So each point gets a key, its ``MAX_LEVEL`` quadrant digits as one base-4 number (the
level-0 quadrant most significant), computed with the very arithmetic ``build_quadtree`` uses.
The tree then follows from counts: a node splits when its points exceed the budget, and the
nodes' points are counted level by level over the keys, streamed as often as the tree is deep.
Only nodes are held, never an array per point.

Depth-first order with quadrants in order is the order of keys, so a leaf's key with its lower
digits zeroed (its *corner*) is the largest leaf corner not above the key of any point in it; and
within a leaf ``build_quadtree`` keeps the points' input order. A point's position in quadtree
order is then its leaf's start plus how many earlier points share its leaf, counted as the points
stream by (:meth:`KeyedQuadtree.positions`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from tiles.index.quadtree import MAX_LEVEL, Node, Quadtree

KeyBatches = Callable[[], Iterable[tuple[NDArray[np.uint64], NDArray[np.int64]]]]


def quadrant_keys(xy: NDArray[np.float64], center: list[float], half: float) -> NDArray[np.uint64]:
    """Each point's quadrant at levels ``0 .. MAX_LEVEL - 1`` of the tree with root cell
    ``center``, ``half`` (quadrant = east + 2 * north, as ``build_quadtree`` numbers them).

    Examples
    --------
    >>> quadrant_keys(np.array([[1.0, 1.0], [-1.0, 1.0]]), [0.0, 0.0], 4.0) >> np.uint64(44)
    array([12,  9], dtype=uint64)
    """
    n = xy.shape[0]
    cx, cy = np.full(n, center[0]), np.full(n, center[1])
    px, py = xy[:, 0], xy[:, 1]
    key = np.zeros(n, np.uint64)
    h = half
    for _ in range(MAX_LEVEL):
        east, north = px >= cx, py >= cy
        key = (key << np.uint64(2)) | (east + 2 * north.astype(np.uint64))
        hh = h / 2.0
        # c + hh or c + (-hh), as build_quadtree computes a child's centre
        cx = cx + np.where(east, hh, -hh)
        cy = cy + np.where(north, hh, -hh)
        h = hh
    return key


def _shift(level: int) -> np.uint64:
    return np.uint64(2 * (MAX_LEVEL - level))


@dataclass
class KeyedQuadtree:
    """Nodes as ``build_quadtree`` makes them, and each leaf's key corner and first row."""

    nodes: list[Node]
    leaf_corners: NDArray[np.uint64]  # increasing (leaves in depth-first order)
    leaf_starts: NDArray[np.int64]
    _next: NDArray[np.int64] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._next = self.leaf_starts.copy()

    def as_quadtree(self) -> Quadtree:
        """The tree's nodes; ``order`` is left empty (positions are streamed instead)."""
        return Quadtree(self.nodes, np.zeros(0, np.int64))

    def positions(self, keys: NDArray[np.uint64]) -> NDArray[np.int64]:
        """Positions in quadtree order of the next points, given in input order (call it once
        for every point, in order)."""
        leaf = np.searchsorted(self.leaf_corners, keys, side="right") - 1
        order = np.argsort(leaf, kind="stable")
        by_leaf = leaf[order]
        rank = np.arange(leaf.size) - np.searchsorted(by_leaf, by_leaf, side="left")
        out = np.empty(leaf.size, np.int64)
        out[order] = self._next[by_leaf] + rank
        self._next += np.bincount(leaf, minlength=self.leaf_corners.size)
        return out


def _count(
    batches: KeyBatches, level: int, parents: NDArray[np.uint64]
) -> dict[int, tuple[int, int]]:
    """Points and weight of every node at ``level`` whose parent is in ``parents``."""
    out: dict[int, tuple[int, int]] = {}
    for keys, weight in batches():
        node = keys >> _shift(level)
        if level > 0:
            inside = np.isin(node >> np.uint64(2), parents)
            node, weight = node[inside], weight[inside]
        if node.size == 0:
            continue
        order = np.argsort(node, kind="stable")
        node, weight = node[order], weight[order]
        first = np.flatnonzero(np.r_[True, node[1:] != node[:-1]])
        counts = np.diff(np.r_[first, node.size])
        sums = np.add.reduceat(weight.astype(np.int64), first)
        for k, c, w in zip(node[first].tolist(), counts.tolist(), sums.tolist(), strict=True):
            c0, w0 = out.get(k, (0, 0))
            out[k] = (c0 + c, w0 + w)
    return out


def plan_quadtree(
    batches: KeyBatches,
    center: list[float],
    half: float,
    *,
    max_features: int,
    max_vertices: int,
) -> KeyedQuadtree:
    """The tree ``build_quadtree`` would build on the points whose keys (from
    :func:`quadrant_keys` with this root cell) and weights ``batches()`` yields, in input order;
    ``batches`` is called once per level."""
    stats: list[dict[int, tuple[int, int]]] = [_count(batches, 0, np.zeros(0, np.uint64))]
    splits: list[set[int]] = []
    for level in range(MAX_LEVEL + 1):
        split = {
            k
            for k, (c, w) in stats[level].items()
            if level < MAX_LEVEL and not (c <= max_features and w <= max_vertices)
        }
        splits.append(split)
        if not split:
            break
        stats.append(_count(batches, level + 1, np.array(sorted(split), np.uint64)))

    nodes: list[Node] = []
    corners: list[int] = []
    starts: list[int] = []
    count = 0

    def visit(level: int, key: int, x: int, y: int, c: list[float], h: float) -> int:
        nonlocal count
        me = len(nodes)
        node = Node(level, x, y, (c[0], c[1]), h, count, count)
        nodes.append(node)
        if key not in splits[level]:
            corners.append(key << int(_shift(level)))
            starts.append(count)
            count += stats[level][key][0]
            node.stop = count
            return me
        hh = h / 2.0
        for q in range(4):
            child = 4 * key + q
            if child not in stats[level + 1]:
                continue
            dx, dy = q & 1, q >> 1
            cc = [c[0] + (hh if dx else -hh), c[1] + (hh if dy else -hh)]
            node.children.append(visit(level + 1, child, 2 * x + dx, 2 * y + dy, cc, hh))
        node.stop = count
        return me

    if stats[0]:
        visit(0, 0, 0, 0, center, half)
    return KeyedQuadtree(nodes, np.array(corners, np.uint64), np.array(starts, np.int64))
