"""3D Tiles 1.0 content: the glb wrapped as Batched 3D Model through py3dtiles' container.

py3dtiles writes the b3dm header, the feature table (``BATCH_LENGTH``) and a JSON batch table;
the glb inside is ours (``_BATCHID`` per vertex). The result is checked here, because the
container must carry a correct feature table for legacy viewers.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import pygltflib
from py3dtiles.tileset.content.b3dm import B3dm
from py3dtiles.tileset.content.b3dm_feature_table import B3dmFeatureTable
from py3dtiles.tileset.content.batch_table import BatchTable

from tiles.errors import TilingError

HEADER = struct.Struct("<4sIIIIII")


def wrap_b3dm(glb: bytes, batch: dict[str, list[Any]], batch_length: int) -> bytes:
    """Wrap ``glb`` and a JSON batch table of ``batch_length`` rows into b3dm bytes."""
    gltf = pygltflib.GLTF2.load_from_bytes(glb)
    feature_table = B3dmFeatureTable()
    feature_table.set_batch_length(batch_length)
    batch_table = BatchTable()
    for key, values in batch.items():
        batch_table.add_property_as_json(key, values)
    data = B3dm.from_gltf(gltf, batch_table if batch else None, feature_table).to_array().tobytes()
    check_b3dm(data, batch_length)
    return data


def check_b3dm(data: bytes, batch_length: int) -> dict[str, Any]:
    """Parse a b3dm header and feature table; raise if lengths or ``BATCH_LENGTH`` are wrong."""
    magic, version, total, ft_json, ft_bin, bt_json, bt_bin = HEADER.unpack_from(data)
    if magic != b"b3dm" or version != 1 or total != len(data):
        raise TilingError(f"b3dm header is wrong: {magic!r} v{version} {total} != {len(data)}")
    ft = json.loads(data[28 : 28 + ft_json].decode("utf-8").rstrip(" \0"))
    if ft.get("BATCH_LENGTH") != batch_length:
        raise TilingError(f"b3dm BATCH_LENGTH {ft.get('BATCH_LENGTH')} != {batch_length}")
    glb_start = 28 + ft_json + ft_bin + bt_json + bt_bin
    if glb_start % 8 or data[glb_start : glb_start + 4] != b"glTF":
        raise TilingError("b3dm: the glb does not start on an 8-byte boundary")
    return ft
