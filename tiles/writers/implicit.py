"""3D Tiles 1.1 implicit tiling (QUADTREE): subtree files and the implicit root tile.

Follows the 3D Tiles 1.1 specification, "Implicit Tiling" and "Subtree" (binary ``.subtree``):
tiles are addressed by ``(level, x, y)``, x growing along the root box's first (east) axis and y
along its second (north) axis, exactly as ``tiles.index.quadtree`` numbers its nodes; each subtree
covers ``subtree_levels`` levels and stores tile, content and child-subtree availability as
bitstreams in Morton order (or a constant when all bits agree). Geometric errors follow the
implicit rule (root error / 2^level), which is the pipeline's rule for internal tiles anyway.
Tile boxes are the quadtree cells with the full height range; buildings are assigned to a cell by
their centre, so a building may overhang its cell by up to half its size (see tiles/README.md).
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tiles.geometry.crs import LocalFrame
from tiles.index.quadtree import Node
from tiles.writers.tileset import BOX_PAD_M, ContentInfo, geometric_error

CONTENT_TEMPLATE = "content/{level}/{x}/{y}.glb"
SUBTREE_TEMPLATE = "subtrees/{level}/{x}/{y}.subtree"
SUBTREE_MAGIC = b"subt"


def content_uri(node: Node) -> str:
    return f"content/{node.level}/{node.x}/{node.y}.glb"


def morton2(x: int, y: int) -> int:
    """Interleave the bits of x (even bits) and y (odd bits), as the specification orders tiles."""
    out = 0
    for bit in range(32):
        out |= ((x >> bit) & 1) << (2 * bit) | ((y >> bit) & 1) << (2 * bit + 1)
    return out


def _level_offset(level: int) -> int:
    return ((1 << (2 * level)) - 1) // 3  # tiles on the levels above: (4^level - 1) / 3


def _bitstream(bits: NDArray[np.bool_]) -> bytes:
    return np.packbits(bits, bitorder="little").tobytes()


def _availability(bits: NDArray[np.bool_], add_view: Any) -> dict[str, Any]:
    count = int(bits.sum())
    if count == 0:
        return {"constant": 0}
    if count == bits.size:
        return {"constant": 1}
    return {"bitstream": add_view(_bitstream(bits)), "availableCount": count}


def subtree_bytes(
    root: tuple[int, int, int],
    levels: int,
    tiles: set[tuple[int, int, int]],
    contents: set[tuple[int, int, int]],
) -> bytes:
    """The binary subtree rooted at ``root`` = (level, x, y)."""
    l0, x0, y0 = root
    n_tiles = _level_offset(levels)
    tile_bits = np.zeros(n_tiles, dtype=bool)
    content_bits = np.zeros(n_tiles, dtype=bool)
    for level, x, y in tiles:
        rel = level - l0
        if 0 <= rel < levels and (x >> rel, y >> rel) == (x0, y0):
            i = _level_offset(rel) + morton2(x - (x0 << rel), y - (y0 << rel))
            tile_bits[i] = True
            content_bits[i] = (level, x, y) in contents
    child_bits = np.zeros(1 << (2 * levels), dtype=bool)
    for level, x, y in tiles:
        if level == l0 + levels and (x >> levels, y >> levels) == (x0, y0):
            child_bits[morton2(x - (x0 << levels), y - (y0 << levels))] = True

    blob = bytearray()
    views: list[dict[str, Any]] = []

    def add_view(data: bytes) -> int:
        blob.extend(b"\0" * ((-len(blob)) % 8))  # bufferViews start on 8-byte boundaries
        views.append({"buffer": 0, "byteOffset": len(blob), "byteLength": len(data)})
        blob.extend(data)
        return len(views) - 1

    doc: dict[str, Any] = {
        "tileAvailability": _availability(tile_bits, add_view),
        "contentAvailability": [_availability(content_bits, add_view)],
        "childSubtreeAvailability": _availability(child_bits, add_view),
    }
    blob.extend(b"\0" * ((-len(blob)) % 8))
    if views:
        doc = {"buffers": [{"byteLength": len(blob)}], "bufferViews": views, **doc}
    js = json.dumps(doc, separators=(",", ":")).encode("utf-8")
    js += b" " * ((-len(js)) % 8)
    return struct.pack("<4sIQQ", SUBTREE_MAGIC, 1, len(js), len(blob)) + js + bytes(blob)


def write_implicit(
    folder: Path,
    nodes: list[Node],
    contents: dict[str, ContentInfo],
    frame: LocalFrame,
    subtree_levels: int,
) -> dict[str, Any]:
    """Write every subtree file and return the tileset JSON with one implicit root tile."""
    tiles = {(n.level, n.x, n.y) for n in nodes}
    with_content = {(n.level, n.x, n.y) for n in nodes if n.key in contents}
    depth = max(n.level for n in nodes)
    for level, x, y in sorted(tiles):
        if level % subtree_levels:
            continue
        path = folder / SUBTREE_TEMPLATE.format(level=level, x=x, y=y)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(subtree_bytes((level, x, y), subtree_levels, tiles, with_content))
    root = nodes[0]
    lo = np.min([c.box_min for c in contents.values()], axis=0)
    hi = np.max([c.box_max for c in contents.values()], axis=0)
    cz, hz = (lo[2] + hi[2]) / 2.0, (hi[2] - lo[2]) / 2.0 + BOX_PAD_M
    cx, cy = root.center
    box = [cx, cy, cz, root.half, 0, 0, 0, root.half, 0, 0, 0, hz]
    root_error = geometric_error(Node(0, 0, 0, root.center, root.half, 0, 0, [1]))
    return {
        "asset": {"version": "1.1", "generator": "CivicTwin tiles"},
        "geometricError": round(max(2.0 * root_error, 1.0), 3),
        "root": {
            "boundingVolume": {"box": [float(round(v, 4)) for v in box]},
            "geometricError": root_error,
            "refine": "REPLACE",
            "transform": frame.to_ecef_matrix(),
            "content": {"uri": CONTENT_TEMPLATE},
            "implicitTiling": {
                "subdivisionScheme": "QUADTREE",
                "subtreeLevels": subtree_levels,
                "availableLevels": depth + 1,
                "subtrees": {"uri": SUBTREE_TEMPLATE},
            },
        },
    }
