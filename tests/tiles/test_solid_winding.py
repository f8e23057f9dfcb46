"""CityJSON shells are oriented as a whole: no face wound against its neighbours (issue 12)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.tiles.conftest import CITYJSON
from tests.tiles.gltf_reader import decode_content, iter_tiles, load_tileset
from tiles.pipeline import BuildOptions, run
from tiles.readers import ReadOptions
from tiles.readers.cityjson import read_cityjson


def _twice_same_way(folder):
    """Per building id: directed edges (to the millimetre) used twice in the same direction."""
    out: dict[str, int] = {}
    ts = load_tileset(folder)
    for t, _p, _d in iter_tiles(ts["root"]):
        if "content" not in t:
            continue
        c = decode_content(folder / t["content"]["uri"])
        key = np.round(c.positions.astype(np.float64) * 1000).astype(np.int64)
        tris = np.concatenate(list(c.triangles_by_material.values()))
        fid = c.feature_ids.astype(int)[tris[:, 0]]
        for f in np.unique(fid):
            t3 = tris[fid == f]
            e = np.concatenate([t3[:, [0, 1]], t3[:, [1, 2]], t3[:, [2, 0]]])
            a, b = key[e[:, 0]], key[e[:, 1]]
            rows = np.concatenate([a, b], axis=1)[(a != b).any(axis=1)]
            _u, n = np.unique(rows, axis=0, return_counts=True)
            if (n > 1).any():
                out[str(c.table["building_id"][f])] = int((n > 1).sum())
    return out


# Zürich's source has a few surfaces wound against a neighbour on one edge only (folded or
# touching its shell at T-junctions); no orientation of whole surfaces can fix those
SAMPLES = [
    ("delft.city.json", None, 0),
    ("denhaag-subset.city.json", "EPSG:7415", 0),
    ("rotterdam-subset.city.json", "EPSG:7415", 0),
    ("zurich-lod2.city.json", None, 7),
]


@pytest.mark.parametrize(("name", "crs", "most"), SAMPLES)
def test_no_face_is_wound_against_its_neighbours(tmp_path, name, crs, most):
    # unquantized, so that distinct vertices are not merged by the quantization grid
    result = run([CITYJSON / name], tmp_path, BuildOptions(src_crs=crs, quantize=False))
    bad = _twice_same_way(result.tileset_dir)
    assert len(bad) <= most, sorted(bad.items())[:10]


def _l_building(reverse: bool) -> dict:
    """A closed L-shaped prism wound outward (or all inward): the notch's walls face the
    centroid of the building while pointing outward."""
    plan = [(0, 0), (30, 0), (30, 10), (10, 10), (10, 30), (0, 30)]
    n = len(plan)
    verts = [[x, y, 0] for x, y in plan] + [[x, y, 12] for x, y in plan]
    ground = [list(range(n - 1, -1, -1))]  # seen from below: clockwise from above
    roof = [list(range(n, 2 * n))]
    walls = [[[i, (i + 1) % n, n + (i + 1) % n, n + i]] for i in range(n)]
    faces = [ground, roof, *walls]
    if reverse:
        faces = [[ring[::-1] for ring in f] for f in faces]
    sem = [0, 1] + [2] * n
    return {
        "type": "CityJSON",
        "version": "2.0",
        "transform": {"scale": [1, 1, 1], "translate": [85000, 446000, 0]},
        "metadata": {"referenceSystem": "https://www.opengis.net/def/crs/EPSG/0/7415"},
        "CityObjects": {
            "L": {
                "type": "Building",
                "geometry": [
                    {
                        "type": "Solid",
                        "lod": "2",
                        "boundaries": [faces],
                        "semantics": {
                            "surfaces": [
                                {"type": "GroundSurface"},
                                {"type": "RoofSurface"},
                                {"type": "WallSurface"},
                            ],
                            "values": [sem],
                        },
                    }
                ],
            }
        },
        "vertices": verts,
    }


@pytest.mark.parametrize("reverse", [False, True])
def test_walls_of_an_l_shaped_notch_point_outward(tmp_path, reverse):
    src = tmp_path / "l.city.json"
    src.write_text(json.dumps(_l_building(reverse)))
    result = run([src], tmp_path / "out", BuildOptions(quantize=False))
    assert _twice_same_way(result.tileset_dir) == {}
    ts = load_tileset(result.tileset_dir)
    tile = next(t for t, _p, _d in iter_tiles(ts["root"]) if "content" in t)
    c = decode_content(result.tileset_dir / tile["content"]["uri"])
    p = c.positions.astype(np.float64)
    t = np.concatenate(list(c.triangles_by_material.values()))
    normal = np.cross(p[t[:, 1]] - p[t[:, 0]], p[t[:, 2]] - p[t[:, 0]])
    # signed volume of the closed mesh: positive when every face points outward
    volume = float(np.einsum("ij,ij->i", p[t[:, 0]], normal).sum()) / 6
    assert volume == pytest.approx(30 * 30 * 12 - 20 * 20 * 12, rel=0.01)


def test_negative_vertex_index_skips_the_building_with_a_reason(tmp_path):
    doc = _l_building(False)
    good = json.loads(json.dumps(doc["CityObjects"]["L"]))
    doc["CityObjects"]["M"] = good
    doc["CityObjects"]["L"]["geometry"][0]["boundaries"][0][2][0][1] = -3
    src = tmp_path / "neg.city.json"
    src.write_text(json.dumps(doc))
    data = read_cityjson(src, ReadOptions())
    assert list(data.source_id) == ["M"]
    assert [(s.feature, s.reason) for s in data.skipped] == [
        ("L", "broken geometry (negative vertex index -3)")
    ]
