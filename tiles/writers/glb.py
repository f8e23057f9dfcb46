"""glb content: one mesh per tile, a primitive per surface class, feature ids and metadata.

Follows glTF 2.0 and, for 3D Tiles 1.1 content, ``EXT_mesh_features`` (``_FEATURE_ID_0``
per vertex) and ``EXT_structural_metadata`` (one binary property table per tile). With
``quantize`` positions are uint16 and normals int8 under ``KHR_mesh_quantization``, the node's
translation and uniform scale restoring metres. glTF is y-up: a local (east, north, up) vertex is
written as (east, up, -north), which the 3D Tiles runtime turns back into z-up.
"""

from __future__ import annotations

import json
import re
import struct
from dataclasses import dataclass, field
from typing import Any

import meshopt as meshopt_codec
import numpy as np
from numpy.typing import NDArray

from tiles.geometry.mesh import TileMesh
from tiles.model import FeatureTable, HeightSource, Surface

ARRAY_BUFFER = 34962
ELEMENT_ARRAY_BUFFER = 34963
BYTE, UNSIGNED_BYTE, SHORT, UNSIGNED_SHORT, UNSIGNED_INT, FLOAT = 5120, 5121, 5122, 5123, 5125, 5126
GENERATOR = "CivicTwin tiles"

MATERIALS = {
    Surface.WALL: ("wall", [0.86, 0.84, 0.80, 1.0]),
    Surface.ROOF: ("roof", [0.62, 0.55, 0.52, 1.0]),
    Surface.GROUND: ("ground", [0.45, 0.45, 0.45, 1.0]),
}
LEVELS_NO_DATA = -1.0
OPTIONAL_STRINGS = ("building_type", "name", "address")


def enum_name(text: str) -> str:
    """A dataset name as an enum value name (letters, digits, underscores)."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", text) or "_"
    return name if not name[0].isdigit() else "_" + name


@dataclass
class _Bin:
    """The binary chunk under construction; every buffer view starts on an 8-byte boundary.

    With ``meshopt``, vertex and index views are stored compressed (EXT_meshopt_compression):
    the compressed bytes go to the binary chunk (buffer 0), and the view itself points into a
    second buffer that has no data, only a length (``"fallback": true``), where the client
    decodes it. Property-table views stay plain: only mesh data is meant to be compressed.
    """

    meshopt: bool = False
    chunks: list[bytes] = field(default_factory=list)
    views: list[dict[str, Any]] = field(default_factory=list)
    size: int = 0
    fallback_size: int = 0

    def _append(self, data: bytes) -> int:
        pad = (-self.size) % 8
        if pad:
            self.chunks.append(b"\0" * pad)
            self.size += pad
        offset = self.size
        self.chunks.append(data)
        self.size += len(data)
        return offset

    def add(self, data: bytes, target: int | None = None, stride: int | None = None) -> int:
        view: dict[str, Any] = {"buffer": 0, "byteOffset": self._append(data)}
        view["byteLength"] = len(data)
        if stride is not None:
            view["byteStride"] = stride
        if target is not None:
            view["target"] = target
        self.views.append(view)
        return len(self.views) - 1

    def add_vertices(self, rows: NDArray[Any], stride: int | None = None) -> int:
        """A vertex attribute view from ``rows`` (one row per vertex, a multiple of 4 bytes)."""
        if not self.meshopt:
            return self.add(rows.tobytes(), ARRAY_BUFFER, stride)
        row = rows.reshape(rows.shape[0], -1)
        size = row.nbytes // max(row.shape[0], 1)
        encoded = meshopt_codec.encode_gltf_buffer(
            row.view(np.uint8).reshape(row.shape[0], size), "ATTRIBUTES"
        )
        return self._compressed(
            rows.nbytes, encoded, size, row.shape[0], "ATTRIBUTES", ARRAY_BUFFER
        )

    def add_indices(self, indices: NDArray[Any]) -> int:
        """A triangle-list index view (uint16 or uint32 ``indices``, flat)."""
        if not self.meshopt:
            return self.add(indices.tobytes(), ELEMENT_ARRAY_BUFFER)
        encoded = meshopt_codec.encode_gltf_buffer(indices, "TRIANGLES")
        return self._compressed(
            indices.nbytes,
            encoded,
            indices.itemsize,
            indices.size,
            "TRIANGLES",
            ELEMENT_ARRAY_BUFFER,
        )

    def _compressed(
        self, raw_len: int, encoded: bytes, stride: int, count: int, mode: str, target: int
    ) -> int:
        self.fallback_size += (-self.fallback_size) % 8
        view: dict[str, Any] = {
            "buffer": 1,
            "byteOffset": self.fallback_size,
            "byteLength": raw_len,
            "target": target,
        }
        if mode == "ATTRIBUTES":
            view["byteStride"] = stride
        view["extensions"] = {
            "EXT_meshopt_compression": {
                "buffer": 0,
                "byteOffset": self._append(encoded),
                "byteLength": len(encoded),
                "byteStride": stride,
                "mode": mode,
                "count": count,
            }
        }
        self.fallback_size += raw_len
        self.views.append(view)
        return len(self.views) - 1

    def buffers(self, blob: bytes) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = [{"byteLength": len(blob)}]
        if self.meshopt:
            fallback = {"EXT_meshopt_compression": {"fallback": True}}
            out.append({"byteLength": self.fallback_size, "extensions": fallback})
        return out

    def bytes(self) -> bytes:
        blob = b"".join(self.chunks)
        return blob + b"\0" * ((-len(blob)) % 4)


@dataclass
class EncodedTile:
    """glb bytes and the axis-aligned box (local ENU, metres) of the decoded vertices."""

    data: bytes
    box_min: NDArray[np.float64]
    box_max: NDArray[np.float64]
    features: int
    vertices: int
    triangles: int
    batch_table: dict[str, Any] | None = None


def _strings(values: NDArray[np.object_]) -> tuple[bytes, bytes]:
    """UTF-8 bytes of the strings, back to back, and their uint32 offsets (count + 1)."""
    texts = values.tolist()
    joined = "".join(texts)
    if joined.isascii():  # one byte per character: lengths without encoding each string
        data = joined.encode("ascii")
        lengths = map(len, texts)
    else:
        encoded = [t.encode("utf-8") for t in texts]
        data = b"".join(encoded)
        lengths = map(len, encoded)
    offsets = np.zeros(len(texts) + 1, dtype=np.uint32)
    np.cumsum(np.fromiter(lengths, dtype=np.uint32, count=len(texts)), out=offsets[1:])
    return data, offsets.tobytes()


def _col_min(a: NDArray[Any]) -> NDArray[Any]:
    # column by column: numpy's axis-0 reduction of an (N, 3) array is an order slower
    return np.array([a[:, k].min() for k in range(a.shape[1])])


def _col_max(a: NDArray[Any]) -> NDArray[Any]:
    return np.array([a[:, k].max() for k in range(a.shape[1])])


def metadata_schema(datasets: list[str]) -> dict[str, Any]:
    """The EXT_structural_metadata schema shared by every tile of a build."""
    return {
        "id": "civictwin",
        "name": "CivicTwin buildings",
        "classes": {
            "building": {
                "name": "Building",
                "properties": {
                    "building_id": {
                        "type": "STRING",
                        "required": True,
                        "description": "Stable id: dataset:source id.",
                    },
                    "source_id": {"type": "STRING", "required": True},
                    "height_m": {
                        "type": "SCALAR",
                        "componentType": "FLOAT32",
                        "required": True,
                        "description": "Top above ground, metres.",
                    },
                    "base_height_m": {
                        "type": "SCALAR",
                        "componentType": "FLOAT32",
                        "required": True,
                    },
                    "levels": {
                        "type": "SCALAR",
                        "componentType": "FLOAT32",
                        "noData": LEVELS_NO_DATA,
                    },
                    "height_source": {
                        "type": "ENUM",
                        "enumType": "height_source",
                        "required": True,
                    },
                    "building_type": {"type": "STRING"},
                    "name": {"type": "STRING"},
                    "address": {"type": "STRING"},
                    "dataset": {"type": "ENUM", "enumType": "dataset", "required": True},
                },
            }
        },
        "enums": {
            "height_source": {
                "valueType": "UINT8",
                "values": [{"name": s.name.lower(), "value": int(s)} for s in HeightSource],
            },
            "dataset": {
                "valueType": "UINT16",
                "values": [
                    {"name": enum_name(d), "value": i, "description": d}
                    for i, d in enumerate(datasets)
                ],
            },
        },
    }


def _property_table(rows: FeatureTable, binary: _Bin) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for key in ("building_id", "source_id", "building_type", "name", "address"):
        column = getattr(rows, key)
        if key in OPTIONAL_STRINGS and not column.astype(bool).any():
            continue  # a buffer view cannot be empty: an all-empty optional column is omitted
        values, offsets = _strings(column)
        props[key] = {
            "values": binary.add(values),
            "stringOffsets": binary.add(offsets),
            "stringOffsetType": "UINT32",
        }
    props["height_m"] = {"values": binary.add(rows.height_m.astype("<f4").tobytes())}
    props["base_height_m"] = {"values": binary.add(rows.base_height_m.astype("<f4").tobytes())}
    levels = np.where(np.isnan(rows.levels), LEVELS_NO_DATA, rows.levels).astype("<f4")
    props["levels"] = {"values": binary.add(levels.tobytes())}
    props["height_source"] = {"values": binary.add(rows.height_source.astype("u1").tobytes())}
    props["dataset"] = {"values": binary.add(rows.dataset.astype("<u2").tobytes())}
    return {"name": "buildings", "class": "building", "count": len(rows), "properties": props}


def batch_table(rows: FeatureTable, datasets: list[str]) -> dict[str, Any]:
    """The same attributes as a 3D Tiles 1.0 batch table (JSON arrays)."""
    names = [s.name.lower() for s in HeightSource]
    return {
        "building_id": rows.building_id.tolist(),
        "source_id": rows.source_id.tolist(),
        "height_m": np.round(rows.height_m, 3).tolist(),
        "base_height_m": np.round(rows.base_height_m, 3).tolist(),
        "levels": np.where(np.isnan(rows.levels), LEVELS_NO_DATA, rows.levels).tolist(),
        "height_source": [names[i] for i in rows.height_source],
        "building_type": rows.building_type.tolist(),
        "name": rows.name.tolist(),
        "address": rows.address.tolist(),
        "dataset": [datasets[i] for i in rows.dataset],
    }


def encode_glb(
    mesh: TileMesh,
    rows: FeatureTable,
    datasets: list[str],
    *,
    quantize: bool = True,
    legacy_batch_id: bool = False,
    meshopt: bool = False,
) -> EncodedTile:
    """Encode one tile's mesh and its feature rows as a glb.

    ``rows`` are the property-table rows; vertex feature ids index them (``-1``: no feature).
    With ``legacy_batch_id`` the ids go to ``_BATCHID`` for a 3D Tiles 1.0 b3dm instead of the
    1.1 extensions.
    """
    v = mesh.vertex_count
    if v == 0:
        raise ValueError("a tile needs at least one vertex")
    g = np.empty((v, 3))
    g[:, 0] = mesh.positions[:, 0]
    g[:, 1] = mesh.positions[:, 2]
    g[:, 2] = -mesh.positions[:, 1]
    lo, hi = _col_min(g), _col_max(g)
    binary = _Bin(meshopt=meshopt)
    accessors: list[dict[str, Any]] = []
    node: dict[str, Any] = {"mesh": 0}
    extensions_used: list[str] = []
    extensions_required: list[str] = []

    if quantize:
        scale = float((hi - lo).max()) / 65535.0 or 1.0
        q = np.zeros((v, 4), dtype="<u2")
        q[:, :3] = np.rint((g - lo) / scale)
        qmin, qmax = _col_min(q[:, :3]), _col_max(q[:, :3])
        decoded_lo, decoded_hi = lo + qmin * scale, lo + qmax * scale
        pos_view = binary.add_vertices(q, 8)
        accessors.append(
            {
                "bufferView": pos_view,
                "componentType": UNSIGNED_SHORT,
                "count": v,
                "type": "VEC3",
                "min": qmin.tolist(),
                "max": qmax.tolist(),
            }
        )
        node["translation"] = lo.tolist()
        node["scale"] = [scale, scale, scale]
        ng = np.zeros((v, 4), dtype="i1")
        ng[:, 0] = np.rint(mesh.normals[:, 0] * 127.0)
        ng[:, 1] = np.rint(mesh.normals[:, 2] * 127.0)
        ng[:, 2] = np.rint(-mesh.normals[:, 1] * 127.0)
        nrm_view = binary.add_vertices(ng, 4)
        accessors.append(
            {
                "bufferView": nrm_view,
                "componentType": BYTE,
                "normalized": True,
                "count": v,
                "type": "VEC3",
            }
        )
        extensions_used.append("KHR_mesh_quantization")
        extensions_required.append("KHR_mesh_quantization")
    else:
        origin = (lo + hi) / 2.0
        f = (g - origin).astype("<f4")
        decoded_lo = _col_min(f).astype(np.float64) + origin
        decoded_hi = _col_max(f).astype(np.float64) + origin
        pos_view = binary.add_vertices(f)
        accessors.append(
            {
                "bufferView": pos_view,
                "componentType": FLOAT,
                "count": v,
                "type": "VEC3",
                "min": _col_min(f).tolist(),
                "max": _col_max(f).tolist(),
            }
        )
        node["translation"] = origin.tolist()
        nf = np.empty((v, 3), dtype="<f4")
        nf[:, 0], nf[:, 1], nf[:, 2] = mesh.normals[:, 0], mesh.normals[:, 2], -mesh.normals[:, 1]
        nrm_view = binary.add_vertices(nf)
        accessors.append(
            {"bufferView": nrm_view, "componentType": FLOAT, "count": v, "type": "VEC3"}
        )

    n_features = len(rows)
    has_null = bool((mesh.feature_ids < 0).any())
    null_id = n_features
    attributes: dict[str, int] = {"POSITION": 0, "NORMAL": 1}
    feature_ext: dict[str, Any] | None = None
    if n_features:
        fids = np.where(mesh.feature_ids < 0, null_id, mesh.feature_ids).astype("<f4")
        fid_view = binary.add_vertices(fids)
        accessors.append(
            {"bufferView": fid_view, "componentType": FLOAT, "count": v, "type": "SCALAR"}
        )
        if legacy_batch_id:
            attributes["_BATCHID"] = 2
        else:
            attributes["_FEATURE_ID_0"] = 2
            fid_set: dict[str, Any] = {
                "featureCount": int(np.unique(mesh.feature_ids[mesh.feature_ids >= 0]).size),
                "attribute": 0,
                "propertyTable": 0,
            }
            if has_null:
                fid_set["nullFeatureId"] = null_id
            feature_ext = {"featureIds": [fid_set]}

    # one primitive per surface class present, all sharing the vertex accessors
    order = np.argsort(mesh.surface, kind="stable")
    tris = mesh.triangles[order]
    surf = mesh.surface[order]
    index_type, index_dtype = (UNSIGNED_SHORT, "<u2") if v < 65535 else (UNSIGNED_INT, "<u4")
    primitives = []
    materials = []
    for cls in Surface:
        sel = tris[surf == cls]
        if sel.shape[0] == 0:
            continue
        view = binary.add_indices(sel.astype(index_dtype).reshape(-1))
        accessors.append(
            {
                "bufferView": view,
                "componentType": index_type,
                "count": int(sel.size),
                "type": "SCALAR",
            }
        )
        name, color = MATERIALS[cls]
        materials.append(
            {
                "name": name,
                "pbrMetallicRoughness": {
                    "baseColorFactor": color,
                    "metallicFactor": 0.0,
                    "roughnessFactor": 0.9,
                },
            }
        )
        prim: dict[str, Any] = {
            "attributes": attributes,
            "indices": len(accessors) - 1,
            "material": len(materials) - 1,
            "mode": 4,
        }
        if feature_ext is not None:
            prim["extensions"] = {"EXT_mesh_features": feature_ext}
        primitives.append(prim)

    gltf: dict[str, Any] = {
        "asset": {"version": "2.0", "generator": GENERATOR},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [node],
        "meshes": [{"primitives": primitives}],
        "materials": materials,
        "accessors": accessors,
    }
    if feature_ext is not None:
        extensions_used += ["EXT_mesh_features", "EXT_structural_metadata"]
        gltf["extensions"] = {
            "EXT_structural_metadata": {
                "schema": metadata_schema(datasets),
                "propertyTables": [_property_table(rows, binary)],
            }
        }
    blob = binary.bytes()
    gltf["bufferViews"] = binary.views
    gltf["buffers"] = binary.buffers(blob)
    if meshopt:
        extensions_used.append("EXT_meshopt_compression")
        extensions_required.append("EXT_meshopt_compression")
    if extensions_used:
        gltf["extensionsUsed"] = extensions_used
    if extensions_required:
        gltf["extensionsRequired"] = extensions_required
    data = _glb(gltf, blob)
    # back from glTF (x, y, z) = (e, u, -n) to the local ENU box
    box_min = np.array([decoded_lo[0], -decoded_hi[2], decoded_lo[1]])
    box_max = np.array([decoded_hi[0], -decoded_lo[2], decoded_hi[1]])
    return EncodedTile(data, box_min, box_max, n_features, v, int(mesh.triangles.shape[0]))


def _glb(gltf: dict[str, Any], blob: bytes) -> bytes:
    js = json.dumps(gltf, separators=(",", ":")).encode("utf-8")
    js += b" " * ((-len(js)) % 4)
    if (28 + len(js)) % 8:
        js += b"    "  # the binary chunk's data then starts on an 8-byte boundary of the file
    total = 12 + 8 + len(js) + 8 + len(blob)
    return b"".join(
        [
            struct.pack("<4sII", b"glTF", 2, total),
            struct.pack("<I4s", len(js), b"JSON"),
            js,
            struct.pack("<I4s", len(blob), b"BIN\0"),
            blob,
        ]
    )
