"""Quantized positions stay within a centimetre of the data, however wide the content."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.tiles.conftest import CITYJSON, validate_glbs
from tests.tiles.gltf_reader import check_tileset, decode_content, iter_tiles, load_tileset
from tiles.pipeline import BuildOptions, run

LONDON = Path(__file__).resolve().parents[2] / "data" / "london-city" / "london.osm.pbf"


def _leaves(folder: Path) -> list[str]:
    ts = load_tileset(folder)
    return [
        t["content"]["uri"]
        for t, _p, _d in iter_tiles(ts["root"])
        if "content" in t and not t.get("children")
    ]


def _quantized(path: Path) -> bool:
    """Whether the content's positions are uint16 (else float32)."""
    doc = decode_content(path).glb.doc
    position = doc["meshes"][0]["primitives"][0]["attributes"]["POSITION"]
    return doc["accessors"][position]["componentType"] == 5123


SOURCES = [CITYJSON / "zurich-lod2.city.json", LONDON]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_no_leaf_vertex_moves_more_than_a_centimetre(tmp_path, source):
    """Zurich's 161 buildings spread over 10 km in one leaf, whose uint16 steps would be 15 cm:
    that leaf is written with float positions; London's leaves (a few hundred metres) stay
    quantized.
    Each vertex is compared with the same build written with float positions and no meshopt."""
    exact = run([source], tmp_path / "exact", BuildOptions(name="c", quantize=False, meshopt=False))
    packed = run([source], tmp_path / "packed", BuildOptions(name="c"))
    assert check_tileset(packed.tileset_dir) == []
    assert validate_glbs(packed.tileset_dir)["errors"] == 0
    leaves = _leaves(exact.tileset_dir)
    assert leaves and leaves == _leaves(packed.tileset_dir)
    worst = 0.0
    quantized = []
    for uri in leaves:
        a = decode_content(exact.tileset_dir / uri)
        b = decode_content(packed.tileset_dir / uri)
        assert a.positions.shape == b.positions.shape, uri
        worst = max(worst, float(np.abs(a.positions - b.positions).max()))
        quantized.append(_quantized(packed.tileset_dir / uri))
    assert worst <= 0.01
    if source == LONDON:
        assert all(quantized)  # small leaves keep their 8-byte positions
    else:
        assert not any(quantized)  # one 10 km leaf: float positions (and int8 normals)
