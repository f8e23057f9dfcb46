"""The bounded build's index without per-row arrays in memory: the quadtree counted out of
quadrant keys (tiles/index/keyed.py), per-row column files (tiles/rowfiles.py) and duplicate ids
found bucket by bucket (tiles/chunked.py)."""

from __future__ import annotations

import numpy as np
import pytest

from tiles.chunked import duplicate_rows
from tiles.index.keyed import plan_quadtree, quadrant_keys
from tiles.index.quadtree import build_quadtree, root_cell
from tiles.rowfiles import RowFiles


def clustered_points(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    xy = np.concatenate(
        [rng.normal(0.0, 2_000.0, (n // 2, 2)), rng.normal(40_000.0, 15.0, (n - n // 2, 2))]
    )
    xy[: n // 8] = xy[0]  # many buildings on one spot: leaves at MAX_LEVEL
    return xy, rng.integers(5, 3_000, n)


@pytest.mark.parametrize(("n", "step"), [(1, 1), (7, 3), (5_000, 333), (30_000, 4_096)])
def test_keyed_quadtree_is_the_in_memory_quadtree(n, step):
    xy, weight = clustered_points(n, seed=n)
    extent = (xy.min(axis=0) - 3.0, xy.max(axis=0) + 11.0)
    tree = build_quadtree(xy, weight, max_features=50, max_vertices=40_000, extent=extent)

    center, half = root_cell(
        np.minimum(xy.min(axis=0), extent[0]), np.maximum(xy.max(axis=0), extent[1])
    )
    steps = [(a, min(a + step, n)) for a in range(0, n, step)]
    keys = np.concatenate([quadrant_keys(xy[a:b], center, half) for a, b in steps])
    keyed = plan_quadtree(
        lambda: ((keys[a:b], weight[a:b]) for a, b in steps),
        center,
        half,
        max_features=50,
        max_vertices=40_000,
    )
    assert [vars(node) for node in keyed.nodes] == [vars(node) for node in tree.nodes]
    positions = np.concatenate([keyed.positions(keys[a:b]) for a, b in steps])
    # position of each input point in quadtree order = the inverse of the tree's permutation
    assert positions[tree.order].tolist() == list(range(n))


def test_row_files_read_ranges_back_and_drop_a_failed_input(tmp_path):
    rows = RowFiles(tmp_path / "rows", {"box": (np.float64, 4), "flag": (np.bool_, 1)}, step=2)
    rows.append(box=np.arange(12.0).reshape(3, 4), flag=np.array([True, False, True]))
    rows.append(box=np.ones((2, 4)), flag=np.array([False, False]))
    assert len(rows) == 5
    assert rows.read("box", 2, 4).tolist() == [[8.0, 9.0, 10.0, 11.0], [1.0, 1.0, 1.0, 1.0]]
    assert list(rows.steps()) == [(0, 2), (2, 4), (4, 5)]
    rows.truncate(3)
    assert rows.read("flag", 0, 10).tolist() == [True, False, True]
    rows.append(box=np.zeros((1, 4)), flag=np.array([False]))
    assert rows.read("box", 3, 4).tolist() == [[0.0, 0.0, 0.0, 0.0]]
    with pytest.raises(ValueError, match="different lengths"):
        rows.append(box=np.zeros((2, 4)), flag=np.array([True]))


def test_duplicate_hashes_are_found_across_buckets(tmp_path):
    rng = np.random.default_rng(3)
    hashes = rng.integers(0, 2**63, 10_000, dtype=np.int64).astype(np.uint64)
    hashes[[17, 4_000, 9_999]] = hashes[5]  # one id four times, far apart
    hashes[[8_000]] = hashes[123]
    rows = RowFiles(tmp_path / "rows", {"hash": (np.uint64, 1)}, step=700)  # 15 buckets
    for a in range(0, hashes.size, 1_234):
        rows.append(hash=hashes[a : a + 1_234])
    assert duplicate_rows(rows, tmp_path / "buckets").tolist() == [5, 17, 123, 4_000, 8_000, 9_999]
