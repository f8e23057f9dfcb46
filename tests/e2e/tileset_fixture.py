"""A tiny, real 3D Tiles 1.1 tileset for browser tests, written independently of ``tiles/``.

Nine box "buildings" on a grid in central London, one glb with ``EXT_mesh_features``
(per-vertex ``_FEATURE_ID_0``) and ``EXT_structural_metadata`` (one property table with the
properties the tiles pipeline writes). Kept independent so a writer bug cannot hide a viewer
bug: both must agree with the spec, not with each other.
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path

import numpy as np

ORIGIN_LON, ORIGIN_LAT = -0.0877, 51.5155  # near the City of London
WGS84_A = 6_378_137.0
WGS84_E2 = 6.69437999014e-3


def enu_to_ecef(lon_deg: float, lat_deg: float, height: float = 0.0) -> list[float]:
    """Column-major 4x4 from the local east-north-up frame to ECEF (3D Tiles `transform`)."""
    lon, lat = math.radians(lon_deg), math.radians(lat_deg)
    n = WGS84_A / math.sqrt(1 - WGS84_E2 * math.sin(lat) ** 2)
    origin = [
        (n + height) * math.cos(lat) * math.cos(lon),
        (n + height) * math.cos(lat) * math.sin(lon),
        (n * (1 - WGS84_E2) + height) * math.sin(lat),
    ]
    east = [-math.sin(lon), math.cos(lon), 0.0]
    north = [-math.sin(lat) * math.cos(lon), -math.sin(lat) * math.sin(lon), math.cos(lat)]
    up = [math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)]
    return [*east, 0.0, *north, 0.0, *up, 0.0, *origin, 1.0]


def _box(x0: float, y0: float, x1: float, y1: float, h: float):
    """24 vertices (flat normals) and 36 indices of a box in local ENU metres."""
    faces = [  # (normal, 4 corners counter-clockwise seen from outside)
        ((0, 0, 1), [(x0, y0, h), (x1, y0, h), (x1, y1, h), (x0, y1, h)]),
        ((0, -1, 0), [(x0, y0, 0), (x1, y0, 0), (x1, y0, h), (x0, y0, h)]),
        ((1, 0, 0), [(x1, y0, 0), (x1, y1, 0), (x1, y1, h), (x1, y0, h)]),
        ((0, 1, 0), [(x1, y1, 0), (x0, y1, 0), (x0, y1, h), (x1, y1, h)]),
        ((-1, 0, 0), [(x0, y1, 0), (x0, y0, 0), (x0, y0, h), (x0, y1, h)]),
        ((0, 0, -1), [(x0, y1, 0), (x1, y1, 0), (x1, y0, 0), (x0, y0, 0)]),
    ]
    pos, nor, idx = [], [], []
    for normal, corners in faces:
        base = len(pos)
        pos.extend(corners)
        nor.extend([normal] * 4)
        idx.extend([base, base + 1, base + 2, base, base + 2, base + 3])
    return pos, nor, idx


BUILDINGS = [
    {
        "building_id": f"test-{i}",
        "source_id": f"way/{1000 + i}",
        "name": f"Test House {i}",
        "address": f"{i + 1} Test Street",
        "building_type": "office" if i % 2 else "residential",
        "height_m": 12.0 + 6.0 * i,
        "base_height_m": 0.0,
        "levels": 3 + 2 * i,
        "height_source": "levels" if i % 2 else "measured",
        "dataset": "e2e",
    }
    for i in range(9)
]
STRING_PROPS = [
    "building_id",
    "source_id",
    "name",
    "address",
    "building_type",
    "height_source",
    "dataset",
]


def _pad8(b: bytes) -> bytes:
    return b + b"\0" * ((-len(b)) % 8)


def build_glb() -> bytes:
    positions, normals, feature_ids, indices = [], [], [], []
    for i, _ in enumerate(BUILDINGS):
        gx, gy = i % 3, i // 3
        x0, y0 = -60 + gx * 45, -60 + gy * 45
        pos, nor, idx = _box(x0, y0, x0 + 30, y0 + 30, BUILDINGS[i]["height_m"])
        base = len(positions)
        positions.extend(pos)
        normals.extend(nor)
        feature_ids.extend([i] * len(pos))
        indices.extend(base + k for k in idx)
    enu = np.asarray(positions, dtype=np.float32)
    # glTF is y-up: (east, north, up) -> (east, up, -north)
    p = np.stack([enu[:, 0], enu[:, 2], -enu[:, 1]], axis=1).astype(np.float32)
    nn = np.asarray(normals, dtype=np.float32)
    n = np.stack([nn[:, 0], nn[:, 2], -nn[:, 1]], axis=1).astype(np.float32)
    fid = np.asarray(feature_ids, dtype=np.float32)
    ind = np.asarray(indices, dtype=np.uint16)

    blobs: list[bytes] = []
    views: list[dict] = []

    def add(data: bytes, target: int | None = None) -> int:
        offset = sum(len(b) for b in blobs)
        view = {"buffer": 0, "byteOffset": offset, "byteLength": len(data)}
        if target:
            view["target"] = target
        blobs.append(_pad8(data))
        views.append(view)
        return len(views) - 1

    accessors = [
        {
            "bufferView": add(p.tobytes(), 34962),
            "componentType": 5126,
            "count": len(p),
            "type": "VEC3",
            "min": p.min(axis=0).tolist(),
            "max": p.max(axis=0).tolist(),
        },
        {
            "bufferView": add(n.tobytes(), 34962),
            "componentType": 5126,
            "count": len(n),
            "type": "VEC3",
        },
        {
            "bufferView": add(fid.tobytes(), 34962),
            "componentType": 5126,
            "count": len(fid),
            "type": "SCALAR",
        },
        {
            "bufferView": add(ind.tobytes(), 34963),
            "componentType": 5123,
            "count": len(ind),
            "type": "SCALAR",
        },
    ]
    table_props: dict[str, dict] = {}
    for name in STRING_PROPS:
        encoded = [str(b[name]).encode() for b in BUILDINGS]
        offsets = np.cumsum([0] + [len(e) for e in encoded]).astype(np.uint32)
        table_props[name] = {
            "values": add(b"".join(encoded)),
            "stringOffsets": add(offsets.tobytes()),
        }
    for name in ("height_m", "base_height_m"):
        table_props[name] = {
            "values": add(np.asarray([b[name] for b in BUILDINGS], np.float64).tobytes())
        }
    table_props["levels"] = {
        "values": add(np.asarray([b["levels"] for b in BUILDINGS], np.int32).tobytes())
    }

    props_schema = {name: {"type": "STRING"} for name in STRING_PROPS}
    props_schema |= {
        "height_m": {"type": "SCALAR", "componentType": "FLOAT64"},
        "base_height_m": {"type": "SCALAR", "componentType": "FLOAT64"},
        "levels": {"type": "SCALAR", "componentType": "INT32"},
    }
    blob = b"".join(blobs)
    gltf = {
        "asset": {"version": "2.0", "generator": "CivicTwin e2e fixture"},
        "extensionsUsed": ["EXT_mesh_features", "EXT_structural_metadata"],
        "extensions": {
            "EXT_structural_metadata": {
                "schema": {
                    "id": "civictwin_e2e",
                    "classes": {"building": {"properties": props_schema}},
                },
                "propertyTables": [
                    {"class": "building", "count": len(BUILDINGS), "properties": table_props}
                ],
            }
        },
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0}],
        "materials": [
            {
                "pbrMetallicRoughness": {
                    "baseColorFactor": [0.85, 0.83, 0.8, 1],
                    "metallicFactor": 0,
                    "roughnessFactor": 1,
                }
            }
        ],
        "meshes": [
            {
                "primitives": [
                    {
                        "attributes": {"POSITION": 0, "NORMAL": 1, "_FEATURE_ID_0": 2},
                        "indices": 3,
                        "material": 0,
                        "extensions": {
                            "EXT_mesh_features": {
                                "featureIds": [
                                    {
                                        "featureCount": len(BUILDINGS),
                                        "attribute": 0,
                                        "propertyTable": 0,
                                    }
                                ]
                            }
                        },
                    }
                ]
            }
        ],
        "accessors": accessors,
        "bufferViews": views,
        "buffers": [{"byteLength": len(blob)}],
    }
    js = json.dumps(gltf, separators=(",", ":")).encode()
    js += b" " * ((-len(js)) % 4)
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


def write_tileset(out_dir: Path) -> Path:
    """Write `tileset.json` + `buildings.glb` into `out_dir`; returns the tileset path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "buildings.glb").write_bytes(build_glb())
    top = max(b["height_m"] for b in BUILDINGS)
    tileset = {
        "asset": {"version": "1.1"},
        "geometricError": 200,
        "root": {
            "transform": enu_to_ecef(ORIGIN_LON, ORIGIN_LAT),
            "boundingVolume": {"box": [0, 0, top / 2, 65, 0, 0, 0, 65, 0, 0, 0, top / 2]},
            "geometricError": 0,
            "refine": "ADD",
            "content": {"uri": "buildings.glb"},
        },
    }
    path = out_dir / "tileset.json"
    path.write_text(json.dumps(tileset, indent=1))
    return path
