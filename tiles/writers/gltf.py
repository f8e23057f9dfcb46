"""The builders of a tile's glb, shared by every content type (buildings, ground).

A :class:`GlbBuilder` holds the binary chunk (with ``EXT_meshopt_compression`` of vertex and
index data when asked) and the glTF document under construction. A content writer adds, in
order: the vertex attributes (:meth:`~GlbBuilder.add_vertices`: positions and normals,
quantized or float), a feature-id attribute, one primitive per material
(:meth:`~GlbBuilder.add_primitive`), its property table's columns
(:meth:`~GlbBuilder.add_bytes`, :meth:`~GlbBuilder.string_property`), and then
:meth:`~GlbBuilder.finish` writes the GLB container. Only the accessors' meaning, the materials
and the metadata schema belong to the content type.

glTF is y-up: a local (east, north, up) vertex is written as (east, up, -north), which the 3D
Tiles runtime turns back into z-up; the box :meth:`~GlbBuilder.finish` returns is in local ENU
metres again, from the decoded (quantized) vertices.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from typing import Any

import meshopt as meshopt_codec
import numpy as np
from numpy.typing import NDArray

from tiles.index.lod import LEAF_POSITION_ERROR_M

ARRAY_BUFFER = 34962
ELEMENT_ARRAY_BUFFER = 34963
BYTE, UNSIGNED_BYTE, SHORT, UNSIGNED_SHORT, UNSIGNED_INT, FLOAT = 5120, 5121, 5122, 5123, 5125, 5126
GENERATOR = "CivicTwin tiles"


@dataclass
class BinaryChunk:
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


def encode_strings(values: NDArray[np.object_]) -> tuple[bytes, bytes]:
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


def col_min(a: NDArray[Any]) -> NDArray[Any]:
    # column by column: numpy's axis-0 reduction of an (N, 3) array is an order slower
    return np.array([a[:, k].min() for k in range(a.shape[1])])


def col_max(a: NDArray[Any]) -> NDArray[Any]:
    return np.array([a[:, k].max() for k in range(a.shape[1])])


def glb_container(gltf: dict[str, Any], blob: bytes) -> bytes:
    """The GLB file: header, JSON chunk, binary chunk (its data on an 8-byte boundary)."""
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


def material(name: str, color: list[float], roughness: float) -> dict[str, Any]:
    """A plain PBR material (no metal) of one colour."""
    return {
        "name": name,
        "pbrMetallicRoughness": {
            "baseColorFactor": color,
            "metallicFactor": 0.0,
            "roughnessFactor": roughness,
        },
    }


# a quantized position moves by up to half a step (the content's extent / 65535): content whose
# extent would make that more than the caller allows gets float32 positions instead, which move
# by well under a millimetre (a sparse city in one 10 km tile would step 15 cm)
MAX_QUANTIZATION_ERROR_M = LEAF_POSITION_ERROR_M
QUANTIZATION_STEPS = 65535.0


class GlbBuilder:
    """One glb under construction: a single node and mesh whose primitives share the vertex
    accessors (0: POSITION, 1: NORMAL, then any further attributes)."""

    def __init__(self, *, meshopt: bool = False) -> None:
        self.binary = BinaryChunk(meshopt=meshopt)
        self.accessors: list[dict[str, Any]] = []
        self.node: dict[str, Any] = {"mesh": 0}
        self.materials: list[dict[str, Any]] = []
        self.primitives: list[dict[str, Any]] = []
        self.used: list[str] = []
        self.required: list[str] = []
        self.vertex_count = 0
        self._decoded: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None

    def add_vertices(
        self,
        positions: NDArray[np.float64],
        normals: NDArray[np.float32],
        *,
        quantize: bool,
        max_error_m: float = MAX_QUANTIZATION_ERROR_M,
    ) -> None:
        """POSITION and NORMAL of local ENU ``positions`` (metres) and unit ``normals``: uint16
        positions under the node's translation and uniform scale and int8 normals
        (KHR_mesh_quantization), or float32 positions around the node's translation and float
        normals. When quantizing positions would move a vertex by more than ``max_error_m``
        (half a step: content wider than 1.3 km for 1 cm), positions are float32 and normals
        stay int8."""
        v = int(positions.shape[0])
        self.vertex_count = v
        g = np.empty((v, 3))
        g[:, 0] = positions[:, 0]
        g[:, 1] = positions[:, 2]
        g[:, 2] = -positions[:, 1]
        lo, hi = col_min(g), col_max(g)
        wide = float((hi - lo).max()) / QUANTIZATION_STEPS / 2.0 > max_error_m
        if quantize and not wide:
            self._uint16_positions(g, lo, hi)
        else:
            self._float_positions(g, lo, hi)
        if quantize:
            self._int8_normals(normals)
            self.used.append("KHR_mesh_quantization")
            self.required.append("KHR_mesh_quantization")
        else:
            self._float_normals(normals)

    def _uint16_positions(
        self, g: NDArray[np.float64], lo: NDArray[np.float64], hi: NDArray[np.float64]
    ) -> None:
        scale = float((hi - lo).max()) / QUANTIZATION_STEPS or 1.0
        q = np.zeros((g.shape[0], 4), dtype="<u2")
        q[:, :3] = np.rint((g - lo) / scale)
        qmin, qmax = col_min(q[:, :3]), col_max(q[:, :3])
        self._decoded = (lo + qmin * scale, lo + qmax * scale)
        self.accessors.append(
            {
                "bufferView": self.binary.add_vertices(q, 8),
                "componentType": UNSIGNED_SHORT,
                "count": g.shape[0],
                "type": "VEC3",
                "min": qmin.tolist(),
                "max": qmax.tolist(),
            }
        )
        self.node["translation"] = lo.tolist()
        self.node["scale"] = [scale, scale, scale]

    def _float_positions(
        self, g: NDArray[np.float64], lo: NDArray[np.float64], hi: NDArray[np.float64]
    ) -> None:
        origin = (lo + hi) / 2.0
        f = (g - origin).astype("<f4")
        self._decoded = (
            col_min(f).astype(np.float64) + origin,
            col_max(f).astype(np.float64) + origin,
        )
        self.accessors.append(
            {
                "bufferView": self.binary.add_vertices(f),
                "componentType": FLOAT,
                "count": g.shape[0],
                "type": "VEC3",
                "min": col_min(f).tolist(),
                "max": col_max(f).tolist(),
            }
        )
        self.node["translation"] = origin.tolist()

    def _int8_normals(self, normals: NDArray[np.float32]) -> None:
        ng = np.zeros((normals.shape[0], 4), dtype="i1")
        ng[:, 0] = np.rint(normals[:, 0] * 127.0)
        ng[:, 1] = np.rint(normals[:, 2] * 127.0)
        ng[:, 2] = np.rint(-normals[:, 1] * 127.0)
        self.accessors.append(
            {
                "bufferView": self.binary.add_vertices(ng, 4),
                "componentType": BYTE,
                "normalized": True,
                "count": normals.shape[0],
                "type": "VEC3",
            }
        )

    def _float_normals(self, normals: NDArray[np.float32]) -> None:
        nf = np.empty((normals.shape[0], 3), dtype="<f4")
        nf[:, 0], nf[:, 1], nf[:, 2] = normals[:, 0], normals[:, 2], -normals[:, 1]
        self.accessors.append(
            {
                "bufferView": self.binary.add_vertices(nf),
                "componentType": FLOAT,
                "count": normals.shape[0],
                "type": "VEC3",
            }
        )

    def add_scalar_attribute(self, values: NDArray[np.float32]) -> int:
        """A float SCALAR vertex attribute (feature ids); its accessor index."""
        self.accessors.append(
            {
                "bufferView": self.binary.add_vertices(values.astype("<f4")),
                "componentType": FLOAT,
                "count": self.vertex_count,
                "type": "SCALAR",
            }
        )
        return len(self.accessors) - 1

    def add_primitive(
        self,
        triangles: NDArray[np.int64],
        attributes: dict[str, int],
        mat: dict[str, Any],
        extensions: dict[str, Any] | None = None,
    ) -> None:
        """A triangle list (uint16 indices below 65,535 vertices, else uint32) with its own
        material."""
        if self.vertex_count < 65535:
            index_type, index_dtype = UNSIGNED_SHORT, "<u2"
        else:
            index_type, index_dtype = UNSIGNED_INT, "<u4"
        self.accessors.append(
            {
                "bufferView": self.binary.add_indices(triangles.astype(index_dtype).reshape(-1)),
                "componentType": index_type,
                "count": int(triangles.size),
                "type": "SCALAR",
            }
        )
        self.materials.append(mat)
        prim: dict[str, Any] = {
            "attributes": attributes,
            "indices": len(self.accessors) - 1,
            "material": len(self.materials) - 1,
            "mode": 4,
        }
        if extensions is not None:
            prim["extensions"] = extensions
        self.primitives.append(prim)

    def add_bytes(self, data: bytes) -> int:
        """A plain (uncompressed) buffer view, e.g. a property-table column."""
        return self.binary.add(data)

    def string_property(self, column: NDArray[np.object_]) -> dict[str, Any]:
        """An EXT_structural_metadata STRING property: values and uint32 offsets."""
        values, offsets = encode_strings(column)
        return {
            "values": self.binary.add(values),
            "stringOffsets": self.binary.add(offsets),
            "stringOffsetType": "UINT32",
        }

    def finish(
        self, extensions: dict[str, Any] | None = None, used: list[str] | None = None
    ) -> tuple[bytes, NDArray[np.float64], NDArray[np.float64]]:
        """The glb bytes and the local ENU box of the decoded vertices; ``extensions`` are the
        document's own (e.g. EXT_structural_metadata), ``used`` the extension names they add."""
        assert self._decoded is not None, "add_vertices first"
        gltf: dict[str, Any] = {
            "asset": {"version": "2.0", "generator": GENERATOR},
            "scene": 0,
            "scenes": [{"nodes": [0]}],
            "nodes": [self.node],
            "meshes": [{"primitives": self.primitives}],
            "materials": self.materials,
            "accessors": self.accessors,
        }
        extensions_used = self.used + list(used or [])
        if extensions is not None:
            gltf["extensions"] = extensions
        blob = self.binary.bytes()
        gltf["bufferViews"] = self.binary.views
        gltf["buffers"] = self.binary.buffers(blob)
        required = list(self.required)
        if self.binary.meshopt:
            extensions_used.append("EXT_meshopt_compression")
            required.append("EXT_meshopt_compression")
        if extensions_used:
            gltf["extensionsUsed"] = extensions_used
        if required:
            gltf["extensionsRequired"] = required
        lo, hi = self._decoded
        # back from glTF (x, y, z) = (e, u, -n) to the local ENU box
        box_min = np.array([lo[0], -hi[2], lo[1]])
        box_max = np.array([hi[0], -lo[2], hi[1]])
        return glb_container(gltf, blob), box_min, box_max
