"""The city pipeline: read -> heights -> partition -> mesh -> write.

Each stage returns a typed result and is logged with counts and durations. The quadtree partition
only needs footprint centroids, so it runs before meshing: mesh and write then run per spatial work
unit (a subtree), in-process or on a Dask cluster, and the units' tiles merge into one tileset.
"""

from __future__ import annotations

import contextlib
import gc
import glob
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import shapely
from numpy.typing import NDArray

from tiles import executors
from tiles.build import ContentOptions, NodeSpec
from tiles.chunked import trim_heap
from tiles.errors import EmptyResultError, OutputError, TilingError
from tiles.geometry.crs import LocalFrame
from tiles.heights import resolve_heights
from tiles.index.lod import has_coarse_content
from tiles.index.quadtree import Quadtree, build_quadtree
from tiles.model import FeatureTable, HeightSource, Skip
from tiles.output import DirectoryOutput
from tiles.parallel import (
    MIN_PARALLEL_BUILDINGS,
    default_jobs,
)
from tiles.readers import ReadOptions, SourceData, read_source
from tiles.terrain.grid import TerrainGrid
from tiles.types import (
    BUILDINGS_FILE,
    REPORT_FILE,
    BuildOptions,
    BuildResult,
    HeightResult,
    PartitionResult,
    Progress,
    ReadResult,
    SpilledRows,
    TableRows,
    WriteResult,
)
from tiles.writers.buildings import buildings_frame, stream_buildings_file
from tiles.writers.coarse_rows import COARSE_ROWS_FILE, write_coarse_rows
from tiles.writers.implicit import content_uri as implicit_content_uri
from tiles.writers.implicit import write_implicit
from tiles.writers.tileset import ContentInfo, content_uri, tileset_dict, write_tileset

log = logging.getLogger(__name__)

MAX_UNIT_BUILDINGS = 15_000
MIN_DRAPE_CELL_M = 5.0  # the ground layer is cut no finer than this on a terrain
ROWS_PER_STEP = 200_000


def _stage(name: str, t0: float, **counts: Any) -> float:
    dt = time.perf_counter() - t0
    log.info("%s: %.3f s %s", name, dt, " ".join(f"{k}={v}" for k, v in counts.items()))
    return dt


def read_stage(inputs: Sequence[Path], options: BuildOptions) -> ReadResult:
    t0 = time.perf_counter()
    ropts = ReadOptions(
        src_crs=options.src_crs, layer=options.layer, id_field=options.id_field, lod=options.lod
    )
    if options.ground:
        from tiles.ground.sources import OSM_QUERIES

        # an OSM input's ground features come from the buildings' pass over the file
        ropts.osm_layers = OSM_QUERIES
    sources: list[SourceData] = []
    skipped: list[Skip] = []
    osm_layers: dict[str, Any] = {}
    for path in inputs:
        try:
            src = read_source(Path(path), ropts)
        except TilingError as exc:
            log.error("%s", exc)
            skipped.append(Skip(str(path), "*", str(exc)))
            continue
        if src.osm_layers is not None:
            osm_layers[str(src.path)] = src.osm_layers
            src.osm_layers = None
        sources.append(src)
        skipped.extend(src.skipped)
    n = sum(len(s) for s in sources)
    dt = _stage("read", t0, files=len(inputs), features=n, skipped=len(skipped))
    summary = [
        {"path": str(s.path), "dataset": s.dataset, "crs": s.crs, "features": len(s)}
        for s in sources
    ]
    return ReadResult(sources, skipped, dt, summary, osm_layers)


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
        raise _empty_error(read.skipped + skipped)
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
    assert table is not None
    bounds = shapely.bounds(table.footprint)
    weight = shapely.get_num_coordinates(table.geometry_to_draw).astype(np.int64) * 5
    if table.solid is not None:
        weight = np.array(
            [
                s.vertex_count if s is not None else w
                for s, w in zip(table.solid, weight, strict=True)
            ],
            np.int64,
        )
    part = partition_arrays(bounds, weight, options, units)
    # from here on only units (and buildings.fgb) need the footprints, a range at a time
    rows = TableRows(table.take(part.tree.order).compacted())
    part.source = rows
    part.summary.add(rows.table)
    part.seconds = _stage(
        "partition",
        t0,
        tiles=len(part.tree.nodes),
        leaves=len(part.tree.leaves),
        depth=part.tree.depth(),
        units=len(part.units),
    )
    return part


def partition_arrays(
    bounds: NDArray[np.float64], weight: NDArray[np.int64], options: BuildOptions, units: int
) -> PartitionResult:
    """The quadtree and work units from footprint boxes (lon/lat) and vertex weights alone."""
    w, s_, e, n = bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max()
    bbox = (float(w), float(s_), float(e), float(n))
    frame = LocalFrame.around(bbox)
    xy = np.empty((bounds.shape[0], 2))
    lo, hi = np.full(2, np.inf), np.full(2, -np.inf)
    for a in range(0, bounds.shape[0], ROWS_PER_STEP):  # bounded temporaries
        b = bounds[a : a + ROWS_PER_STEP]
        cx, cy = (b[:, 0] + b[:, 2]) / 2.0, (b[:, 1] + b[:, 3]) / 2.0
        xy[a : a + ROWS_PER_STEP] = frame.lonlat_to_local(cx, cy, 0.0)[:, :2]
        # the root cell covers every footprint, not just the centres (implicit tiles derive
        # their boxes from it)
        corners = frame.lonlat_to_local(
            b[:, [0, 2, 0, 2]].ravel(), b[:, [1, 1, 3, 3]].ravel(), 0.0
        )[:, :2]
        lo, hi = np.minimum(lo, corners.min(axis=0)), np.maximum(hi, corners.max(axis=0))
    tree = build_quadtree(
        xy,
        weight,
        max_features=options.max_features,
        max_vertices=options.max_vertices,
        extent=(lo, hi),
    )
    unit_nodes, unit_ranges, subtree_units = _work_units(tree, units)
    return PartitionResult(
        None, tree, frame, unit_nodes, unit_ranges, 0.0, bbox, subtree_units=subtree_units
    )


def _release_freed_memory() -> None:
    """Hand freed heap pages back to the system: glibc keeps the GEOS geometries' freed memory
    (hundreds of MB in a large city) otherwise, and forked workers would inherit it."""
    gc.collect()
    trim_heap()


def _work_units(
    tree: Quadtree, units: int
) -> tuple[list[list[NodeSpec]], list[tuple[int, int]], int]:
    """Cut the tree into subtrees of about ``total / units`` buildings (in row order; their
    count is returned too), plus units for the internal tiles above them that have coarse
    content: one per outermost such tile, holding it and its coarse descendants, since they need
    the rows under them (one unit for all of them could span nearly every row)."""
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
    subtrees = len(out)
    coarse = [i for i in top if has_coarse_content(nodes[i].size_m)]
    parent = {c: i for i in top for c in nodes[i].children}
    groups: dict[int, list[int]] = {}
    for i in coarse:  # preorder: an outer tile comes before the tiles inside it
        outer, j = i, parent.get(i)
        while j is not None:
            if has_coarse_content(nodes[j].size_m):
                outer = j
            j = parent.get(j)
        groups.setdefault(outer, []).append(i)
    for outer, members in groups.items():
        lo, hi = nodes[outer].start, nodes[outer].stop
        out.append([spec(i, lo) for i in members])
        ranges.append((lo, hi))
    return out, ranges, subtrees


def write_stage(
    part: PartitionResult,
    datasets: list[str],
    options: BuildOptions,
    tmp: Path,
    progress: Progress | None,
    meanwhile: Callable[[], None] | None = None,
    terrain: TerrainGrid | None = None,
) -> WriteResult:
    """Mesh, encode and write every unit's tiles (the executor of ``options``: in process,
    forked or on Dask; tiles/executors.py), then tileset.json; ``meanwhile`` runs in the driver
    while the units run elsewhere, or after them."""
    t0 = time.perf_counter()
    legacy = options.format == "1.0"
    copts = ContentOptions(
        quantize=options.quantize, legacy_b3dm=legacy, meshopt=options.meshopt and not legacy
    )
    if terrain is not None:
        copts.terrain, copts.base = terrain, "mean" if options.base == "mean" else "min"
    by_key = {n.key: n for n in part.tree.nodes}
    suffix = "b3dm" if legacy else "glb"

    def uri_of(key: str) -> str:
        if options.implicit:
            return implicit_content_uri(by_key[key])
        return content_uri(by_key[key], suffix)

    total = len(part.units)
    jobs = _jobs(options, part.rows)
    results = executors.choose(options, jobs).units(part, datasets, copts, tmp, uri_of, meanwhile)
    contents: dict[str, ContentInfo] = {}
    mesh_s = encode_s = 0.0
    for k, res in enumerate(results, start=1):
        mesh_s += res.mesh_s
        encode_s += res.encode_s
        contents.update(res.contents)
        if progress:
            progress("tiles", k, total)
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
    if options.ground and options.format != "1.1":
        raise TilingError("--ground needs --format 1.1 (its tiles use EXT_structural_metadata)")
    if options.base not in ("min", "mean"):
        raise TilingError(f"--base must be min or mean, got {options.base!r}")
    if options.subtree_levels < 1:
        raise TilingError(f"--subtree-levels must be at least 1, got {options.subtree_levels}")
    if options.name is not None:
        check_name(options.name)
    t_start = time.perf_counter()
    paths = [Path(p) for p in inputs]
    if not paths:
        raise EmptyResultError("no input files given")
    if options.chunk_rows is not None and _input_rows(paths, options) > options.chunk_rows:
        return _run_bounded(paths, out_dir, options, progress, t_start)
    read = read_stage(paths, options)
    datasets = list(dict.fromkeys(s.dataset for s in read.sources))
    name = options.name or (datasets[0] if datasets else paths[0].stem)
    heights = heights_stage(read, options, datasets)
    return build_table(heights, datasets, name, out_dir, options, read, progress, t_start)


# Bytes per feature assumed for inputs whose count GDAL cannot tell without reading them all:
# OSM PBF (a dense city extract holds ~300 B per building, other data included) and CityJSON
# (~9 kB per building in the 3D BAG sample); erring low sends a file to the bounded path sooner.
BYTES_PER_FEATURE = {"osm": 256, "cityjson": 2048}


# a tileset name is one folder name: it becomes OUT/NAME and the tiles' URL path
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def check_name(name: str) -> None:
    """Refuse a tileset name that is not a plain folder name (``../x``, ``a/b``, ``.hidden``)."""
    if not _NAME.fullmatch(name) or ".." in name:
        raise TilingError(
            f"--name {name!r} is not a plain folder name: use letters, digits, '.', '_' and '-', "
            "starting with a letter or digit, without '..' or '/'"
        )


def _input_rows(paths: list[Path], options: BuildOptions) -> int:
    """About how many features the inputs hold (what decides between in-memory and bounded)."""
    total = 0
    for path in paths:
        name = path.name.lower()
        kind = "osm" if name.endswith((".pbf", ".osm")) else None
        if name.endswith((".json", ".jsonl", ".cityjson")):
            kind = "cityjson"
        count = -1
        if kind is None:
            with contextlib.suppress(Exception):  # an unreadable input is reported by the read
                count = int(pyogrio.read_info(path, layer=options.layer)["features"])
        if count < 0:
            with contextlib.suppress(OSError):
                count = path.stat().st_size // BYTES_PER_FEATURE[kind or "osm"]
        total += max(count, 0)
    return total


def _empty_error(skipped: list[Skip]) -> EmptyResultError:
    reasons = "; ".join(
        s.reason if s.feature == "*" else f"{s.file} {s.feature}: {s.reason}" for s in skipped[:5]
    )
    return EmptyResultError(f"no building could be built ({reasons or 'no input'})")


def _run_bounded(
    paths: list[Path],
    out_dir: str | os.PathLike[str],
    options: BuildOptions,
    progress: Progress | None,
    t_start: float,
) -> BuildResult:
    """:func:`run` with bounded memory (tiles/chunked.py): read, heights, partition and meshing
    a chunk or a unit at a time, rows spilled to a folder beside the output."""
    from tiles import chunked

    assert options.chunk_rows is not None
    out_root = _output_root(out_dir)
    spill = Path(tempfile.mkdtemp(prefix=".build.", suffix=".spill", dir=out_root))
    try:
        ropts = ReadOptions(
            src_crs=options.src_crs, layer=options.layer, id_field=options.id_field, lod=options.lod
        )
        datasets: list[str] = []
        scan = chunked.scan(paths, ropts, options.heights, datasets, spill, options.chunk_rows)
        name = options.name or (datasets[0] if datasets else paths[0].stem)
        inputs = [
            {"path": str(s.path), "dataset": s.dataset, "crs": s.crs, "features": s.features}
            for s in scan.sources
        ]
        read = ReadResult([], scan.read_skipped, scan.read_s, inputs)
        log.info("read: %.3f s files=%d features=%d", scan.read_s, len(paths), len(scan))
        resolved = chunked.resolve(scan, datasets)
        skipped = scan.height_skipped + resolved.skipped
        kept = len(scan) - resolved.dropped.size
        if kept == 0:
            raise _empty_error(read.skipped + skipped)
        heights = HeightResult(None, skipped, scan.heights_s + resolved.seconds)
        log.info("heights: %.3f s buildings=%d", heights.seconds, kept)
        t0 = time.perf_counter()
        index = chunked.index(scan, resolved, options.max_features, options.max_vertices)
        tree = index.tree.as_quadtree()
        _stage("quadtree", t0, tiles=len(tree.nodes))
        unit_nodes, unit_ranges, subtree_units = _work_units(tree, _unit_count(options, kept))
        part = PartitionResult(
            None,
            tree,
            index.frame,
            unit_nodes,
            unit_ranges,
            0.0,
            index.bbox,
            subtree_units=subtree_units,
        )
        store, part.summary = chunked.distribute(
            scan, resolved, index, unit_ranges, subtree_units, spill / "units"
        )
        part.source = SpilledRows(store)
        part.seconds = _stage("partition", t0, tiles=len(tree.nodes), units=len(part.units))
        del scan, resolved, index
        _release_freed_memory()
        return _write_build(
            part, read, heights, datasets, name, out_root, options, progress, t_start
        )
    finally:
        shutil.rmtree(spill, ignore_errors=True)


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
    assert heights.table is not None
    part = partition_stage(heights, options, _unit_count(options, len(heights.table)))
    heights.table = None  # the unordered copy is not needed any more
    _release_freed_memory()
    return _write_build(
        part, read, heights, datasets, name, _output_root(out_dir), options, progress, t_start
    )


def _unit_count(options: BuildOptions, buildings: int) -> int:
    # units bound memory (a unit's meshes live at once) and feed the workers
    if options.workers or options.scheduler:
        units = max(options.workers, 1) * 4
    else:
        jobs = _jobs(options, buildings)
        units = jobs * 4 if jobs > 1 else 1
    return max(units, -(-buildings // MAX_UNIT_BUILDINGS))


def _output_root(out_dir: str | os.PathLike[str]) -> Path:
    out_root = Path(out_dir)
    try:
        out_root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out_root}: cannot create the output folder ({exc})") from exc
    return out_root


def _write_build(
    part: PartitionResult,
    read: ReadResult,
    heights: HeightResult,
    datasets: list[str],
    name: str,
    out_root: Path,
    options: BuildOptions,
    progress: Progress | None,
    t_start: float,
) -> BuildResult:
    """Mesh and write the units, buildings.fgb, tileset.json and the report through the
    output (tiles/output.py: a folder beside the target, swapped in atomically)."""
    target = out_root / name
    remove_stale_temp(out_root, name)
    # written beside the target (a folder named with the builder's process id, so a later
    # build knows whether its builder still runs) and swapped in when complete
    out = DirectoryOutput(target)
    out.begin()
    tmp = out.path
    try:
        t_buildings = 0.0

        def write_buildings() -> None:
            nonlocal t_buildings
            t0 = time.perf_counter()
            if options.write_buildings:
                stream_buildings_file(
                    tmp / BUILDINGS_FILE, part.tables(), datasets, name, _any_multi(part)
                )
                # what a change's coarse tiles need of every row (tiles/apply.py)
                write_coarse_rows(tmp / BUILDINGS_FILE, tmp / COARSE_ROWS_FILE)
            t_buildings = _stage("buildings", t0, rows=part.rows)

        terrain = _terrain(options, part.bbox)
        write = write_stage(part, datasets, options, tmp, progress, write_buildings, terrain)
        report = _report(read, heights, part, write, datasets, name, options, t_buildings)
        if terrain is not None and options.dem is not None:
            report["terrain"] = _write_terrain(terrain, tmp, options)
        if options.ground:
            report["ground"] = _build_ground(read, part, tmp, options, terrain)
        report["seconds"]["total"] = round(time.perf_counter() - t_start, 4)
        report["bounded"] = part.bounded  # read in chunks, units spilled to disk
        out.write(REPORT_FILE, json.dumps(report, indent=1).encode("utf-8"))
        out.end()
    except BaseException:
        out.abort()
        raise
    log.info("built %s: %d buildings in %.2f s", target, part.rows, report["seconds"]["total"])
    frame = None
    if not options.write_buildings:
        frame = buildings_frame(FeatureTable.concat(list(part.tables())), datasets, name)
    return BuildResult(name, target, target / "tileset.json", report, frame)


def _terrain(options: BuildOptions, bbox: tuple[float, float, float, float]) -> TerrainGrid | None:
    """The build's terrain grid from ``--dem`` over the buildings' box (None without a DEM)."""
    if options.terrain_grid is not None:
        return TerrainGrid.load(Path(options.terrain_grid))
    if options.dem is None:
        return None
    t0 = time.perf_counter()
    # only the DEM's cells over the city
    grid = TerrainGrid.read(options.dem, bbox, src_crs=options.dem_crs)
    _stage("terrain-grid", t0, nodes=grid.heights.size, no_data=grid.no_data_nodes)
    return grid


def _write_terrain(terrain: TerrainGrid, tmp: Path, options: BuildOptions) -> dict[str, Any]:
    """NAME/terrain/: quantized-mesh tiles and layer.json of the build's terrain."""
    from tiles.terrain.quantized_mesh import TERRAIN_DIR, write_terrain

    t0 = time.perf_counter()
    info = write_terrain(terrain, tmp / TERRAIN_DIR)
    info["dem"] = options.dem
    info["base"] = options.base
    # grid nodes on the DEM's no-data cells, their heights filled from their neighbours'
    info["no_data_nodes"] = terrain.no_data_nodes
    info["seconds"] = round(_stage("terrain", t0, tiles=info["tiles"]), 4)
    return info


def _build_ground(
    read: ReadResult,
    part: PartitionResult,
    tmp: Path,
    options: BuildOptions,
    terrain: TerrainGrid | None = None,
) -> dict[str, Any]:
    """The ground layer of the same inputs (and any ground-only ones) over the buildings' box."""
    from tiles.ground.build import GROUND_DIR, GroundOptions, build_ground, ground_inputs

    inputs = [Path(i["path"]) for i in read.inputs]
    paths = ground_inputs(inputs, [Path(p) for p in options.ground_inputs])
    ground = GroundOptions(
        quantize=options.quantize, meshopt=options.meshopt, src_crs=options.src_crs
    )
    held = read.osm_layers  # let go by the ground's read, file by file
    if terrain is None:
        return build_ground(paths, tmp / GROUND_DIR, part.bbox, ground, osm_layers=held)
    # draped: polygons cut at the terrain's cells so that big ones follow the slope
    ground.drape_cell_m = max(terrain.cell_m, MIN_DRAPE_CELL_M)
    return build_ground(paths, tmp / GROUND_DIR, part.bbox, ground, terrain.sample, osm_layers=held)


def _any_multi(part: PartitionResult) -> bool:
    """Whether some footprint is a MultiPolygon (the layer type of buildings.fgb)."""
    assert part.source is not None
    return part.source.any_multipolygon()


# a temporary folder of the old form (no process id) is stale after this many seconds
STALE_TEMP_SECONDS = 24 * 3600


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_stale_temp(out_root: Path, name: str) -> list[Path]:
    """Remove the temporary folders ``.NAME.PID.*.tmp`` left by builds of ``name`` whose process
    is gone (killed, out of memory), and old ``.NAME.*.tmp`` folders without a process id."""
    removed = []
    for path in out_root.glob(f".{glob.escape(name)}.*.tmp"):
        middle = path.name[len(name) + 2 : -len(".tmp")]
        pid_text = middle.split(".", 1)[0]
        if not path.is_dir():
            continue
        stale = False
        if pid_text.isdigit() and "." in middle:
            stale = not _alive(int(pid_text))
        else:
            with contextlib.suppress(OSError):
                stale = time.time() - path.stat().st_mtime > STALE_TEMP_SECONDS
        if stale:
            shutil.rmtree(path, ignore_errors=True)
            log.info("removed %s, left by a build that did not finish", path)
            removed.append(path)
    return removed


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
    summary = part.summary
    skipped = read.skipped + heights.skipped
    content_bytes = sum(c.bytes for c in write.contents.values())
    b = part.bbox
    opts = asdict(options)
    if options.dem is None and options.terrain_grid is None:
        # a build without terrain reports what it did before
        del opts["dem"], opts["dem_crs"], opts["base"]
    if options.terrain_grid is None:
        del opts["terrain_grid"]
    return {
        "name": name,
        "format": options.format,
        "inputs": read.inputs,
        "datasets": datasets,
        "options": opts,
        "counts": {
            "buildings": summary.buildings,
            "drawn": summary.drawn,
            "parts": summary.parts,
            "skipped": len(skipped),
            "tiles": len(part.tree.nodes),
            "tiles_with_content": len(write.contents),
            "leaves": len(part.tree.leaves),
            "depth": part.tree.depth(),
            "vertices": sum(c.vertices for c in write.contents.values()),
            "triangles": sum(c.triangles for c in write.contents.values()),
            "content_bytes": content_bytes,
            "content_bytes_per_building": round(content_bytes / max(summary.buildings, 1), 1),
        },
        "height_sources": {
            HeightSource(k).name.lower(): int(v) for k, v in sorted(summary.height_sources.items())
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
