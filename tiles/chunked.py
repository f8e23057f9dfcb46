"""Bounded-memory builds: the same stages as :mod:`tiles.pipeline`, never the whole table at once.

1. *scan*: each input is read ``chunk_rows`` features at a time; heights are resolved per chunk
   and the chunk's rows are spilled (footprints as WKB) to a file in the build's spill folder.
   Only a few numbers per building stay in memory: its bounding box, vertex weight, a 64-bit hash
   of its id, whether it is a MultiPolygon, and for ``building:part``s their inner point.
2. *resolve*: what needs more than one row -- linking parts to outlines and dropping duplicate
   ids -- runs on those numbers; the few rows it must see (the parts, the outlines whose box holds
   a part's point, rows whose id hash is not unique) are fetched back from the spill files.
3. *partition*: the quadtree is built from the boxes and weights alone (the same code as the
   in-memory build, so the same tree).
4. *distribute*: one more pass over the spill files appends each row to the file of its work
   unit (a row under a coarse tile also goes to that tile's unit), with the links applied.
5. each unit then loads only its own rows (forked workers and Dask alike), and
   ``buildings.fgb`` is streamed unit after unit.

Peak memory is then about one chunk or one unit of rows plus ~100 B per building of index arrays,
instead of the whole table. The result is the same as the in-memory build's, file for file.
"""

from __future__ import annotations

import logging
import pickle
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from tiles.errors import TilingError
from tiles.heights import HeightOptions, heights_without_links, link_parts
from tiles.model import FeatureTable, Skip
from tiles.readers import ReadOptions, iter_source

log = logging.getLogger(__name__)

ROWS_PER_STEP = 200_000  # rows per vectorised step over the index arrays (bounds temporaries)


@dataclass
class SpillChunk:
    """One spilled chunk: rows ``start .. start + rows`` of the scan, in ``path``."""

    path: Path
    start: int
    rows: int


@dataclass
class ScannedSource:
    path: Path
    dataset: str
    crs: str
    start: int
    stop: int
    features: int  # as read (before height checks)
    part_rows: NDArray[np.int64]  # scan rows of its building:parts
    part_points: NDArray[np.object_]  # their point_on_surface


@dataclass
class ScanResult:
    """What the scan keeps in memory: a few arrays per building, aligned by scan row."""

    chunks: list[SpillChunk]
    sources: list[ScannedSource]
    bounds: NDArray[np.float64]  # (n, 4) lon/lat
    weight: NDArray[np.int64]  # estimated vertices of what is drawn
    id_hash: NDArray[np.uint64]
    multi: NDArray[np.bool_]
    read_skipped: list[Skip] = field(default_factory=list)
    height_skipped: list[Skip] = field(default_factory=list)
    read_s: float = 0.0
    heights_s: float = 0.0

    def __len__(self) -> int:
        return int(self.weight.shape[0])


@dataclass
class Resolved:
    """Per-row decisions taken on the whole input (scan rows -> value)."""

    keep: NDArray[np.bool_]
    parent_id: dict[int, str]
    undrawn: set[int]
    draw_footprint: dict[int, bytes]  # WKB of the remainder an outline is drawn as
    skipped: list[Skip]  # duplicate ids, in row order
    seconds: float = 0.0


def _spill(path: Path, value: Any) -> None:
    with path.open("ab") as fh:
        pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)


def _unspill(path: Path) -> Iterator[Any]:
    if not path.exists():
        return
    with path.open("rb") as fh:
        while True:
            try:
                yield pickle.load(fh)  # noqa: S301 (our own spill file)
            except EOFError:
                return


def draw_weight(table: FeatureTable) -> NDArray[np.int64]:
    """The quadtree's estimate of a row's vertex count (what the in-memory partition uses)."""
    geoms = table.geometry_to_draw
    if table.compact:
        geoms = shapely.from_wkb(geoms)
    weight = shapely.get_num_coordinates(geoms).astype(np.int64) * 5
    if table.solid is not None:
        weight = np.array(
            [
                s.vertex_count if s is not None else w
                for s, w in zip(table.solid, weight, strict=True)
            ],
            np.int64,
        )
    return weight


def id_hashes(ids: NDArray[np.object_]) -> NDArray[np.uint64]:
    return np.asarray(pd.util.hash_array(ids.astype(object), categorize=False), dtype=np.uint64)


def scan(
    paths: list[Path],
    read_options: ReadOptions,
    heights: HeightOptions,
    datasets: list[str],
    spill: Path,
    chunk_rows: int,
) -> ScanResult:
    """Read, resolve heights and spill every input chunk by chunk; ``datasets`` is filled with
    the dataset names of the inputs that could be read, in order."""
    chunks: list[SpillChunk] = []
    sources: list[ScannedSource] = []
    arrays: dict[str, list[NDArray[Any]]] = {k: [] for k in ("bounds", "weight", "hash", "multi")}
    read_skipped: list[Skip] = []
    height_skipped: list[Skip] = []
    row = 0
    read_s = heights_s = 0.0
    for path in paths:
        # a file that fails half-way is skipped whole, as the in-memory read does
        f_chunks: list[SpillChunk] = []
        f_arrays: dict[str, list[NDArray[Any]]] = {k: [] for k in arrays}
        f_read: list[Skip] = []
        f_heights: list[Skip] = []
        f_parts: list[NDArray[np.int64]] = []
        f_points: list[NDArray[np.object_]] = []
        f_row = row
        f_features = 0
        new_dataset = False
        meta: tuple[str, str] = ("", "")
        try:
            t0 = time.perf_counter()
            for src in iter_source(path, read_options, chunk_rows):
                t1 = time.perf_counter()
                read_s += t1 - t0
                if src.dataset not in datasets:
                    datasets.append(src.dataset)
                    new_dataset = True
                f_read.extend(src.skipped)
                meta = (src.dataset, src.crs)
                f_features += len(src)
                table, sk, is_part = heights_without_links(
                    src, heights, datasets.index(src.dataset)
                )
                f_heights.extend(sk)
                del src
                geoms = table.footprint
                f_arrays["bounds"].append(shapely.bounds(geoms))
                f_arrays["weight"].append(draw_weight(table))
                f_arrays["hash"].append(id_hashes(table.building_id))
                f_arrays["multi"].append(shapely.get_type_id(geoms) == 6)
                if is_part.any():
                    f_parts.append(f_row + np.flatnonzero(is_part))
                    f_points.append(shapely.point_on_surface(geoms[is_part]))
                del geoms
                table = table.compacted()
                file = spill / f"chunk-{len(chunks) + len(f_chunks):05d}.pkl"
                _spill(file, table)
                f_chunks.append(SpillChunk(file, f_row, len(table)))
                f_row += len(table)
                t0 = time.perf_counter()
                heights_s += t0 - t1
        except TilingError as exc:
            log.error("%s", exc)
            read_skipped.append(Skip(str(path), "*", str(exc)))
            if new_dataset:
                datasets.pop()
            continue
        if not f_chunks:
            continue
        read_skipped.extend(f_read)
        height_skipped.extend(f_heights)
        chunks.extend(f_chunks)
        for k, v in f_arrays.items():
            arrays[k].extend(v)
        sources.append(
            ScannedSource(
                path,
                meta[0],
                meta[1],
                row,
                f_row,
                f_features,
                np.concatenate(f_parts) if f_parts else np.zeros(0, np.int64),
                np.concatenate(f_points) if f_points else np.zeros(0, object),
            )
        )
        row = f_row

    def cat(name: str, shape: tuple[int, ...], dtype: Any) -> NDArray[Any]:
        return np.concatenate(arrays[name]) if arrays[name] else np.zeros(shape, dtype)

    return ScanResult(
        chunks,
        sources,
        cat("bounds", (0, 4), np.float64),
        cat("weight", (0,), np.int64),
        cat("hash", (0,), np.uint64),
        cat("multi", (0,), bool),
        read_skipped,
        height_skipped,
        read_s,
        heights_s,
    )


def _load_chunk(chunk: SpillChunk) -> FeatureTable:
    table: FeatureTable = next(_unspill(chunk.path))
    return table


def _fetch(scan: ScanResult, rows: NDArray[np.int64]) -> FeatureTable:
    """The spilled rows ``rows`` (sorted scan rows), read back chunk by chunk."""
    starts = np.array([c.start for c in scan.chunks], np.int64)
    which = np.searchsorted(starts, rows, side="right") - 1
    parts = []
    for k in np.unique(which):
        chunk = scan.chunks[int(k)]
        parts.append(_load_chunk(chunk).take(rows[which == k] - chunk.start))
    return FeatureTable.concat(parts)


def resolve(scan: ScanResult, datasets: list[str]) -> Resolved:
    """Link parts to outlines within each source and drop duplicate ids, as
    :func:`tiles.heights.resolve_heights` and the in-memory heights stage do."""
    t0 = time.perf_counter()
    n = len(scan)
    jobs: list[tuple[NDArray[np.int64], NDArray[np.int64]]] = []
    for src in scan.sources:
        parts = src.part_rows
        if parts.size == 0 or parts.size == src.stop - src.start:
            continue
        tree = shapely.STRtree(src.part_points)
        is_part = np.zeros(src.stop - src.start, dtype=bool)
        is_part[parts - src.start] = True
        found = []
        for a in range(src.start, src.stop, ROWS_PER_STEP):
            b = min(a + ROWS_PER_STEP, src.stop)
            outlines = np.arange(a, b)[~is_part[a - src.start : b - src.start]]
            # an outline can hold a part's point only if its box does (boxes touch inclusively)
            hit = tree.query(shapely.box(*scan.bounds[outlines].T))[0]
            found.append(outlines[np.unique(hit)])
        jobs.append((parts, np.concatenate(found)))
    _, inverse, counts = np.unique(scan.id_hash, return_inverse=True, return_counts=True)
    dup_rows = np.flatnonzero(counts[inverse] > 1)
    del inverse, counts
    need = np.unique(np.concatenate([dup_rows, *[np.r_[p, o] for p, o in jobs]]))
    fetched = _fetch(scan, need) if need.size else None

    res = Resolved(np.ones(n, dtype=bool), {}, set(), {}, [])
    for parts, outlines in jobs:
        assert fetched is not None
        rows = np.sort(np.r_[parts, outlines])
        at = np.searchsorted(need, rows)
        footprint = shapely.from_wkb(fetched.footprint[at])
        links = link_parts(footprint, fetched.building_id[at], np.isin(rows, parts))
        if links is None:
            continue
        for i in np.flatnonzero(links.parent_id != None):  # noqa: E711 (element-wise)
            res.parent_id[int(rows[i])] = str(links.parent_id[i])
        res.undrawn.update(int(r) for r in rows[~links.drawn])
        for i in np.flatnonzero(links.draw_footprint != None):  # noqa: E711
            draw = links.draw_footprint[i]
            res.draw_footprint[int(rows[i])] = shapely.to_wkb(draw)
            scan.weight[rows[i]] = shapely.get_num_coordinates(draw) * 5

    if dup_rows.size:
        assert fetched is not None
        at = np.searchsorted(need, dup_rows)
        ids = fetched.building_id[at].astype(str)
        _, first = np.unique(ids, return_index=True)
        dup = np.ones(dup_rows.size, dtype=bool)
        dup[first] = False
        paths = {s.dataset: s.path for s in scan.sources}
        for i in np.flatnonzero(dup):
            path = paths[datasets[int(fetched.dataset[at[i]])]]
            res.skipped.append(Skip(str(path), str(fetched.source_id[at[i]]), "duplicate id"))
        res.keep[dup_rows[dup]] = False
    res.seconds = time.perf_counter() - t0
    return res


@dataclass
class Summary:
    """Counts of the built table, for the build report."""

    buildings: int = 0
    drawn: int = 0
    parts: int = 0
    height_sources: Counter[int] = field(default_factory=Counter)

    def add(self, table: FeatureTable) -> None:
        self.buildings += len(table)
        self.drawn += int(table.drawn.sum())
        self.parts += int((table.parent_id != "").sum())
        self.height_sources.update(table.height_source.tolist())


@dataclass
class UnitStore:
    """Each work unit's rows, spilled by :func:`distribute`; ``table(k)`` loads unit ``k``."""

    folder: Path
    ranges: list[tuple[int, int]]
    multi: bool = False  # some footprint is a MultiPolygon

    def path(self, k: int) -> Path:
        return self.folder / f"unit-{k:05d}.pkl"

    def table(self, k: int) -> FeatureTable:
        segments = list(_unspill(self.path(k)))
        positions = np.concatenate([p for p, _ in segments])
        table = FeatureTable.concat([t for _, t in segments])
        order = np.argsort(positions, kind="stable")
        a, b = self.ranges[k]
        if not np.array_equal(positions[order], np.arange(a, b)):
            raise TilingError(f"work unit {k}: spilled rows do not cover {a}..{b}")
        return table.take(order)


def distribute(
    scan: ScanResult,
    resolved: Resolved,
    final_rows: NDArray[np.int64],
    ranges: list[tuple[int, int]],
    subtree_units: int,
    folder: Path,
) -> tuple[UnitStore, Summary]:
    """Append every kept row, links applied, to the spill file of its unit(s); ``final_rows``
    are the kept scan rows in quadtree order. The first ``subtree_units`` ranges tile the rows
    in order; the others (coarse tiles) overlap them."""
    folder.mkdir(parents=True, exist_ok=True)
    store = UnitStore(folder, ranges, bool(scan.multi[final_rows].any()))
    position = np.full(len(scan), -1, dtype=np.int64)
    position[final_rows] = np.arange(final_rows.size)
    starts = np.array([a for a, _ in ranges[:subtree_units]], np.int64)
    summary = Summary()
    overrides = {
        "parent": np.array(sorted(resolved.parent_id), np.int64),
        "undrawn": np.array(sorted(resolved.undrawn), np.int64),
        "draw": np.array(sorted(resolved.draw_footprint), np.int64),
    }

    def in_chunk(key: str, chunk: SpillChunk) -> NDArray[np.int64]:
        rows = overrides[key]
        lo, hi = np.searchsorted(rows, [chunk.start, chunk.start + chunk.rows])
        return rows[lo:hi]

    for chunk in scan.chunks:
        table = _load_chunk(chunk)
        for r in in_chunk("parent", chunk):
            table.parent_id[r - chunk.start] = resolved.parent_id[int(r)]
        table.drawn[in_chunk("undrawn", chunk) - chunk.start] = False
        redraw = in_chunk("draw", chunk)
        if redraw.size:
            if table.draw_footprint is None:
                table.draw_footprint = table.footprint.copy()
            for r in redraw:
                table.draw_footprint[r - chunk.start] = resolved.draw_footprint[int(r)]
        pos = position[chunk.start : chunk.start + chunk.rows]
        kept = np.flatnonzero(pos >= 0)
        summary.add(table.take(kept))
        unit = np.searchsorted(starts, pos[kept], side="right") - 1
        by_unit = np.argsort(unit, kind="stable")
        bounds = np.searchsorted(unit[by_unit], np.arange(subtree_units + 1))
        for k in range(subtree_units):
            rows = kept[by_unit[bounds[k] : bounds[k + 1]]]
            if rows.size:
                _spill(store.path(k), (pos[rows], table.take(rows)))
        for k in range(subtree_units, len(ranges)):
            a, b = ranges[k]
            rows = np.flatnonzero((pos >= a) & (pos < b))
            if rows.size:
                _spill(store.path(k), (pos[rows], table.take(rows)))
    return store, summary
