"""Run the work units in local forked processes (the default on a multi-core Linux machine).

Forked workers inherit the partitioned table from the driver (no pickling of geometries) and
write their tiles' files themselves, returning only the small per-tile records; the driver
meanwhile writes ``buildings.fgb``, so the two cores of a small machine are both busy.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tiles.build import ContentOptions, UnitResult, build_unit
from tiles.types import PartitionResult
from tiles.writers.b3dm import wrap_b3dm
from tiles.writers.tileset import ContentInfo

# below this many buildings a pool costs more (fork, start-up) than it saves
MIN_PARALLEL_BUILDINGS = 20_000
# from this many buildings on, each unit runs in a fresh fork (bounds the workers' memory)
FRESH_FORK_ROWS = 200_000


@dataclass
class UnitFiles:
    """What a unit wrote: a record per tile, and the seconds spent meshing and encoding."""

    contents: dict[str, ContentInfo] = field(default_factory=dict)
    mesh_s: float = 0.0
    encode_s: float = 0.0
    write_s: float = 0.0


def default_jobs() -> int:
    """Two processes where fork and two cores exist: measured faster end to end (see
    docs/benchmarks.md); more helps little because reading and tileset.json are serial."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def write_unit(
    part: PartitionResult,
    k: int,
    datasets: list[str],
    copts: ContentOptions,
    tmp: Path,
    uri_of: Callable[[str], str],
) -> UnitFiles:
    """Mesh, encode and write unit ``k`` of a partition."""
    res = build_unit(part.unit_table(k), part.units[k], part.frame, datasets, copts)
    return write_tiles(res, copts, tmp, uri_of)


def write_tiles(
    res: UnitResult, copts: ContentOptions, tmp: Path, uri_of: Callable[[str], str]
) -> UnitFiles:
    """Write the encoded tiles of a unit under ``tmp`` and return their records."""
    t0 = time.perf_counter()
    out = UnitFiles(mesh_s=res.mesh_s, encode_s=res.encode_s)
    folders: set[Path] = set()
    for key, tile in res.tiles.items():
        uri = uri_of(key)
        data = tile.data
        if copts.legacy_b3dm:
            data = wrap_b3dm(tile.data, tile.batch_table or {}, tile.features)
        path = tmp / uri
        if path.parent not in folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            folders.add(path.parent)
        path.write_bytes(data)
        out.contents[key] = ContentInfo(
            uri, tile.box_min, tile.box_max, tile.features, tile.vertices, tile.triangles, len(data)
        )
    out.write_s = time.perf_counter() - t0
    return out


UriOf = Callable[[str], str]
# what forked workers inherit: the partition and how to write its units
_STATE: tuple[PartitionResult, list[str], ContentOptions, Path, UriOf] | None = None


def _forked_unit(k: int) -> UnitFiles:
    assert _STATE is not None, "the worker was not forked from run_forked"
    part, datasets, copts, tmp, uri_of = _STATE
    return write_unit(part, k, datasets, copts, tmp, uri_of)


def run_forked(
    part: PartitionResult,
    datasets: list[str],
    copts: ContentOptions,
    tmp: Path,
    uri_of: Callable[[str], str],
    jobs: int,
    meanwhile: Callable[[], None] | None = None,
) -> Iterator[UnitFiles]:
    """Yield every unit's files, computed by ``jobs`` forked processes, largest units first;
    ``meanwhile`` runs in the driver while they work."""
    global _STATE
    sizes = [b - a for a, b in part.unit_ranges]
    order = sorted(range(len(part.units)), key=lambda k: -sizes[k])
    _STATE = (part, datasets, copts, tmp, uri_of)
    # the workers' garbage collector would write to every tracked object it inherited, turning
    # the shared copy-on-write pages of the whole table into private copies; freeze them
    gc.collect()
    gc.freeze()
    try:
        ctx = multiprocessing.get_context("fork")
        # a large table: a fresh fork per unit, since a long-lived worker would, unit after
        # unit, touch (and so privately copy) the pages of the whole inherited table; a small
        # one: long-lived workers (the extra forks cost about 1 s of CPU at 54k buildings)
        # (a bounded build's workers inherit no table: each loads its unit from disk)
        fresh = 1 if not part.bounded and part.rows >= FRESH_FORK_ROWS else None
        with ctx.Pool(jobs, maxtasksperchild=fresh) as pool:
            results = pool.imap_unordered(_forked_unit, order)
            if meanwhile is not None:
                meanwhile()
            yield from results
    finally:
        _STATE = None
        gc.unfreeze()
