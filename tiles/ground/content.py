"""glb content of a ground tile: one primitive (and material) per ground class, feature ids and
an ``EXT_structural_metadata`` property table with class, kind, name and source id.

Built on the buildings' glb writer (:mod:`tiles.writers.glb`: its binary chunk with meshopt
compression, its string columns and its GLB container), so both layers share one encoder of
buffers; only the accessors, materials and schema are the ground's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tiles.ground.classes import MATERIALS, GroundClass
from tiles.writers.glb import (
    BYTE,
    FLOAT,
    GENERATOR,
    UNSIGNED_INT,
    UNSIGNED_SHORT,
    EncodedTile,
    _Bin,
    _glb,
    _strings,
)


@dataclass
class GroundMesh:
    """One tile's ground triangles in the tileset's local ENU frame."""

    positions: NDArray[np.float64]  # (V, 3)
    normals: NDArray[np.float32]  # (V, 3)
    feature_ids: NDArray[np.int64]  # (V,) rows of the tile's property table
    triangles: NDArray[np.int64]  # (T, 3), counter-clockwise seen from above
    ground_class: NDArray[np.uint8]  # (T,)


@dataclass
class GroundRows:
    """The property-table rows of one tile."""

    ground_class: NDArray[np.uint8]
    kind: NDArray[np.object_]
    name: NDArray[np.object_]
    source_id: NDArray[np.object_]

    def __len__(self) -> int:
        return int(self.ground_class.shape[0])


def ground_schema() -> dict[str, Any]:
    """The EXT_structural_metadata schema shared by every ground tile."""
    return {
        "id": "civictwin_ground",
        "name": "CivicTwin ground",
        "classes": {
            "ground": {
                "name": "Ground surface",
                "properties": {
                    "ground_class": {"type": "ENUM", "enumType": "ground_class", "required": True},
                    "kind": {
                        "type": "STRING",
                        "required": True,
                        "description": "The source tag value, e.g. primary, park, riverbank.",
                    },
                    "name": {"type": "STRING"},
                    "source_id": {"type": "STRING", "required": True},
                },
            }
        },
        "enums": {
            "ground_class": {
                "valueType": "UINT8",
                "values": [{"name": c.name.lower(), "value": int(c)} for c in GroundClass],
            }
        },
    }


def _string_property(column: NDArray[np.object_], binary: _Bin) -> dict[str, Any]:
    values, offsets = _strings(column)
    return {
        "values": binary.add(values),
        "stringOffsets": binary.add(offsets),
        "stringOffsetType": "UINT32",
    }


def encode_ground_glb(
    mesh: GroundMesh, rows: GroundRows, *, quantize: bool = True, meshopt: bool = False
) -> EncodedTile:
    """Encode one ground tile (glTF 2.0 + EXT_mesh_features + EXT_structural_metadata)."""
    v = int(mesh.positions.shape[0])
    if v == 0 or not len(rows):
        raise ValueError("a ground tile needs at least one vertex and one feature")
    g = np.column_stack([mesh.positions[:, 0], mesh.positions[:, 2], -mesh.positions[:, 1]])
    lo, hi = g.min(axis=0), g.max(axis=0)
    binary = _Bin(meshopt=meshopt)
    accessors: list[dict[str, Any]] = []
    node: dict[str, Any] = {"mesh": 0}
    used: list[str] = []
    required: list[str] = []
    n = mesh.normals
    if quantize:
        scale = float((hi - lo).max()) / 65535.0 or 1.0
        q = np.zeros((v, 4), dtype="<u2")
        q[:, :3] = np.rint((g - lo) / scale)
        qmin, qmax = q[:, :3].min(axis=0), q[:, :3].max(axis=0)
        decoded_lo, decoded_hi = lo + qmin * scale, lo + qmax * scale
        accessors.append(
            {
                "bufferView": binary.add_vertices(q, 8),
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
        ng[:, 0], ng[:, 1], ng[:, 2] = (np.rint(c * 127.0) for c in (n[:, 0], n[:, 2], -n[:, 1]))
        accessors.append(
            {
                "bufferView": binary.add_vertices(ng, 4),
                "componentType": BYTE,
                "normalized": True,
                "count": v,
                "type": "VEC3",
            }
        )
        used.append("KHR_mesh_quantization")
        required.append("KHR_mesh_quantization")
    else:
        origin = (lo + hi) / 2.0
        f = (g - origin).astype("<f4")
        decoded_lo = f.min(axis=0).astype(np.float64) + origin
        decoded_hi = f.max(axis=0).astype(np.float64) + origin
        accessors.append(
            {
                "bufferView": binary.add_vertices(f),
                "componentType": FLOAT,
                "count": v,
                "type": "VEC3",
                "min": f.min(axis=0).tolist(),
                "max": f.max(axis=0).tolist(),
            }
        )
        node["translation"] = origin.tolist()
        nf = np.column_stack([n[:, 0], n[:, 2], -n[:, 1]]).astype("<f4")
        accessors.append(
            {
                "bufferView": binary.add_vertices(nf),
                "componentType": FLOAT,
                "count": v,
                "type": "VEC3",
            }
        )
    fids = mesh.feature_ids.astype("<f4")
    accessors.append(
        {
            "bufferView": binary.add_vertices(fids),
            "componentType": FLOAT,
            "count": v,
            "type": "SCALAR",
        }
    )
    attributes = {"POSITION": 0, "NORMAL": 1, "_FEATURE_ID_0": 2}
    feature_ext = {
        "featureIds": [
            {
                "featureCount": int(np.unique(mesh.feature_ids).size),
                "attribute": 0,
                "propertyTable": 0,
            }
        ]
    }
    index_type, index_dtype = (UNSIGNED_SHORT, "<u2") if v < 65535 else (UNSIGNED_INT, "<u4")
    primitives: list[dict[str, Any]] = []
    materials: list[dict[str, Any]] = []
    for cls in GroundClass:
        sel = mesh.triangles[mesh.ground_class == cls]
        if sel.shape[0] == 0:
            continue
        accessors.append(
            {
                "bufferView": binary.add_indices(sel.astype(index_dtype).reshape(-1)),
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
                    "roughnessFactor": 1.0,
                },
            }
        )
        primitives.append(
            {
                "attributes": attributes,
                "indices": len(accessors) - 1,
                "material": len(materials) - 1,
                "mode": 4,
                "extensions": {"EXT_mesh_features": feature_ext},
            }
        )
    props: dict[str, Any] = {
        "ground_class": {"values": binary.add(rows.ground_class.astype("u1").tobytes())},
        "kind": _string_property(rows.kind, binary),
        "source_id": _string_property(rows.source_id, binary),
    }
    if rows.name.astype(bool).any():  # a buffer view cannot be empty
        props["name"] = _string_property(rows.name, binary)
    gltf: dict[str, Any] = {
        "asset": {"version": "2.0", "generator": GENERATOR},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [node],
        "meshes": [{"primitives": primitives}],
        "materials": materials,
        "accessors": accessors,
        "extensions": {
            "EXT_structural_metadata": {
                "schema": ground_schema(),
                "propertyTables": [
                    {"name": "ground", "class": "ground", "count": len(rows), "properties": props}
                ],
            }
        },
    }
    used += ["EXT_mesh_features", "EXT_structural_metadata"]
    blob = binary.bytes()
    gltf["bufferViews"] = binary.views
    gltf["buffers"] = binary.buffers(blob)
    if meshopt:
        used.append("EXT_meshopt_compression")
        required.append("EXT_meshopt_compression")
    gltf["extensionsUsed"] = used
    if required:
        gltf["extensionsRequired"] = required
    box_min = np.array([decoded_lo[0], -decoded_hi[2], decoded_lo[1]])
    box_max = np.array([decoded_hi[0], -decoded_lo[2], decoded_hi[1]])
    return EncodedTile(
        _glb(gltf, blob), box_min, box_max, len(rows), v, int(mesh.triangles.shape[0])
    )
