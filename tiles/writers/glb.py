"""glb content: one mesh per tile, a primitive per surface class, feature ids and metadata.

Follows glTF 2.0 and, for 3D Tiles 1.1 content, ``EXT_mesh_features`` (``_FEATURE_ID_0``
per vertex) and ``EXT_structural_metadata`` (one binary property table per tile). With
``quantize`` positions are uint16 and normals int8 under ``KHR_mesh_quantization``, the node's
translation and uniform scale restoring metres. glTF is y-up: a local (east, north, up) vertex is
written as (east, up, -north), which the 3D Tiles runtime turns back into z-up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tiles.geometry.mesh import TileMesh
from tiles.model import FeatureTable, HeightSource, Surface
from tiles.writers.gltf import MAX_QUANTIZATION_ERROR_M, GlbBuilder, material

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
class EncodedTile:
    """glb bytes and the axis-aligned box (local ENU, metres) of the decoded vertices."""

    data: bytes
    box_min: NDArray[np.float64]
    box_max: NDArray[np.float64]
    features: int
    vertices: int
    triangles: int
    batch_table: dict[str, Any] | None = None


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


def _property_table(rows: FeatureTable, out: GlbBuilder) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for key in ("building_id", "source_id", "building_type", "name", "address"):
        column = getattr(rows, key)
        if key in OPTIONAL_STRINGS and not column.astype(bool).any():
            continue  # a buffer view cannot be empty: an all-empty optional column is omitted
        props[key] = out.string_property(column)
    props["height_m"] = {"values": out.add_bytes(rows.height_m.astype("<f4").tobytes())}
    props["base_height_m"] = {"values": out.add_bytes(rows.base_height_m.astype("<f4").tobytes())}
    levels = np.where(np.isnan(rows.levels), LEVELS_NO_DATA, rows.levels).astype("<f4")
    props["levels"] = {"values": out.add_bytes(levels.tobytes())}
    props["height_source"] = {"values": out.add_bytes(rows.height_source.astype("u1").tobytes())}
    props["dataset"] = {"values": out.add_bytes(rows.dataset.astype("<u2").tobytes())}
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
    max_error_m: float = MAX_QUANTIZATION_ERROR_M,
) -> EncodedTile:
    """Encode one tile's mesh and its feature rows as a glb.

    ``rows`` are the property-table rows; vertex feature ids index them (``-1``: no feature).
    With ``legacy_batch_id`` the ids go to ``_BATCHID`` for a 3D Tiles 1.0 b3dm instead of the
    1.1 extensions. ``max_error_m``: how far quantizing may move a vertex (else float positions).
    """
    v = mesh.vertex_count
    if v == 0:
        raise ValueError("a tile needs at least one vertex")
    out = GlbBuilder(meshopt=meshopt)
    out.add_vertices(mesh.positions, mesh.normals, quantize=quantize, max_error_m=max_error_m)

    n_features = len(rows)
    has_null = bool((mesh.feature_ids < 0).any())
    null_id = n_features
    attributes: dict[str, int] = {"POSITION": 0, "NORMAL": 1}
    feature_ext: dict[str, Any] | None = None
    if n_features:
        fids = np.where(mesh.feature_ids < 0, null_id, mesh.feature_ids).astype("<f4")
        fid = out.add_scalar_attribute(fids)
        if legacy_batch_id:
            attributes["_BATCHID"] = fid
        else:
            attributes["_FEATURE_ID_0"] = fid
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
    prim_ext = {"EXT_mesh_features": feature_ext} if feature_ext is not None else None
    for cls in Surface:
        sel = tris[surf == cls]
        if sel.shape[0] == 0:
            continue
        name, color = MATERIALS[cls]
        out.add_primitive(sel, attributes, material(name, color, 0.9), prim_ext)

    extensions = used = None
    if feature_ext is not None:
        used = ["EXT_mesh_features", "EXT_structural_metadata"]
        extensions = {
            "EXT_structural_metadata": {
                "schema": metadata_schema(datasets),
                "propertyTables": [_property_table(rows, out)],
            }
        }
    data, box_min, box_max = out.finish(extensions, used)
    return EncodedTile(data, box_min, box_max, n_features, v, int(mesh.triangles.shape[0]))
