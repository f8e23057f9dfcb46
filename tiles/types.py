"""The plain data of a build, shared by its stages and executors: options, each stage's typed
result, the build's result. No logic lives here, so every module of the pipeline (the stages in
``pipeline``, the executors in ``parallel`` and ``distributed``, the writers) can import it
without importing one another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import pyogrio

from tiles.build import NodeSpec
from tiles.chunked import Summary, UnitStore
from tiles.geometry.crs import LocalFrame
from tiles.heights import HeightOptions
from tiles.index.quadtree import Quadtree
from tiles.model import FeatureTable, Skip
from tiles.readers import SourceData
from tiles.writers.buildings import MULTIPOLYGON, wkb_type
from tiles.writers.tileset import ContentInfo

BUILDINGS_FILE = "buildings.fgb"
REPORT_FILE = "build-report.json"

Progress = Callable[[str, int, int], None]


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
    # inputs with more features than this are read, resolved and meshed chunk by chunk through
    # spill files (tiles/chunked.py), so memory stays bounded; None: always in memory
    chunk_rows: int | None = 100_000
    # the ground layer (tiles/ground/) into NAME/ground/: from the inputs and ``ground_inputs``
    ground: bool = False
    ground_inputs: list[str] = field(default_factory=list)
    # a DEM (any GDAL raster, any CRS; orthometric heights): buildings and ground on the terrain,
    # and a quantized-mesh terrain in NAME/terrain/ (tiles/terrain/); None: the ellipsoid
    dem: str | None = None
    dem_crs: str | None = None  # the DEM's CRS when it declares none (an .asc, .xyz), or instead
    base: str = "min"  # a building's ground on the terrain: "min" or "mean" under its footprint
    # or stand on a terrain already built (a city's NAME/terrain/grid.npz): a proposal's massing
    terrain_grid: str | None = None


@dataclass
class ReadResult:
    sources: list[SourceData]  # emptied by the heights stage once converted (memory)
    skipped: list[Skip]
    seconds: float
    inputs: list[dict[str, Any]] = field(default_factory=list)  # path, dataset, crs, features
    # OSM layers read with the buildings for the ground layer (by str(path); BuildOptions.ground)
    osm_layers: dict[str, Any] = field(default_factory=dict)


@dataclass
class HeightResult:
    table: FeatureTable | None  # None in a bounded build (its rows are spilled)
    skipped: list[Skip]
    seconds: float


class RowSource(Protocol):
    """Where a partition's rows are, in quadtree order: the only thing in which an in-memory
    build and a bounded one differ once partitioned (meshing, writing and the report take
    their rows from here)."""

    #: whether the rows were read in chunks and spilled to disk (``build-report.json``)
    bounded: bool

    def unit_table(self, k: int, unit_range: tuple[int, int]) -> FeatureTable:
        """The rows of unit ``k`` (compact), ``unit_range`` its rows in quadtree order."""
        ...

    def any_multipolygon(self) -> bool:
        """Whether some footprint is a MultiPolygon (the layer type of buildings.fgb)."""
        ...


@dataclass
class TableRows:
    """Every row in memory, reordered so that each quadtree node is a contiguous range."""

    table: FeatureTable
    bounded: bool = False

    def unit_table(self, k: int, unit_range: tuple[int, int]) -> FeatureTable:
        a, b = unit_range
        return self.table.take(slice(a, b))

    def any_multipolygon(self) -> bool:
        return bool(np.any(wkb_type(self.table.footprint) == MULTIPOLYGON))


@dataclass
class SpilledRows:
    """Each unit's rows in a spill file of its own (tiles/chunked.py), loaded when asked for."""

    store: UnitStore
    bounded: bool = True

    def unit_table(self, k: int, unit_range: tuple[int, int]) -> FeatureTable:
        return self.store.table(k)

    def any_multipolygon(self) -> bool:
        return self.store.multi


@dataclass
class PartitionResult:
    """The quadtree, its work units, and where their rows are (``source``: a table in memory,
    or, in a bounded build, a spill file per unit)."""

    source: RowSource | None  # None until the rows are placed
    tree: Quadtree
    frame: LocalFrame
    units: list[list[NodeSpec]]
    unit_ranges: list[tuple[int, int]]
    seconds: float
    bbox: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # lon/lat of all footprints
    subtree_units: int = 0  # the first ones tile the rows in order; the rest are coarse tiles
    summary: Summary = field(default_factory=Summary)

    @property
    def rows(self) -> int:
        return self.summary.buildings

    @property
    def bounded(self) -> bool:
        return self.source is not None and self.source.bounded

    def unit_table(self, k: int) -> FeatureTable:
        """The rows of unit ``k`` (compact), in quadtree order."""
        assert self.source is not None, "the partition has no rows yet"
        return self.source.unit_table(k, self.unit_ranges[k])

    def tables(self) -> Iterator[FeatureTable]:
        """Every row once, in quadtree order, a unit at a time."""
        for k in range(self.subtree_units):
            yield self.unit_table(k)


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
