"""Mesh and write the tiles of one spatial work unit.

A work unit is a set of quadtree nodes over a contiguous range of (reordered) buildings. The same
function runs in-process, in a local process pool or on a Dask worker: it gets plain data in and
returns plain data (glb bytes and boxes), so the partial results merge into one tileset.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import NDArray

from tiles.geometry.crs import LocalFrame, metres_per_degree
from tiles.geometry.extrude import BaseMode, extrude_footprints
from tiles.geometry.mesh import MeshBlock, Part, TileMesh, gather
from tiles.index.lod import coarse_content, has_coarse_content, position_error_m
from tiles.model import FeatureTable
from tiles.terrain.geoid import orthometric_to_ellipsoidal
from tiles.terrain.grid import TerrainGrid
from tiles.writers.glb import EncodedTile, batch_table, encode_glb


@dataclass(frozen=True)
class NodeSpec:
    """A tile to produce: its key, its range within the unit's rows, leaf or not, its side."""

    key: str
    start: int
    stop: int
    is_leaf: bool
    size_m: float


@dataclass
class ContentOptions:
    quantize: bool = True
    legacy_b3dm: bool = False
    meshopt: bool = False
    terrain: TerrainGrid | None = None  # buildings on it (tiles/terrain/grid.py); else ellipsoid
    base: BaseMode = "min"  # a building's ground on the terrain: min or mean under it


@dataclass
class UnitResult:
    """Encoded tiles of one unit, keyed by node key, and timings (seconds) of mesh and encode."""

    tiles: dict[str, EncodedTile] = field(default_factory=dict)
    mesh_s: float = 0.0
    encode_s: float = 0.0


def footprint_metrics(table: FeatureTable) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Approximate footprint areas (m²) and bbox centres (lon, lat) of every row."""
    return geometry_metrics(table.footprint)


def geometry_metrics(
    geoms: NDArray[np.object_],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """:func:`footprint_metrics` of footprints (element-wise: any slice gives the same values)."""
    b = shapely.bounds(geoms)
    center = np.column_stack([(b[:, 0] + b[:, 2]) / 2.0, (b[:, 1] + b[:, 3]) / 2.0])
    mx, my = metres_per_degree(center[:, 1])
    return shapely.area(geoms) * mx * my, center


def mesh_table(
    table: FeatureTable,
    frame: LocalFrame,
    terrain: TerrainGrid | None = None,
    base: BaseMode = "min",
) -> list[MeshBlock]:
    """Full-detail meshes of every drawn row (rows not drawn get empty ranges), on ``terrain``
    if given."""
    geoms = table.geometry_to_draw.copy()
    geoms[~table.drawn] = None
    sample = terrain.sample if terrain is not None else None
    if terrain is not None and terrain.source:
        # a grid made from this build's DEM: every footprint must be on the DEM (nodes off it,
        # near the corners of a turned raster, only fill the margin); a saved grid was checked
        # when its city was built
        xy = shapely.get_coordinates(table.footprint)
        terrain.check_covers(xy[:, 0], xy[:, 1])
    if table.solid is None:
        return extrude_footprints(geoms, table.base_height_m, table.height_m, frame, sample, base)
    from tiles.geometry.solids import mesh_solids

    has_solid = np.array([s is not None for s in table.solid], dtype=bool)
    geoms[has_solid] = None
    # on a terrain, 3D models keep their real heights (made ellipsoidal by the same geoid as
    # the DEM's), so they and the terrain agree; else each stands on the ellipsoid
    real = orthometric_to_ellipsoidal if terrain is not None else None
    blocks = mesh_solids(table, frame, real)
    if not has_solid.all():
        blocks += extrude_footprints(
            geoms, table.base_height_m, table.height_m, frame, sample, base
        )
    return blocks


def build_unit(
    table: FeatureTable,
    nodes: list[NodeSpec],
    frame: LocalFrame,
    datasets: list[str],
    options: ContentOptions,
) -> UnitResult:
    """Produce the content of ``nodes``; ``table`` holds exactly the rows the nodes refer to."""
    table = table.expanded()
    result = UnitResult()
    t0 = time.perf_counter()
    full: list[MeshBlock] | None = None
    if any(n.is_leaf for n in nodes):
        full = mesh_table(table, frame, options.terrain, options.base)
    area, center = footprint_metrics(table) if any(not n.is_leaf for n in nodes) else (None, None)
    result.mesh_s += time.perf_counter() - t0

    for node in nodes:
        t0 = time.perf_counter()
        if node.is_leaf:
            assert full is not None
            drawn = table.drawn[node.start : node.stop]
            rows_local = np.flatnonzero(drawn)
            if rows_local.size == 0:
                continue
            ids = np.full(len(table), -1, dtype=np.int64)
            ids[node.start + rows_local] = np.arange(rows_local.size)
            parts: list[Part] = [(b, ids, node.start, node.stop) for b in full]
            mesh = gather(parts)
            rows = table.take(node.start + rows_local)
        else:
            if not has_coarse_content(node.size_m):
                continue
            assert area is not None and center is not None
            sl = slice(node.start, node.stop)
            got = coarse_mesh(table.take(sl), area[sl], center[sl], node.size_m, frame, options)
            if got is None:
                continue
            mesh, coarse_rows = got
            rows = table.take(node.start + coarse_rows)
        if mesh.vertex_count == 0:
            continue
        t1 = time.perf_counter()
        result.mesh_s += t1 - t0
        result.tiles[node.key] = encode_tile(mesh, rows, node, datasets, options)
        result.encode_s += time.perf_counter() - t1
    return result


def coarse_mesh(
    table: FeatureTable,
    area: NDArray[np.float64],
    center: NDArray[np.float64],
    size_m: float,
    frame: LocalFrame,
    options: ContentOptions,
) -> tuple[TileMesh, NDArray[np.int64]] | None:
    """The coarse content of an internal tile of side ``size_m`` over the rows of ``table``
    (``area`` and ``center`` from :func:`footprint_metrics`), and the rows its features are
    (landmarks, positions in ``table``); None when it shows nothing."""
    coarse = coarse_content(
        table,
        area,
        center,
        size_m,
        frame,
        options.terrain.sample if options.terrain is not None else None,
        options.base,
    )
    if not coarse.blocks:
        return None
    return gather([(b, ids, 0, b.feature_count) for b, ids in coarse.blocks]), coarse.rows


def encode_tile(
    mesh: TileMesh,
    rows: FeatureTable,
    node: NodeSpec,
    datasets: list[str],
    options: ContentOptions,
) -> EncodedTile:
    """The glb of one tile: ``mesh`` with ``rows`` as its features."""
    tile = encode_glb(
        mesh,
        rows,
        datasets,
        quantize=options.quantize,
        legacy_batch_id=options.legacy_b3dm,
        meshopt=options.meshopt,
        max_error_m=position_error_m(node.size_m, node.is_leaf),
    )
    if options.legacy_b3dm:
        tile.batch_table = batch_table(rows, datasets)
    return tile
