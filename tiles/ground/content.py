"""glb content of a ground tile: one primitive (and material) per ground class, feature ids and
an ``EXT_structural_metadata`` property table with class, kind, name and source id.

Built with the glb builders the buildings use (:mod:`tiles.writers.gltf`: vertices, primitives,
the binary chunk with meshopt compression, string columns, the GLB container); only the feature
ids, materials and schema are the ground's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tiles.ground.classes import MATERIALS, GroundClass
from tiles.writers.glb import EncodedTile
from tiles.writers.gltf import MAX_QUANTIZATION_ERROR_M, GlbBuilder, material


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


def encode_ground_glb(
    mesh: GroundMesh,
    rows: GroundRows,
    *,
    quantize: bool = True,
    meshopt: bool = False,
    max_error_m: float = MAX_QUANTIZATION_ERROR_M,
) -> EncodedTile:
    """Encode one ground tile (glTF 2.0 + EXT_mesh_features + EXT_structural_metadata);
    ``max_error_m``: how far quantizing may move a vertex (else float positions)."""
    v = int(mesh.positions.shape[0])
    if v == 0 or not len(rows):
        raise ValueError("a ground tile needs at least one vertex and one feature")
    out = GlbBuilder(meshopt=meshopt)
    out.add_vertices(mesh.positions, mesh.normals, quantize=quantize, max_error_m=max_error_m)
    fid = out.add_scalar_attribute(mesh.feature_ids.astype("<f4"))
    attributes = {"POSITION": 0, "NORMAL": 1, "_FEATURE_ID_0": fid}
    feature_ext = {
        "featureIds": [
            {
                "featureCount": int(np.unique(mesh.feature_ids).size),
                "attribute": 0,
                "propertyTable": 0,
            }
        ]
    }
    for cls in GroundClass:
        sel = mesh.triangles[mesh.ground_class == cls]
        if sel.shape[0] == 0:
            continue
        name, color = MATERIALS[cls]
        out.add_primitive(
            sel, attributes, material(name, color, 1.0), {"EXT_mesh_features": feature_ext}
        )
    props: dict[str, Any] = {
        "ground_class": {"values": out.add_bytes(rows.ground_class.astype("u1").tobytes())},
        "kind": out.string_property(rows.kind),
        "source_id": out.string_property(rows.source_id),
    }
    if rows.name.astype(bool).any():  # a buffer view cannot be empty
        props["name"] = out.string_property(rows.name)
    table = {"name": "ground", "class": "ground", "count": len(rows), "properties": props}
    extensions = {"EXT_structural_metadata": {"schema": ground_schema(), "propertyTables": [table]}}
    data, box_min, box_max = out.finish(
        extensions, ["EXT_mesh_features", "EXT_structural_metadata"]
    )
    return EncodedTile(data, box_min, box_max, len(rows), v, int(mesh.triangles.shape[0]))
