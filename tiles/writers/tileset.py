"""tileset.json (3D Tiles 1.1): the tree, bounding boxes, geometric errors, refinement."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tiles.geometry.crs import LocalFrame
from tiles.index.lod import cell_size
from tiles.index.quadtree import Node

BOX_PAD_M = 0.01  # boxes are padded by 1 cm so float rounding never puts a vertex outside


@dataclass
class ContentInfo:
    """Where a tile's content was written and the box of its vertices (local ENU)."""

    uri: str
    box_min: NDArray[np.float64]
    box_max: NDArray[np.float64]
    features: int
    vertices: int
    triangles: int
    bytes: int


def content_uri(node: Node, suffix: str = "glb") -> str:
    # one flat folder: creating a directory per level and column costs more than the tile
    return f"content/{node.level}_{node.x}_{node.y}.{suffix}"


def geometric_error(node: Node) -> float:
    """0 for a leaf (full detail); the coarse-content cell size for an internal tile."""
    return 0.0 if node.is_leaf else round(cell_size(node.size_m), 3)


def box_list(lo: NDArray[np.float64], hi: NDArray[np.float64]) -> list[float]:
    """The 12-number axis-aligned 3D Tiles box around ``lo``..``hi``, padded by ``BOX_PAD_M``."""
    c = (lo + hi) / 2.0
    h = (hi - lo) / 2.0 + BOX_PAD_M
    return [float(round(v, 4)) for v in (*c, h[0], 0, 0, 0, h[1], 0, 0, 0, h[2])]


Bounds = tuple[NDArray[np.float64], NDArray[np.float64]]


def node_boxes(nodes: list[Node], contents: dict[str, ContentInfo]) -> dict[int, Bounds]:
    """Min/max corners per node index, covering the node's content and all its children's
    boxes; nodes with no content anywhere below them get none."""
    boxes: dict[int, Bounds] = {}
    for i in range(len(nodes) - 1, -1, -1):  # depth-first order: children come after parents
        node = nodes[i]
        los, his = [], []
        info = contents.get(node.key)
        if info is not None:
            los.append(info.box_min)
            his.append(info.box_max)
        for c in node.children:
            if c in boxes:
                los.append(boxes[c][0] - BOX_PAD_M)
                his.append(boxes[c][1] + BOX_PAD_M)
        if los:
            boxes[i] = (np.min(los, axis=0), np.max(his, axis=0))
    return boxes


def tileset_geometric_error(root: dict[str, Any]) -> float:
    """3D Tiles: the error of not drawing the tileset at all, i.e. all of it: the root box's
    diagonal (and at least twice the root's error), so a client drops a city or a one-block
    scheme only when it is a few pixels wide."""
    half_axes = np.reshape(root["boundingVolume"]["box"][3:], (3, 3))
    diagonal = 2.0 * float(np.sqrt(np.sum(half_axes**2)))
    return round(max(2.0 * float(root["geometricError"]), diagonal, 1.0), 3)


def tileset_dict(
    nodes: list[Node],
    contents: dict[str, ContentInfo],
    frame: LocalFrame,
    *,
    version: str = "1.1",
    extras: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the tileset JSON; boxes of a tile contain its content and all its children."""
    boxes = node_boxes(nodes, contents)

    def visit(i: int) -> dict[str, Any]:
        node = nodes[i]
        children = [visit(c) for c in node.children]
        info = contents.get(node.key)
        tile: dict[str, Any] = {}
        if i in boxes:
            tile["boundingVolume"] = {"box": box_list(*boxes[i])}
        tile["geometricError"] = geometric_error(node)
        if info is not None:
            tile["content"] = {"uri": info.uri}
        kids = [k for k in children if "boundingVolume" in k]
        if kids:
            tile["children"] = kids
        return tile

    root = visit(0)
    root["refine"] = "REPLACE"
    root["transform"] = frame.to_ecef_matrix()
    out: dict[str, Any] = {
        "asset": {"version": version, "generator": "CivicTwin tiles"},
        "geometricError": tileset_geometric_error(root),
        "root": root,
    }
    if extras:
        out["asset"]["extras"] = extras
    return out


def write_tileset(path: Path, tileset: dict[str, Any]) -> None:
    path.write_text(json.dumps(tileset, separators=(",", ":")), encoding="utf-8")
