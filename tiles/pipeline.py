"""The city pipeline: read -> heights -> partition -> mesh -> write.

Each stage returns a typed result and is logged with counts and durations. The quadtree partition
only needs footprint centroids, so it runs before meshing: mesh and write then run per spatial work
unit (a subtree), in-process or on a Dask cluster, and the units' tiles merge into one tileset.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import logging
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from numpy.typing import NDArray
from pyogrio.raw import write as ogr_write

from tiles.build import ContentOptions, NodeSpec
from tiles.errors import EmptyResultError, OutputError, TilingError
from tiles.geometry.crs import LocalFrame
from tiles.heights import HeightOptions, resolve_heights
from tiles.index.lod import has_coarse_content
from tiles.index.quadtree import Quadtree, build_quadtree
from tiles.model import FeatureTable, HeightSource, Skip
from tiles.parallel import (
    MIN_PARALLEL_BUILDINGS,
    UnitFiles,
    default_jobs,
    run_forked,
    write_tiles,
    write_unit,
)
from tiles.readers import ReadOptions, SourceData, read_source
from tiles.writers.implicit import content_uri as implicit_content_uri
from tiles.writers.implicit import write_implicit
from tiles.writers.tileset import ContentInfo, content_uri, tileset_dict, write_tileset

log = logging.getLogger(__name__)

BUILDINGS_FILE = "buildings.fgb"
REPORT_FILE = "build-report.json"

Progress = Callable[[str, int, int], None]
MAX_UNIT_BUILDINGS = 15_000


@dataclass
class BuildOptions:
    """Every option of a build; the CLI maps its flags one to one onto these fields."""

    name: str | None = None
    src_crs: str | None = None
    layer: str | None = None
    id_field: str | None = None
    lod: str | None = None
    heights: HeightOptions = field(default_factory=HeightOptions)
    max_features: int = 400  # per leaf tile
    max_vertices: int = 60_000  # per leaf tile, keeps indices in uint16
    quantize: bool = True
    meshopt: bool = True  # EXT_meshopt_compression of vertex and index data (1.1 only)
    format: str = "1.1"  # or "1.0": b3dm content for legacy viewers
    implicit: bool = False  # 3D Tiles 1.1 implicit tiling (QUADTREE subtrees) instead of a tree
    subtree_levels: int = 4
    workers: int = 0  # 0: in-process; N: a local Dask cluster of N worker processes
    jobs: int | None = None  # local forked processes; None: 2 on a multi-core machine
    scheduler: str | None = None  # address of an existing Dask scheduler
    write_buildings: bool = True


@dataclass
class ReadResult:
    sources: list[SourceData]  # emptied by the heights stage once converted (memory)
    skipped: list[Skip]
    seconds: float
    inputs: list[dict[str, Any]] = field(default_factory=list)  # path, dataset, crs, features


@dataclass
class HeightResult:
    table: FeatureTable
    skipped: list[Skip]
    seconds: float


@dataclass
class PartitionResult:
    table: FeatureTable  # reordered so each quadtree node is a contiguous range
    tree: Quadtree
    frame: LocalFrame
    units: list[list[NodeSpec]]
    unit_ranges: list[tuple[int, int]]
    seconds: float
    bbox: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # lon/lat of all footprints


@dataclass
class WriteResult:
    contents: dict[str, ContentInfo]
    mesh_s: float
    encode_s: float
    seconds: float


@dataclass
class BuildResult:
    """What a build produced. ``buildings`` is one row per building or part (EPSG:4326)."""

    name: str
    tileset_dir: Path
    tileset_path: Path
    report: dict[str, Any]
    frame: gpd.GeoDataFrame | None = field(default=None, repr=False)

    @property
    def buildings_path(self) -> Path:
        return self.tileset_dir / BUILDINGS_FILE

    @property
    def buildings(self) -> gpd.GeoDataFrame:
        """The buildings table, read from ``buildings.fgb`` on first use (a large city's table
        is not kept in memory after the build)."""
        if self.frame is None:
            self.frame = pyogrio.read_dataframe(self.buildings_path)
        return self.frame


def _stage(name: str, t0: float, **counts: Any) -> float:
    dt = time.perf_counter() - t0
    log.info("%s: %.3f s %s", name, dt, " ".join(f"{k}={v}" for k, v in counts.items()))
    return dt


def read_stage(inputs: Sequence[Path], options: BuildOptions) -> ReadResult:
    t0 = time.perf_counter()
    ropts = ReadOptions(
        src_crs=options.src_crs, layer=options.layer, id_field=options.id_field, lod=options.lod
    )
    sources: list[SourceData] = []
    skipped: list[Skip] = []
    for path in inputs:
        try:
            src = read_source(Path(path), ropts)
        except TilingError as exc:
            log.error("%s", exc)
            skipped.append(Skip(str(path), "*", str(exc)))
            continue
        sources.append(src)
        skipped.extend(src.skipped)
    n = sum(len(s) for s in sources)
    dt = _stage("read", t0, files=len(inputs), features=n, skipped=len(skipped))
    summary = [
        {"path": str(s.path), "dataset": s.dataset, "crs": s.crs, "features": len(s)}
        for s in sources
    ]
    return ReadResult(sources, skipped, dt, summary)


def heights_stage(read: ReadResult, options: BuildOptions, datasets: list[str]) -> HeightResult:
    t0 = time.perf_counter()
    tables: list[FeatureTable] = []
    skipped: list[Skip] = []
    paths = {s.dataset: s.path for s in read.sources}
    while read.sources:
        # release each raw source (all its attribute columns) as soon as it is converted
        src = read.sources.pop(0)
        table, sk = resolve_heights(src, options.heights, datasets.index(src.dataset))
        tables.append(table)
        skipped.extend(sk)
        del src
    if not tables or sum(len(t) for t in tables) == 0:
        reasons = "; ".join(
            s.reason if s.feature == "*" else f"{s.file} {s.feature}: {s.reason}"
            for s in (read.skipped + skipped)[:5]
        )
        raise EmptyResultError(f"no building could be built ({reasons or 'no input'})")
    table = FeatureTable.concat(tables)
    ids = table.building_id.astype(str)
    _, first = np.unique(ids, return_index=True)
    if first.size < len(table):
        dup = np.ones(len(table), dtype=bool)
        dup[first] = False
        datasets_arr = np.asarray(datasets, dtype=object)
        for i in np.flatnonzero(dup):
            path = paths[datasets_arr[table.dataset[i]]]
            skipped.append(Skip(str(path), str(table.source_id[i]), "duplicate id"))
        table = table.take(np.sort(first))
    dt = _stage("heights", t0, buildings=len(table), skipped=len(skipped))
    return HeightResult(table, skipped, dt)


def partition_stage(heights: HeightResult, options: BuildOptions, units: int) -> PartitionResult:
    t0 = time.perf_counter()
    table = heights.table
    w, s_, e, n = (float(v) for v in shapely.total_bounds(table.footprint))
    bbox = (w, s_, e, n)
    frame = LocalFrame.around(bbox)
    b = shapely.bounds(table.footprint)
    cx, cy = (b[:, 0] + b[:, 2]) / 2.0, (b[:, 1] + b[:, 3]) / 2.0
    xy = frame.lonlat_to_local(cx, cy, 0.0)[:, :2]
    weight = shapely.get_num_coordinates(table.geometry_to_draw).astype(np.int64) * 5
    if table.solid is not None:
        weight = np.array(
            [
                s.vertex_count if s is not None else w
                for s, w in zip(table.solid, weight, strict=True)
            ],
            np.int64,
        )
    # the root cell covers every footprint, not just the centres (implicit tiles derive their
    # boxes from it)
    corners = frame.lonlat_to_local(b[:, [0, 2, 0, 2]].ravel(), b[:, [1, 1, 3, 3]].ravel(), 0.0)
    extent = (corners[:, :2].min(axis=0), corners[:, :2].max(axis=0))
    tree = build_quadtree(
        xy,
        weight,
        max_features=options.max_features,
        max_vertices=options.max_vertices,
        extent=extent,
    )
    # from here on only units (and buildings.fgb) need the footprints, a range at a time
    table = table.take(tree.order).compacted()
    unit_nodes, unit_ranges = _work_units(tree, units)
    dt = _stage(
        "partition",
        t0,
        tiles=len(tree.nodes),
        leaves=len(tree.leaves),
        depth=tree.depth(),
        units=len(unit_nodes),
    )
    return PartitionResult(table, tree, frame, unit_nodes, unit_ranges, dt, bbox)


def _release_freed_memory() -> None:
    """Hand freed heap pages back to the system: glibc keeps the GEOS geometries' freed memory
    (hundreds of MB in a large city) otherwise, and forked workers would inherit it."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _work_units(tree: Quadtree, units: int) -> tuple[list[list[NodeSpec]], list[tuple[int, int]]]:
    """Cut the tree into subtrees of about ``total / units`` buildings, plus one unit for the
    internal tiles above them that have coarse content (it needs the rows under those tiles)."""
    nodes = tree.nodes
    total = nodes[0].stop - nodes[0].start
    target = max(total // max(units, 1), 1)
    out: list[list[NodeSpec]] = []
    ranges: list[tuple[int, int]] = []
    top: list[int] = []

    def spec(i: int, offset: int) -> NodeSpec:
        n = nodes[i]
        return NodeSpec(n.key, n.start - offset, n.stop - offset, n.is_leaf, n.size_m)

    def subtree(i: int) -> list[int]:
        stack, seen = [i], []
        while stack:
            j = stack.pop()
            seen.append(j)
            stack.extend(nodes[j].children)
        return seen

    stack = [0]
    while stack:
        i = stack.pop()
        n = nodes[i]
        if n.is_leaf or n.stop - n.start <= target:
            out.append([spec(j, n.start) for j in subtree(i)])
            ranges.append((n.start, n.stop))
        else:
            top.append(i)
            stack.extend(reversed(n.children))
    top = [i for i in top if has_coarse_content(nodes[i].size_m)]
    if top:
        lo = min(nodes[i].start for i in top)
        hi = max(nodes[i].stop for i in top)
        out.append([spec(i, lo) for i in top])
        ranges.append((lo, hi))
    return out, ranges


def write_stage(
    part: PartitionResult,
    datasets: list[str],
    options: BuildOptions,
    tmp: Path,
    progress: Progress | None,
    meanwhile: Callable[[], None] | None = None,
) -> WriteResult:
    """Mesh, encode and write every unit's tiles, then tileset.json; ``meanwhile`` runs in the
    driver while forked workers (if any) do the units."""
    t0 = time.perf_counter()
    legacy = options.format == "1.0"
    copts = ContentOptions(
        quantize=options.quantize, legacy_b3dm=legacy, meshopt=options.meshopt and not legacy
    )
    by_key = {n.key: n for n in part.tree.nodes}
    suffix = "b3dm" if legacy else "glb"

    def uri_of(key: str) -> str:
        if options.implicit:
            return implicit_content_uri(by_key[key])
        return content_uri(by_key[key], suffix)

    total = len(part.units)
    jobs = _jobs(options, len(part.table))
    results: Iterator[UnitFiles]
    if options.workers > 0 or options.scheduler:
        from tiles.distributed import run_on_dask

        tasks = [
            (part.table.take(slice(a, b)), nodes)
            for (a, b), nodes in zip(part.unit_ranges, part.units, strict=True)
        ]
        # Dask workers may not share our file system: they return bytes, the driver writes
        done = run_on_dask(tasks, part.frame, datasets, copts, options, progress)
        results = (write_tiles(r, copts, tmp, uri_of) for r in done)
    elif jobs > 1:
        results = run_forked(part, datasets, copts, tmp, uri_of, jobs, meanwhile)
        meanwhile = None
    else:
        results = (write_unit(part, k, datasets, copts, tmp, uri_of) for k in range(total))
    contents: dict[str, ContentInfo] = {}
    mesh_s = encode_s = 0.0
    for k, res in enumerate(results, start=1):
        mesh_s += res.mesh_s
        encode_s += res.encode_s
        contents.update(res.contents)
        if progress:
            progress("tiles", k, total)
    if meanwhile is not None:
        meanwhile()
    if options.implicit:
        tileset = write_implicit(tmp, part.tree.nodes, contents, part.frame, options.subtree_levels)
    else:
        tileset = tileset_dict(part.tree.nodes, contents, part.frame, version=options.format)
    write_tileset(tmp / "tileset.json", tileset)
    dt = _stage(
        "mesh+write",
        t0,
        tiles=len(contents),
        bytes=sum(c.bytes for c in contents.values()),
        jobs=jobs,
    )
    return WriteResult(contents, mesh_s, encode_s, dt)


def _jobs(options: BuildOptions, buildings: int) -> int:
    if options.workers > 0 or options.scheduler:
        return 1
    jobs = default_jobs() if options.jobs is None else max(options.jobs, 1)
    return jobs if buildings >= MIN_PARALLEL_BUILDINGS or options.jobs else 1


def write_buildings_file(path: Path, table: FeatureTable, datasets: list[str], name: str) -> None:
    """Write ``buildings.fgb`` straight from the table's arrays: no GeoDataFrame of the whole
    table is built (only the WKB and the few derived columns exist besides the table).
    FlatGeobuf appends rewrite the file, so chunked appends were measured slower (×10: 62 s)."""
    columns = _buildings_columns(table, datasets, name)
    wkb = table.footprint if table.compact else shapely.to_wkb(table.footprint)
    multi = bool(np.any(_wkb_type(wkb) == 6))
    ogr_write(
        path,
        wkb,
        list(columns.values()),
        list(columns),
        driver="FlatGeobuf",
        geometry_type="MultiPolygon" if multi else "Polygon",
        promote_to_multi=multi,
        crs="EPSG:4326",
    )


def _wkb_type(wkb: NDArray[np.object_]) -> NDArray[np.int64]:
    """Geometry type codes of WKB values (either byte order), without decoding them."""
    little = np.fromiter((w[0] == 1 for w in wkb), bool, len(wkb))
    code = np.fromiter((int.from_bytes(w[1:5], "little") for w in wkb), np.int64, len(wkb))
    swapped = np.fromiter((int.from_bytes(w[1:5], "big") for w in wkb), np.int64, len(wkb))
    return np.where(little, code, swapped) % 1000


def _buildings_columns(
    table: FeatureTable, datasets: list[str], name: str
) -> dict[str, NDArray[Any]]:
    sources = np.array([s.name.lower() for s in HeightSource], dtype=object)
    return {
        "building_id": table.building_id,  # object arrays of str already: no copies
        "source_id": table.source_id,
        "height_m": np.round(table.height_m, 3),
        "base_height_m": np.round(table.base_height_m, 3),
        "levels": table.levels,
        "height_source": sources[table.height_source],
        "building_type": table.building_type,
        "name": table.name,
        "address": table.address,
        "dataset": np.asarray(datasets, dtype=object)[table.dataset],
        "tileset": np.full(len(table), name, dtype=object),
        "parent_id": table.parent_id,
        "drawn": table.drawn,
    }


def buildings_frame(table: FeatureTable, datasets: list[str], name: str) -> gpd.GeoDataFrame:
    """The buildings table the backend loads: plain columns, footprints in EPSG:4326."""
    table = table.expanded()
    return gpd.GeoDataFrame(
        _buildings_columns(table, datasets, name), geometry=table.footprint, crs="EPSG:4326"
    )


def run(
    inputs: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    options: BuildOptions | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build a 3D Tiles tileset for ``inputs`` into ``out_dir / name``.

    The tileset is written to a temporary folder beside the target and moved into place only
    when complete, so ``out_dir / name`` never holds a half-written tileset. Raises
    :class:`~tiles.errors.EmptyResultError` when nothing could be built.
    """
    options = options or BuildOptions()
    if options.format not in ("1.0", "1.1"):
        raise TilingError(f"--format must be 1.0 or 1.1, got {options.format!r}")
    if options.implicit and options.format != "1.1":
        raise TilingError("--implicit needs --format 1.1 (implicit tiling is new in 3D Tiles 1.1)")
    if options.subtree_levels < 1:
        raise TilingError(f"--subtree-levels must be at least 1, got {options.subtree_levels}")
    t_start = time.perf_counter()
    paths = [Path(p) for p in inputs]
    if not paths:
        raise EmptyResultError("no input files given")
    read = read_stage(paths, options)
    datasets = list(dict.fromkeys(s.dataset for s in read.sources))
    name = options.name or (datasets[0] if datasets else paths[0].stem)
    heights = heights_stage(read, options, datasets)
    return build_table(heights, datasets, name, out_dir, options, read, progress, t_start)


def build_table(
    heights: HeightResult,
    datasets: list[str],
    name: str,
    out_dir: str | os.PathLike[str],
    options: BuildOptions,
    read: ReadResult | None = None,
    progress: Progress | None = None,
    t_start: float | None = None,
) -> BuildResult:
    """Partition, mesh and write a table of buildings whose heights are known."""
    t_start = time.perf_counter() if t_start is None else t_start
    read = read or ReadResult([], [], 0.0)
    # units bound memory (a unit's meshes live at once) and feed the workers
    if options.workers or options.scheduler:
        units = max(options.workers, 1) * 4
    else:
        jobs = _jobs(options, len(heights.table))
        units = jobs * 4 if jobs > 1 else 1
    units = max(units, -(-len(heights.table) // MAX_UNIT_BUILDINGS))
    part = partition_stage(heights, options, units)
    heights.table = part.table  # the unordered copy is not needed any more
    _release_freed_memory()

    out_root = Path(out_dir)
    try:
        out_root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out_root}: cannot create the output folder ({exc})") from exc
    target = out_root / name
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=out_root))
    tmp.chmod(0o755)  # mkdtemp makes it private; the tileset is served to everyone
    try:
        t_buildings = 0.0

        def write_buildings() -> None:
            nonlocal t_buildings
            t0 = time.perf_counter()
            if options.write_buildings:
                write_buildings_file(tmp / BUILDINGS_FILE, part.table, datasets, name)
            t_buildings = _stage("buildings", t0, rows=len(part.table))

        write = write_stage(part, datasets, options, tmp, progress, write_buildings)
        report = _report(read, heights, part, write, datasets, name, options, t_buildings)
        report["seconds"]["total"] = round(time.perf_counter() - t_start, 4)
        (tmp / REPORT_FILE).write_text(json.dumps(report, indent=1), encoding="utf-8")
        _replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    n = len(part.table)
    log.info("built %s: %d buildings in %.2f s", target, n, report["seconds"]["total"])
    frame = None if options.write_buildings else buildings_frame(part.table, datasets, name)
    return BuildResult(name, target, target / "tileset.json", report, frame)


def _replace(tmp: Path, target: Path) -> None:
    """Move the finished tileset into place; an older one is removed only after the move."""
    old = None
    try:
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            target.rename(old)
        tmp.rename(target)
    except OSError as exc:
        if old is not None and not target.exists():
            old.rename(target)
        raise OutputError(f"{target}: cannot move the new tileset into place ({exc})") from exc
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _report(
    read: ReadResult,
    heights: HeightResult,
    part: PartitionResult,
    write: WriteResult,
    datasets: list[str],
    name: str,
    options: BuildOptions,
    t_buildings: float,
) -> dict[str, Any]:
    table = part.table
    skipped = read.skipped + heights.skipped
    content_bytes = sum(c.bytes for c in write.contents.values())
    b = part.bbox
    opts = asdict(options)
    return {
        "name": name,
        "format": options.format,
        "inputs": read.inputs,
        "datasets": datasets,
        "options": opts,
        "counts": {
            "buildings": len(table),
            "drawn": int(table.drawn.sum()),
            "parts": int((table.parent_id != "").sum()),
            "skipped": len(skipped),
            "tiles": len(part.tree.nodes),
            "tiles_with_content": len(write.contents),
            "leaves": len(part.tree.leaves),
            "depth": part.tree.depth(),
            "vertices": sum(c.vertices for c in write.contents.values()),
            "triangles": sum(c.triangles for c in write.contents.values()),
            "content_bytes": content_bytes,
            "content_bytes_per_building": round(content_bytes / max(len(table), 1), 1),
        },
        "height_sources": {
            HeightSource(k).name.lower(): int(v)
            for k, v in sorted(Counter(table.height_source.tolist()).items())
        },
        "skipped_reasons": dict(Counter(s.reason.split(" (")[0] for s in skipped)),
        "skipped": [s.as_dict() for s in skipped],
        "bbox": [float(v) for v in b],
        "frame": {"lon": part.frame.lon0, "lat": part.frame.lat0, "height": part.frame.h0},
        "seconds": {
            "read": round(read.seconds, 4),
            "heights": round(heights.seconds, 4),
            "partition": round(part.seconds, 4),
            "mesh": round(write.mesh_s, 4),
            "encode": round(write.encode_s, 4),
            "mesh_and_write": round(write.seconds, 4),
            "buildings_table": round(t_buildings, 4),
        },
    }
