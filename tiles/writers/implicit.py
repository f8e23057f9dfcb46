"""3D Tiles 1.1 implicit tiling (QUADTREE): subtree files and the implicit root tile.

Follows the 3D Tiles 1.1 specification, "Implicit Tiling" and "Subtree" (binary ``.subtree``):
tiles are addressed by ``(level, x, y)``, x growing along the root box's first (east) axis and y
along its second (north) axis, exactly as ``tiles.index.quadtree`` numbers its nodes; each subtree
covers ``subtree_levels`` levels and stores tile, content and child-subtree availability as
bitstreams in Morton order (or a constant when all bits agree). Geometric errors follow the
implicit rule (root error / 2^level), which is the pipeline's rule for internal tiles anyway.
A building belongs to the cell holding its centre, so its walls may overhang the cell's implicit
box by up to half its size. Every available tile therefore carries its exact box (content and
descendants, as in the explicit tileset) and every content its own box, as subtree metadata with
the ``TILE_BOUNDING_BOX`` and ``CONTENT_BOUNDING_BOX`` semantics ("Implicit Tiling", "Tile
Metadata" and "Content Metadata"; 3D Metadata "Semantics"), which clients use instead of the
subdivided box. ``TILE_GEOMETRIC_ERROR`` restores the explicit tree's errors (0 on leaves).
Tiles with no content anywhere below them are not available.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tiles.geometry.crs import LocalFrame
from tiles.index.quadtree import Node
from tiles.writers.tileset import (
    BOX_PAD_M,
    ContentInfo,
    box_list,
    geometric_error,
    node_boxes,
    tileset_geometric_error,
)

CONTENT_TEMPLATE = "content/{level}/{x}/{y}.glb"
SUBTREE_TEMPLATE = "subtrees/{level}/{x}/{y}.subtree"
SUBTREE_MAGIC = b"subt"
TILE_CLASS = "tile"
CONTENT_CLASS = "content"
Key = tuple[int, int, int]

# the tileset schema the subtrees' property tables refer to (3D Metadata, "Semantics")
SCHEMA: dict[str, Any] = {
    "id": "civictwin_implicit",
    "classes": {
        TILE_CLASS: {
            "properties": {
                "boundingBox": {
                    "type": "SCALAR",
                    "componentType": "FLOAT64",
                    "array": True,
                    "count": 12,
                    "semantic": "TILE_BOUNDING_BOX",
                },
                "geometricError": {
                    "type": "SCALAR",
                    "componentType": "FLOAT64",
                    "semantic": "TILE_GEOMETRIC_ERROR",
                },
            }
        },
        CONTENT_CLASS: {
            "properties": {
                "boundingBox": {
                    "type": "SCALAR",
                    "componentType": "FLOAT64",
                    "array": True,
                    "count": 12,
                    "semantic": "CONTENT_BOUNDING_BOX",
                }
            }
        },
    },
}


@dataclass
class ImplicitTile:
    """What the subtree stores about one available tile: its box, error and content box."""

    box: list[float]
    geometric_error: float
    content_box: list[float] | None


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


def subtree_bytes(root: Key, levels: int, tiles: dict[Key, ImplicitTile]) -> bytes:
    """The binary subtree rooted at ``root`` = (level, x, y); ``tiles`` are the available tiles
    (of the whole tileset)."""
    l0, x0, y0 = root
    n_tiles = _level_offset(levels)
    tile_bits = np.zeros(n_tiles, dtype=bool)
    content_bits = np.zeros(n_tiles, dtype=bool)
    mine: dict[int, ImplicitTile] = {}
    for (level, x, y), tile in tiles.items():
        rel = level - l0
        if 0 <= rel < levels and (x >> rel, y >> rel) == (x0, y0):
            i = _level_offset(rel) + morton2(x - (x0 << rel), y - (y0 << rel))
            tile_bits[i] = True
            content_bits[i] = tile.content_box is not None
            mine[i] = tile
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
    # metadata rows follow the availability order: increasing bit index, available ones only
    rows = [mine[i] for i in sorted(mine)]
    with_content = [t for t in rows if t.content_box is not None]
    tables = [
        {
            "class": TILE_CLASS,
            "count": len(rows),
            "properties": {
                "boundingBox": {"values": add_view(_float64([t.box for t in rows]))},
                "geometricError": {"values": add_view(_float64([t.geometric_error for t in rows]))},
            },
        }
    ]
    doc["tileMetadata"] = 0
    if with_content:
        values = add_view(_float64([t.content_box for t in with_content]))
        tables.append(
            {
                "class": CONTENT_CLASS,
                "count": len(with_content),
                "properties": {"boundingBox": {"values": values}},
            }
        )
        doc["contentMetadata"] = [1]
    doc["propertyTables"] = tables
    blob.extend(b"\0" * ((-len(blob)) % 8))
    doc = {"buffers": [{"byteLength": len(blob)}], "bufferViews": views, **doc}
    js = json.dumps(doc, separators=(",", ":")).encode("utf-8")
    js += b" " * ((-len(js)) % 8)
    return struct.pack("<4sIQQ", SUBTREE_MAGIC, 1, len(js), len(blob)) + js + bytes(blob)


def _float64(values: Any) -> bytes:
    return np.asarray(values, dtype="<f8").tobytes()


def write_implicit(
    folder: Path,
    nodes: list[Node],
    contents: dict[str, ContentInfo],
    frame: LocalFrame,
    subtree_levels: int,
) -> dict[str, Any]:
    """Write every subtree file and return the tileset JSON with one implicit root tile."""
    boxes = node_boxes(nodes, contents)
    tiles: dict[Key, ImplicitTile] = {}
    for i, node in enumerate(nodes):
        if i not in boxes:
            continue  # nothing to draw here or below: not available
        info = contents.get(node.key)
        tiles[(node.level, node.x, node.y)] = ImplicitTile(
            box_list(*boxes[i]),
            geometric_error(node),
            None if info is None else box_list(info.box_min, info.box_max),
        )
    depth = max(level for level, _x, _y in tiles)
    for level, x, y in sorted(tiles):
        if level % subtree_levels:
            continue
        path = folder / SUBTREE_TEMPLATE.format(level=level, x=x, y=y)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(subtree_bytes((level, x, y), subtree_levels, tiles))
    root = nodes[0]
    # the quadtree root cell covers every footprint (with a margin of 1 m, more than the 1 cm
    # paddings of all levels); heights from the root's exact box, so that box lies inside
    lo, hi = boxes[0]
    cz, hz = (lo[2] + hi[2]) / 2.0, (hi[2] - lo[2]) / 2.0 + 2 * BOX_PAD_M
    cx, cy = root.center
    box = [cx, cy, cz, root.half, 0, 0, 0, root.half, 0, 0, 0, hz]
    root_error = geometric_error(Node(0, 0, 0, root.center, root.half, 0, 0, [1]))
    root_box = {"box": [float(round(v, 4)) for v in box]}
    return {
        "asset": {"version": "1.1", "generator": "CivicTwin tiles"},
        "schema": SCHEMA,
        "geometricError": tileset_geometric_error(
            {"boundingVolume": root_box, "geometricError": root_error}
        ),
        "root": {
            "boundingVolume": root_box,
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
