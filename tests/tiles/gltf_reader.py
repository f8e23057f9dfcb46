"""An independent reader of the pipeline's output, for tests: glb, property tables, tileset.

It does not import the writer; it follows the glTF 2.0, EXT_mesh_features,
EXT_structural_metadata and 3D Tiles 1.1 specifications directly.
"""

from __future__ import annotations

import itertools
import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import meshopt
import numpy as np

COMPONENT = {5120: "i1", 5121: "u1", 5122: "<i2", 5123: "<u2", 5125: "<u4", 5126: "<f4"}
WIDTH = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4}
NORMALIZE = {5120: 127.0, 5121: 255.0, 5122: 32767.0, 5123: 65535.0}
META_TYPES = {"FLOAT32": "<f4", "UINT8": "u1", "UINT16": "<u2", "UINT32": "<u4", "FLOAT64": "<f8"}


@dataclass
class Glb:
    doc: dict[str, Any]
    bin: bytes
    bin_offset_in_file: int

    def view_bytes(self, index: int) -> bytes:
        """A view's bytes; EXT_meshopt_compression views decoded (meshoptimizer's C decoder)."""
        v = self.doc["bufferViews"][index]
        ext = v.get("extensions", {}).get("EXT_meshopt_compression")
        if ext is None:
            assert v["buffer"] == 0
            start = v.get("byteOffset", 0)
            return self.bin[start : start + v["byteLength"]]
        assert ext["buffer"] == 0 and ext.get("byteOffset", 0) % 4 == 0
        assert ext["count"] * ext["byteStride"] == v["byteLength"]
        assert self.doc["buffers"][v["buffer"]]["extensions"]["EXT_meshopt_compression"]["fallback"]
        start = ext.get("byteOffset", 0)
        data = self.bin[start : start + ext["byteLength"]]
        out = meshopt.decode_gltf_buffer(data, ext["count"], ext["byteStride"], ext["mode"])
        return np.ascontiguousarray(out).tobytes()

    def accessor(self, index: int) -> np.ndarray:
        acc = self.doc["accessors"][index]
        view = self.doc["bufferViews"][acc["bufferView"]]
        dtype = np.dtype(COMPONENT[acc["componentType"]])
        width = WIDTH[acc["type"]]
        stride = view.get("byteStride", dtype.itemsize * width)
        start = acc.get("byteOffset", 0)
        raw = np.frombuffer(
            self.view_bytes(acc["bufferView"]), np.uint8, acc["count"] * stride, start
        )
        rows = raw.reshape(acc["count"], stride)[:, : dtype.itemsize * width]
        out = rows.copy().view(dtype).reshape(acc["count"], width).astype(np.float64)
        if acc.get("normalized"):
            out = np.maximum(out / NORMALIZE[acc["componentType"]], -1.0)
        return out if width > 1 else out[:, 0]


def read_glb(path: Path) -> Glb:
    data = path.read_bytes()
    magic, version, length = struct.unpack_from("<4sII", data)
    assert magic == b"glTF" and version == 2 and length == len(data), path
    jlen, jtype = struct.unpack_from("<I4s", data, 12)
    assert jtype == b"JSON"
    doc = json.loads(data[20 : 20 + jlen])
    blen, btype = struct.unpack_from("<I4s", data, 20 + jlen)
    assert btype == b"BIN\0"
    start = 28 + jlen
    return Glb(doc, data[start : start + blen], start)


def node_matrix(node: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Scale (3,) and translation (3,) of a node (the writer uses no rotation)."""
    assert "rotation" not in node and "matrix" not in node
    return np.asarray(node.get("scale", [1, 1, 1]), float), np.asarray(
        node.get("translation", [0, 0, 0]), float
    )


@dataclass
class Content:
    """Decoded content of one tile in the tileset's root frame (z up)."""

    positions: np.ndarray  # (V, 3) east, north, up
    normals: np.ndarray
    feature_ids: np.ndarray  # (V,) float, nullFeatureId or >= count for none
    triangles_by_material: dict[str, np.ndarray]
    table: dict[str, np.ndarray] | None
    null_id: int | None
    glb: Glb


def decode_content(path: Path) -> Content:
    glb = read_glb(path)
    doc = glb.doc
    scale, translation = node_matrix(doc["nodes"][0])
    prims = doc["meshes"][0]["primitives"]
    attrs = prims[0]["attributes"]
    g = glb.accessor(attrs["POSITION"]) * scale + translation
    # glTF y-up to 3D Tiles z-up: (x, y, z) -> (x, -z, y)
    pos = np.column_stack([g[:, 0], -g[:, 2], g[:, 1]])
    n = glb.accessor(attrs["NORMAL"])
    normals = np.column_stack([n[:, 0], -n[:, 2], n[:, 1]])
    fid_key = "_FEATURE_ID_0" if "_FEATURE_ID_0" in attrs else "_BATCHID"
    fids = glb.accessor(attrs[fid_key]) if fid_key in attrs else np.full(len(pos), -1.0)
    tris = {}
    for p in prims:
        assert p["attributes"] == attrs
        name = doc["materials"][p["material"]]["name"]
        tris[name] = glb.accessor(p["indices"]).astype(np.int64).reshape(-1, 3)
    table = None
    null_id = None
    ext = prims[0].get("extensions", {}).get("EXT_mesh_features")
    if ext:
        null_id = ext["featureIds"][0].get("nullFeatureId")
        table = read_property_table(glb)
    return Content(pos, normals, fids, tris, table, null_id, glb)


def read_property_table(glb: Glb) -> dict[str, np.ndarray]:
    """Decode property table 0 following the class definition of the schema."""
    meta = glb.doc["extensions"]["EXT_structural_metadata"]
    schema = meta["schema"]
    table = meta["propertyTables"][0]
    cls = schema["classes"][table["class"]]["properties"]
    count = table["count"]
    out: dict[str, np.ndarray] = {}
    for key, prop in table["properties"].items():
        definition = cls[key]
        for field in ("values", "stringOffsets"):
            if field in prop:
                view = glb.doc["bufferViews"][prop[field]]
                assert view.get("byteOffset", 0) % 8 == 0, f"{key} {field} not 8-byte aligned"
        values = glb.view_bytes(prop["values"])
        if definition["type"] == "STRING":
            offsets = np.frombuffer(glb.view_bytes(prop["stringOffsets"]), "<u4")
            assert offsets.size == count + 1 and offsets[0] == 0, key
            assert np.all(np.diff(offsets.astype(np.int64)) >= 0), key
            assert offsets[-1] == len(values), key
            out[key] = np.array(
                [values[a:b].decode("utf-8") for a, b in itertools.pairwise(offsets)],
                dtype=object,
            )
        else:
            if definition["type"] == "ENUM":
                ctype = schema["enums"][definition["enumType"]].get("valueType", "UINT16")
            else:
                ctype = definition["componentType"]
            arr = np.frombuffer(values, META_TYPES[ctype])
            assert arr.size == count, f"{key}: {arr.size} values for count {count}"
            out[key] = arr
    return out


def load_tileset(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "tileset.json").read_text())


def iter_tiles(tile: dict[str, Any], parent: dict[str, Any] | None = None, depth: int = 0):
    yield tile, parent, depth
    for child in tile.get("children", []):
        yield from iter_tiles(child, tile, depth + 1)


def box_bounds(box: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Min and max corners of an axis-aligned 3D Tiles box (the writer uses no rotation)."""
    c = np.asarray(box[:3])
    axes = np.asarray(box[3:]).reshape(3, 3)
    half = np.abs(axes).sum(axis=0)
    return c - half, c + half


def check_tileset(folder: Path, version: str = "1.1") -> list[str]:
    """Structural rules of 3D Tiles (the official validator's checks that apply to our output).

    Returns a list of problems; empty means valid.
    """
    problems: list[str] = []
    ts = load_tileset(folder)
    if ts.get("asset", {}).get("version") != version:
        problems.append(f"asset.version is {ts.get('asset')}, expected {version}")
    root = ts["root"]
    if not isinstance(ts.get("geometricError"), (int, float)) or ts["geometricError"] < 0:
        problems.append("tileset geometricError missing or negative")
    if root["geometricError"] > ts["geometricError"]:
        problems.append("root geometricError larger than the tileset's")
    if "refine" not in root:
        problems.append("root has no refine")
    uris = set()
    for tile, parent, _depth in iter_tiles(root):
        if "refine" in tile and tile["refine"] not in ("ADD", "REPLACE"):
            problems.append(f"refine {tile['refine']!r} is not ADD or REPLACE")
        if tile is not root and "transform" in tile:
            problems.append("unexpected transform below the root")
        ge = tile.get("geometricError")
        if not isinstance(ge, (int, float)) or ge < 0:
            problems.append("tile without a valid geometricError")
            continue
        if parent is not None and ge > parent["geometricError"]:
            problems.append(f"geometricError grows downwards: {ge} > {parent['geometricError']}")
        box = tile.get("boundingVolume", {}).get("box")
        if box is None or len(box) != 12:
            problems.append("tile without a 12-number box")
            continue
        lo, hi = box_bounds(box)
        if np.any(hi - lo <= 0):
            problems.append("degenerate box")
        if parent is not None:
            plo, phi = box_bounds(parent["boundingVolume"]["box"])
            if np.any(lo < plo - 1e-3) or np.any(hi > phi + 1e-3):
                problems.append("child box outside its parent's box")
        if "content" in tile:
            uri = tile["content"]["uri"]
            if uri in uris:
                problems.append(f"content {uri} used twice")
            uris.add(uri)
            path = folder / uri
            if not path.exists():
                problems.append(f"missing content {uri}")
                continue
            if path.suffix != ".glb":
                continue
            c = decode_content(path)
            if np.any(c.positions < lo - 1e-3) or np.any(c.positions > hi + 1e-3):
                problems.append(f"{uri}: vertices outside the tile's box")
            if c.table is not None:
                count = c.glb.doc["extensions"]["EXT_structural_metadata"]["propertyTables"][0][
                    "count"
                ]
                ids = c.feature_ids[c.feature_ids != (c.null_id if c.null_id is not None else -1)]
                if ids.size and (ids.min() < 0 or ids.max() >= count):
                    problems.append(f"{uri}: feature id outside the property table")
                if np.any(ids != np.round(ids)):
                    problems.append(f"{uri}: non-integer feature ids")
                for prim in c.glb.doc["meshes"][0]["primitives"]:
                    fs = prim["extensions"]["EXT_mesh_features"]["featureIds"][0]
                    if fs["featureCount"] != np.unique(ids).size:
                        problems.append(f"{uri}: featureCount {fs['featureCount']} is wrong")
            if c.glb.bin_offset_in_file % 8:
                problems.append(f"{uri}: binary chunk not 8-byte aligned")
    return problems


def _morton2(x: int, y: int) -> int:
    return sum(((x >> b) & 1) << (2 * b) | ((y >> b) & 1) << (2 * b + 1) for b in range(32))


def read_subtree(path: Path) -> tuple[dict[str, Any], bytes, list[str]]:
    """Parse a binary .subtree (3D Tiles 1.1 "Subtree"): returns (json, binary, problems)."""
    problems: list[str] = []
    data = path.read_bytes()
    magic, version, jlen, blen = struct.unpack_from("<4sIQQ", data)
    if magic != b"subt" or version != 1:
        problems.append(f"{path.name}: bad header {magic!r} {version}")
    if jlen % 8 or blen % 8:
        problems.append(f"{path.name}: JSON or binary chunk not padded to 8 bytes")
    if 24 + jlen + blen != len(data):
        problems.append(f"{path.name}: chunk lengths do not add up")
    doc = json.loads(data[24 : 24 + jlen])
    binary = data[24 + jlen : 24 + jlen + blen]
    for v in doc.get("bufferViews", []):
        if v["byteOffset"] % 8:
            problems.append(f"{path.name}: bufferView not 8-byte aligned")
        if v["byteOffset"] + v["byteLength"] > doc["buffers"][v["buffer"]]["byteLength"]:
            problems.append(f"{path.name}: bufferView past its buffer")
    return doc, binary, problems


def _bits(doc: dict[str, Any], binary: bytes, avail: dict[str, Any], n: int, where: str, problems):
    if "constant" in avail:
        return np.full(n, bool(avail["constant"]))
    view = doc["bufferViews"][avail["bitstream"]]
    if view["byteLength"] != -(-n // 8):
        problems.append(f"{where}: bitstream of {view['byteLength']} bytes for {n} bits")
    raw = np.frombuffer(binary, np.uint8, view["byteLength"], view["byteOffset"])
    bits = np.unpackbits(raw, bitorder="little")[:n].astype(bool)
    if "availableCount" in avail and avail["availableCount"] != bits.sum():
        problems.append(f"{where}: availableCount {avail['availableCount']} != {bits.sum()}")
    return bits


def check_implicit(folder: Path) -> tuple[list[str], set[tuple[int, int, int]]]:
    """Implicit-tiling rules (QUADTREE): every subtree reachable from the root, availability
    bitstreams of the right length whose bits match the content files present, parents of
    available tiles available, and content only on available tiles. Returns the problems and the
    set of available content tiles."""
    problems: list[str] = []
    ts = load_tileset(folder)
    root = ts["root"]
    imp = root["implicitTiling"]
    if imp["subdivisionScheme"] != "QUADTREE":
        problems.append("not a quadtree")
    if root.get("refine") not in ("ADD", "REPLACE"):
        problems.append("root refine must be ADD or REPLACE (uppercase)")
    levels, available_levels = imp["subtreeLevels"], imp["availableLevels"]
    template = imp["subtrees"]["uri"]
    content_template = root["content"]["uri"]
    for key in ("{level}", "{x}", "{y}"):
        if key not in template or key not in content_template:
            problems.append(f"template without {key}")
    tiles: set[tuple[int, int, int]] = set()
    contents: set[tuple[int, int, int]] = set()
    metadata: dict[tuple[int, int, int], dict[str, np.ndarray]] = {}
    subtrees_seen: set[Path] = set()
    stack = [(0, 0, 0)]
    while stack:
        l0, x0, y0 = stack.pop()
        path = folder / template.format(level=l0, x=x0, y=y0)
        if not path.exists():
            problems.append(f"missing subtree {path.name} ({l0}/{x0}/{y0})")
            continue
        subtrees_seen.add(path)
        doc, binary, probs = read_subtree(path)
        problems += probs
        n = ((1 << (2 * levels)) - 1) // 3
        where = f"subtree {l0}/{x0}/{y0}"
        tile_bits = _bits(doc, binary, doc["tileAvailability"], n, where, problems)
        content_bits = _bits(doc, binary, doc["contentAvailability"][0], n, where, problems)
        child_bits = _bits(
            doc, binary, doc["childSubtreeAvailability"], 1 << (2 * levels), where, problems
        )
        tile_rows = _semantic_rows(ts, doc, binary, doc.get("tileMetadata"), where, problems)
        content_tables = doc.get("contentMetadata", [None])
        content_rows = _semantic_rows(ts, doc, binary, content_tables[0], where, problems)
        tile_rank = np.cumsum(tile_bits) - 1
        content_rank = np.cumsum(content_bits) - 1
        for rel in range(levels):
            for x in range(1 << rel):
                for y in range(1 << rel):
                    i = ((1 << (2 * rel)) - 1) // 3 + _morton2(x, y)
                    key = (l0 + rel, (x0 << rel) + x, (y0 << rel) + y)
                    if tile_bits[i]:
                        tiles.add(key)
                        for semantic, values in tile_rows.items():
                            metadata.setdefault(key, {})[semantic] = values[tile_rank[i]]
                    if content_bits[i]:
                        contents.add(key)
                        for semantic, values in content_rows.items():
                            metadata.setdefault(key, {})[semantic] = values[content_rank[i]]
                        if not tile_bits[i]:
                            problems.append(f"content without an available tile at {key}")
        for x in range(1 << levels):
            for y in range(1 << levels):
                if child_bits[_morton2(x, y)]:
                    stack.append((l0 + levels, (x0 << levels) + x, (y0 << levels) + y))
    for level, x, y in tiles:
        if level >= available_levels:
            problems.append(f"tile {level}/{x}/{y} beyond availableLevels")
        if level and (level - 1, x >> 1, y >> 1) not in tiles:
            problems.append(f"tile {level}/{x}/{y} available but its parent is not")
    files = set(folder.rglob("*.subtree"))
    if files != subtrees_seen:
        problems.append(f"{len(files - subtrees_seen)} subtree files not reachable")
    expected = {folder / content_template.format(level=k, x=x, y=y) for k, x, y in contents}
    present = set(folder.rglob("*.glb"))
    if expected != present:
        problems.append(
            f"content bits and files differ: {len(expected - present)} missing, "
            f"{len(present - expected)} extra"
        )
    problems += _implicit_volumes(folder, ts, tiles, contents, metadata, content_template)
    return problems, contents


def implicit_box(root_box: list[float], level: int, x: int, y: int) -> list[float]:
    """The box implicit subdivision gives tile (level, x, y) of a QUADTREE (axis-aligned root)."""
    lo, hi = box_bounds(root_box)
    size = (hi - lo)[:2] / (1 << level)
    clo = lo[:2] + size * np.array([x, y])
    c = [*(clo + size / 2), (lo[2] + hi[2]) / 2]
    h = [*(size / 2), (hi[2] - lo[2]) / 2]
    return [c[0], c[1], c[2], h[0], 0, 0, 0, h[1], 0, 0, 0, h[2]]


def _semantic_rows(ts, doc, binary, table_index, where, problems) -> dict[str, np.ndarray]:
    """Values of a subtree property table keyed by semantic (FLOAT64 scalars and arrays)."""
    if table_index is None:
        return {}
    table = doc["propertyTables"][table_index]
    cls = ts.get("schema", {}).get("classes", {}).get(table["class"])
    if cls is None:
        problems.append(f"{where}: class {table['class']!r} not in the tileset schema")
        return {}
    out = {}
    for name, prop in table["properties"].items():
        spec = cls["properties"][name]
        if spec.get("componentType") != "FLOAT64" or spec.get("type") != "SCALAR":
            continue
        count = spec.get("count", 1) if spec.get("array") else 1
        view = doc["bufferViews"][prop["values"]]
        if view["byteLength"] != table["count"] * count * 8:
            problems.append(f"{where}: {name} has {view['byteLength']} bytes")
            continue
        values = np.frombuffer(binary, "<f8", table["count"] * count, view["byteOffset"])
        out[spec.get("semantic", name)] = (
            values.reshape(table["count"], count).squeeze(axis=1)
            if count == 1
            else values.reshape(table["count"], count)
        )
    return out


def _implicit_volumes(folder, ts, tiles, contents, metadata, content_template) -> list[str]:
    """Bounding volumes of an implicit tileset contain what they bound: every tile's volume (its
    TILE_BOUNDING_BOX, else the subdivided box) holds its content's vertices, its content's
    CONTENT_BOUNDING_BOX and its children's volumes; errors never grow downwards."""
    problems: list[str] = []
    root = ts["root"]
    root_box = root["boundingVolume"]["box"]
    imp_error = root["geometricError"]

    def volume(key):
        meta = metadata.get(key, {})
        box = meta.get("TILE_BOUNDING_BOX")
        return box_bounds(list(box) if box is not None else implicit_box(root_box, *key))

    def error(key):
        meta = metadata.get(key, {})
        return meta.get("TILE_GEOMETRIC_ERROR", imp_error / (1 << key[0]))

    rlo, rhi = box_bounds(root_box)
    for key in tiles:
        lo, hi = volume(key)
        if np.any(hi - lo <= 0):
            problems.append(f"tile {key}: degenerate box")
        if key[0] == 0 and (np.any(lo < rlo - 1e-3) or np.any(hi > rhi + 1e-3)):
            problems.append("root tile's box outside the tileset root's box")
        parent = (key[0] - 1, key[1] >> 1, key[2] >> 1)
        if key[0] and parent in tiles:
            plo, phi = volume(parent)
            if np.any(lo < plo - 1e-3) or np.any(hi > phi + 1e-3):
                problems.append(f"tile {key}: box outside its parent's box")
            if error(key) > error(parent):
                problems.append(f"tile {key}: geometric error grows downwards")
        if key not in contents:
            continue
        pos = decode_content(folder / content_template.format(level=key[0], x=key[1], y=key[2]))
        cbox = metadata.get(key, {}).get("CONTENT_BOUNDING_BOX")
        bounds = [(lo, hi, "tile")]
        if cbox is not None:
            clo, chi = box_bounds(list(cbox))
            bounds.append((clo, chi, "content"))
            if np.any(clo < lo - 1e-3) or np.any(chi > hi + 1e-3):
                problems.append(f"tile {key}: content box outside the tile box")
        for blo, bhi, what in bounds:
            if np.any(pos.positions < blo - 1e-3) or np.any(pos.positions > bhi + 1e-3):
                problems.append(f"tile {key}: vertices outside the {what} box")
    return problems
