"""Bounded-memory builds: the same stages as :mod:`tiles.pipeline`, never the whole table at once.

1. *scan*: each input is read ``chunk_rows`` features at a time; heights are resolved per chunk
   and the chunk's rows are spilled (footprints as WKB) to a file in the build's spill folder.
   A few numbers per building -- its bounding box, vertex weight, a 64-bit hash of its id,
   whether it is a MultiPolygon -- go to column files (:mod:`tiles.rowfiles`), not memory; only
   the inner points of ``building:part``s are held.
2. *resolve*: what needs more than one row -- linking parts to outlines and dropping duplicate
   ids -- runs on those columns a step at a time (duplicates: hashes bucketed to files, each
   bucket checked on its own); the few rows it must see (the parts, the outlines whose box holds
   a part's point, rows whose id hash is not unique) are fetched back from the spill files.
3. *quadtree*: each kept row's quadrant key is computed from its box and the tree is counted
   out of the keys (:mod:`tiles.index.keyed`: the same tree as ``build_quadtree``'s).
4. *distribute*: one more pass over the spill files appends each row to the file of its work
   unit (a row under a coarse tile also goes to that tile's unit), with the links applied; rows'
   positions in quadtree order are counted out as they pass.
5. each unit then loads only its own rows (forked workers and Dask alike), and
   ``buildings.fgb`` is streamed unit after unit.

Peak memory is then about one chunk or one unit of rows, a step of the columns, the tree's nodes
and one point per ``building:part`` (GDAL's FlatGeobuf writer adds its own record per building,
tiles/README.md). The result is the same as the in-memory build's, file for file.
"""

from __future__ import annotations

import contextlib
import ctypes
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
from tiles.geometry.crs import LocalFrame
from tiles.heights import HeightOptions, heights_without_links, link_parts
from tiles.index.keyed import KeyedQuadtree, plan_quadtree, quadrant_keys
from tiles.index.quadtree import root_cell
from tiles.model import FeatureTable, Skip
from tiles.readers import ReadOptions, iter_source
from tiles.rowfiles import ROWS_PER_STEP, RowFiles

log = logging.getLogger(__name__)

# the per-row columns the scan writes (tiles.rowfiles), scan rows
SCAN_COLUMNS = {
    "bounds": (np.float64, 4),  # lon/lat box
    "weight": (np.int64, 1),  # estimated vertices of what is drawn
    "hash": (np.uint64, 1),  # of the building id
    "multi": (np.bool_, 1),  # a MultiPolygon footprint
}


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
    part_rows: NDArray[np.int64]  # scan rows of its building:parts (increasing)
    part_xy: NDArray[np.float64]  # their point_on_surface


@dataclass
class ScanResult:
    """The spilled chunks, their sources and the per-row columns (files), by scan row."""

    chunks: list[SpillChunk]
    sources: list[ScannedSource]
    columns: RowFiles
    read_skipped: list[Skip] = field(default_factory=list)
    height_skipped: list[Skip] = field(default_factory=list)
    read_s: float = 0.0
    heights_s: float = 0.0

    def __len__(self) -> int:
        return len(self.columns)


@dataclass
class Resolved:
    """Per-row decisions taken on the whole input (scan rows -> value)."""

    dropped: NDArray[np.int64]  # duplicate ids after the first, increasing
    parent_id: dict[int, str]
    undrawn: set[int]
    draw_footprint: dict[int, bytes]  # WKB of the remainder an outline is drawn as
    weight: dict[int, int]  # the vertex weight of those remainders
    skipped: list[Skip]  # duplicate ids, in row order
    seconds: float = 0.0

    def kept(self, start: int, stop: int) -> NDArray[np.bool_]:
        """Which of the scan rows ``start .. stop`` are kept."""
        mask = np.ones(stop - start, dtype=bool)
        lo, hi = np.searchsorted(self.dropped, [start, stop])
        mask[self.dropped[lo:hi] - start] = False
        return mask

    def kept_before(self, row: int) -> int:
        """How many kept rows come before scan row ``row``."""
        return row - int(np.searchsorted(self.dropped, row))


def trim_heap() -> None:
    """Hand the heap's free pages back to the system (glibc keeps them otherwise): after each
    chunk, so the next one does not build on the last one's scattered leftovers (measured at x50:
    the scan's resident set stays near 330 MB instead of creeping to 440 MB)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


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
    # columns are walked a chunk at a time at most (a small chunk_rows makes small steps)
    columns = RowFiles(spill / "rows", SCAN_COLUMNS, min(ROWS_PER_STEP, chunk_rows))
    read_skipped: list[Skip] = []
    height_skipped: list[Skip] = []
    row = 0
    read_s = heights_s = 0.0
    for path in paths:
        # a file that fails half-way is skipped whole, as the in-memory read does
        f_chunks: list[SpillChunk] = []
        f_read: list[Skip] = []
        f_heights: list[Skip] = []
        f_parts: list[NDArray[np.int64]] = []
        f_points: list[NDArray[np.float64]] = []
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
                columns.append(
                    bounds=shapely.bounds(geoms),
                    weight=draw_weight(table),
                    hash=id_hashes(table.building_id),
                    multi=shapely.get_type_id(geoms) == 6,
                )
                if is_part.any():
                    f_parts.append(f_row + np.flatnonzero(is_part))
                    points = shapely.point_on_surface(geoms[is_part])
                    f_points.append(shapely.get_coordinates(points))
                del geoms
                table = table.compacted()
                file = spill / f"chunk-{len(chunks) + len(f_chunks):05d}.pkl"
                _spill(file, table)
                f_chunks.append(SpillChunk(file, f_row, len(table)))
                f_row += len(table)
                del table
                trim_heap()
                t0 = time.perf_counter()
                heights_s += t0 - t1
        except TilingError as exc:
            log.error("%s", exc)
            read_skipped.append(Skip(str(path), "*", str(exc)))
            if new_dataset:
                datasets.pop()
            columns.truncate(row)
            for chunk in f_chunks:  # its files' names are the next input's
                chunk.path.unlink(missing_ok=True)
            continue
        if not f_chunks:
            continue
        read_skipped.extend(f_read)
        height_skipped.extend(f_heights)
        chunks.extend(f_chunks)
        sources.append(
            ScannedSource(
                path,
                meta[0],
                meta[1],
                row,
                f_row,
                f_features,
                np.concatenate(f_parts) if f_parts else np.zeros(0, np.int64),
                np.concatenate(f_points) if f_points else np.zeros((0, 2)),
            )
        )
        row = f_row
    return ScanResult(chunks, sources, columns, read_skipped, height_skipped, read_s, heights_s)


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


def duplicate_rows(columns: RowFiles, folder: Path) -> NDArray[np.int64]:
    """Scan rows whose id hash is not unique, increasing: the hashes are split by value into
    buckets (files) of about ``columns.step`` rows, each bucket checked on its own."""
    buckets = -(-len(columns) // columns.step)
    if buckets <= 1:
        _, inverse, counts = np.unique(
            columns.read("hash", 0, len(columns)), return_inverse=True, return_counts=True
        )
        return np.flatnonzero(counts[inverse] > 1)
    files = [
        RowFiles(folder / f"{k:04d}", {"hash": (np.uint64, 1), "row": (np.int64, 1)})
        for k in range(buckets)
    ]
    for a, b in columns.steps():
        hashes = columns.read("hash", a, b)
        bucket = hashes % np.uint64(buckets)
        for k, f in enumerate(files):
            at = np.flatnonzero(bucket == k)
            f.append(hash=hashes[at], row=a + at)
    found = []
    for f in files:
        _, inverse, counts = np.unique(
            f.read("hash", 0, len(f)), return_inverse=True, return_counts=True
        )
        found.append(f.read("row", 0, len(f))[counts[inverse] > 1])
        for name in f.columns:
            f.path(name).unlink()
    return np.sort(np.concatenate(found))


def resolve(scan: ScanResult, datasets: list[str]) -> Resolved:
    """Link parts to outlines within each source and drop duplicate ids, as
    :func:`tiles.heights.resolve_heights` and the in-memory heights stage do."""
    t0 = time.perf_counter()
    jobs: list[tuple[NDArray[np.int64], NDArray[np.int64]]] = []
    for src in scan.sources:
        parts = src.part_rows
        if parts.size == 0 or parts.size == src.stop - src.start:
            continue
        tree = shapely.STRtree(shapely.points(src.part_xy))
        found = []
        for a in range(src.start, src.stop, scan.columns.step):
            b = min(a + scan.columns.step, src.stop)
            rows = np.arange(a, b)
            lo, hi = np.searchsorted(parts, [a, b])
            is_outline = np.ones(b - a, dtype=bool)
            is_outline[parts[lo:hi] - a] = False
            # an outline can hold a part's point only if its box does (boxes touch inclusively)
            boxes = scan.columns.read("bounds", a, b)[is_outline]
            hit = tree.query(shapely.box(*boxes.T))[0]
            found.append(rows[is_outline][np.unique(hit)])
        jobs.append((parts, np.concatenate(found)))
    dup_rows = duplicate_rows(scan.columns, scan.columns.folder / "buckets")
    need = np.unique(np.concatenate([dup_rows, *[np.r_[p, o] for p, o in jobs]]))
    fetched = _fetch(scan, need) if need.size else None

    res = Resolved(np.zeros(0, np.int64), {}, set(), {}, {}, [])
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
            res.weight[int(rows[i])] = int(shapely.get_num_coordinates(draw)) * 5

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
        res.dropped = dup_rows[dup]
    res.seconds = time.perf_counter() - t0
    return res


@dataclass
class Index:
    """The quadtree of the kept rows and their keys (a column file, kept rows in scan order)."""

    tree: KeyedQuadtree
    frame: LocalFrame
    bbox: tuple[float, float, float, float]  # lon/lat of all kept footprints
    keys: RowFiles


def _kept_steps(
    scan: ScanResult, resolved: Resolved
) -> Iterator[tuple[NDArray[np.float64], NDArray[np.int64]]]:
    """Boxes and weights of the kept rows, a step at a time, the links' weights applied."""
    overrides = np.array(sorted(resolved.weight), np.int64)
    for a, b in scan.columns.steps():
        kept = resolved.kept(a, b)
        weight = scan.columns.read("weight", a, b)
        lo, hi = np.searchsorted(overrides, [a, b])
        for r in overrides[lo:hi].tolist():
            weight[r - a] = resolved.weight[r]
        yield scan.columns.read("bounds", a, b)[kept], weight[kept]


def index(scan: ScanResult, resolved: Resolved, max_features: int, max_vertices: int) -> Index:
    """The quadtree ``tiles.pipeline.partition_arrays`` builds on the kept rows' boxes and
    weights, computed from the column files: three passes for the extent and the keys, then one
    per level of the tree (no array per row is held)."""
    w, s_, e, n = np.inf, np.inf, -np.inf, -np.inf
    for boxes, _ in _kept_steps(scan, resolved):
        if boxes.size:
            w, s_ = min(w, boxes[:, 0].min()), min(s_, boxes[:, 1].min())
            e, n = max(e, boxes[:, 2].max()), max(n, boxes[:, 3].max())
    bbox = (float(w), float(s_), float(e), float(n))
    frame = LocalFrame.around(bbox)

    def centres(boxes: NDArray[np.float64]) -> NDArray[np.float64]:
        cx, cy = (boxes[:, 0] + boxes[:, 2]) / 2.0, (boxes[:, 1] + boxes[:, 3]) / 2.0
        xy: NDArray[np.float64] = frame.lonlat_to_local(cx, cy, 0.0)[:, :2]
        return xy

    lo, hi = np.full(2, np.inf), np.full(2, -np.inf)  # of the centres and all box corners
    for boxes, _ in _kept_steps(scan, resolved):
        if boxes.size == 0:
            continue
        xy = centres(boxes)
        corners = frame.lonlat_to_local(
            boxes[:, [0, 2, 0, 2]].ravel(), boxes[:, [1, 1, 3, 3]].ravel(), 0.0
        )[:, :2]
        lo = np.minimum(lo, np.minimum(xy.min(axis=0), corners.min(axis=0)))
        hi = np.maximum(hi, np.maximum(xy.max(axis=0), corners.max(axis=0)))
    center, half = root_cell(lo, hi)
    kinds = {"key": (np.uint64, 1), "weight": (np.int64, 1)}
    keys = RowFiles(scan.columns.folder / "keyed", kinds, scan.columns.step)
    for boxes, weight in _kept_steps(scan, resolved):
        keys.append(key=quadrant_keys(centres(boxes), center, half), weight=weight)

    def batches() -> Iterator[tuple[NDArray[np.uint64], NDArray[np.int64]]]:
        for a, b in keys.steps():
            yield keys.read("key", a, b), keys.read("weight", a, b)

    tree = plan_quadtree(
        batches, center, half, max_features=max_features, max_vertices=max_vertices
    )
    return Index(tree, frame, bbox, keys)


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
    index: Index,
    ranges: list[tuple[int, int]],
    subtree_units: int,
    folder: Path,
) -> tuple[UnitStore, Summary]:
    """Append every kept row, links applied, to the spill file of its unit(s), with its position
    in quadtree order. The first ``subtree_units`` ranges tile the rows in order; the others
    (coarse tiles) overlap them."""
    folder.mkdir(parents=True, exist_ok=True)
    store = UnitStore(folder, ranges)
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
        end = chunk.start + chunk.rows
        kept = np.flatnonzero(resolved.kept(chunk.start, end))
        first = resolved.kept_before(chunk.start)
        pos = np.full(chunk.rows, -1, dtype=np.int64)
        pos[kept] = index.tree.positions(index.keys.read("key", first, first + kept.size))
        multi = scan.columns.read("multi", chunk.start, end)[kept]
        store.multi = store.multi or bool(multi.any())
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
