"""Ground polygons to a quadtree of glb tiles (REPLACE refinement, like the buildings).

Leaves (at most ``leaf_size_m`` across) hold every polygon clipped to their cell at full detail.
An internal tile of side ``S`` shows its subtree at ``c = S / CELLS`` metres (the buildings' rule,
:mod:`tiles.index.lod`): polygons simplified with tolerance ``c / 4``; what is smaller than
``c x c``, and footways, are left to the children. Its geometric error is ``c``. Cutting every
polygon at the cells also keeps triangles short, so a flat triangle never sags into the globe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from tiles.geometry.crs import LocalFrame, ellipsoid_up
from tiles.geometry.triangulate import triangulate_polygons
from tiles.ground.classes import BASE_OFFSET_M, OFFSET_STEP_M, GroundClass
from tiles.ground.content import GroundMesh, GroundRows, encode_ground_glb
from tiles.ground.drape import DrapeCells, cut_at_cells, polygonal
from tiles.ground.shapes import GroundShapes
from tiles.index.lod import cell_size, position_error_m
from tiles.index.quadtree import Node
from tiles.writers.tileset import ContentInfo, content_uri

log = logging.getLogger(__name__)

MAX_DEPTH = 8  # 4**8 leaves at most: bounded before any tile is cut
MAX_ROOT_M = 200_000.0  # a ground layer wider than this is not a city

# ground height (ellipsoidal metres) at lon/lat: the terrain, or 0 (the ellipsoid) without one
HeightFn = Callable[[NDArray[np.float64], NDArray[np.float64]], NDArray[np.float64]]


def flat(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.zeros(lon.shape[0])


@dataclass
class GroundTiles:
    nodes: list[Node]
    contents: dict[str, ContentInfo]
    features: int
    triangles: int


def _cells(shapes: GroundShapes, leaf_size_m: float) -> tuple[NDArray[np.float64], float, int]:
    lo = shapely.bounds(shapes.geom)
    xmin, ymin = lo[:, 0].min(), lo[:, 1].min()
    xmax, ymax = lo[:, 2].max(), lo[:, 3].max()
    side = max(xmax - xmin, ymax - ymin, 1.0)
    if side > MAX_ROOT_M:
        raise ValueError(
            f"ground extent {side / 1000:.0f} km across, more than {MAX_ROOT_M / 1000:.0f}"
        )
    depth = int(np.clip(np.ceil(np.log2(side / leaf_size_m)), 0, MAX_DEPTH))
    return np.array([xmin, ymin]), side, depth


def _mesh(
    polys: NDArray[np.object_],
    owner: NDArray[np.int64],
    cls: NDArray[np.uint8],
    shapes: GroundShapes,
    frame: LocalFrame,
    height: HeightFn,
) -> GroundMesh | None:
    """Triangulate polygons (plane metres) and place their vertices on the ground + class offset."""
    parts, idx = shapely.get_parts(polys, return_index=True)
    ok = ~shapely.is_empty(parts) & (shapely.area(parts) > 0)
    parts, idx = parts[ok], idx[ok]
    if parts.size == 0:
        return None
    _, coords, (ring_off, poly_off) = shapely.to_ragged_array(parts)
    ring_len = np.diff(ring_off) - 1  # drop each ring's closing vertex
    keep = np.ones(coords.shape[0], bool)
    keep[ring_off[1:] - 1] = False
    xy = coords[keep]
    ring_ends = np.cumsum(ring_len)
    ring_starts = np.concatenate([[0], ring_ends])
    poly_vertex_start = ring_starts[poly_off]
    tris, counts = triangulate_polygons(xy, poly_vertex_start, ring_ends, poly_off.astype(np.int64))
    if tris.shape[0] == 0:
        return None
    feat = owner[idx]
    vert_feat = np.repeat(feat, np.diff(poly_vertex_start))
    vert_cls = cls[vert_feat]
    lon, lat = shapes.plane.inverse_xy(xy)
    h = height(lon, lat) + BASE_OFFSET_M + OFFSET_STEP_M * vert_cls.astype(np.float64)
    pos = frame.lonlat_to_local(lon, lat, h)
    normals = frame.vectors_to_local(ellipsoid_up(lon, lat)).astype(np.float32)
    return GroundMesh(pos, normals, vert_feat, tris, np.repeat(cls[feat], counts).astype(np.uint8))


def build_tiles(
    shapes: GroundShapes,
    frame: LocalFrame,
    write: Callable[[str, bytes], None],
    *,
    leaf_size_m: float = 256.0,
    height: HeightFn = flat,
    drape_cell_m: float | None = None,
    quantize: bool = True,
    meshopt: bool = True,
) -> GroundTiles:
    """Cut, simplify, mesh and encode the quadtree's tiles; ``write(uri, data)`` stores each."""
    origin, side, depth = _cells(shapes, leaf_size_m)
    tree = shapely.STRtree(shapes.geom)
    nodes: list[Node] = []
    contents: dict[str, ContentInfo] = {}
    totals = [0, 0]
    area = shapely.area(shapes.geom)
    drape: DrapeCells | None = None
    if drape_cell_m is not None:

        def height_xy(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
            return height(*shapes.plane.inverse_xy(np.column_stack([x, y])))

        def on_lattice(gx: NDArray[np.float64], gy: NDArray[np.float64]) -> NDArray[np.float64]:
            # the lattice's lon/lat by PROJ on every 16th node (the plane is smooth), then the
            # terrain's own bilinear heights at every node: a fifth of the time
            lon, lat = shapes.plane.inverse_lattice(gx, gy)
            return height(lon.ravel(), lat.ravel()).reshape(lon.shape)

        lo = origin
        bounds = (float(lo[0]), float(lo[1]), float(lo[0] + side), float(lo[1] + side))
        leaf_m = side / 2**depth
        drape = DrapeCells.measure(height_xy, bounds, drape_cell_m, leaf_m, on_lattice=on_lattice)

    def visit(level: int, x: int, y: int) -> int | None:
        size = side / 2**level
        x0, y0 = origin[0] + x * size, origin[1] + y * size
        hits = tree.query(shapely.box(x0, y0, x0 + size, y0 + size))
        if hits.size == 0:
            return None
        i = len(nodes)
        center = (x0 + size / 2.0, y0 + size / 2.0)
        node = Node(level, x, y, center, size / 2.0, 0, 0)
        nodes.append(node)
        leaf = level >= depth
        if not leaf:
            for dy in (0, 1):
                for dx in (0, 1):
                    child = visit(level + 1, 2 * x + dx, 2 * y + dy)
                    if child is not None:
                        node.children.append(child)
        hits = np.sort(hits)
        if not leaf:
            c = cell_size(size)
            big = (area[hits] >= c * c) & (shapes.ground_class[hits] != GroundClass.FOOTWAY)
            hits = hits[big]
        if hits.size:
            polys = shapely.clip_by_rect(shapes.geom[hits], x0, y0, x0 + size, y0 + size)
            if not leaf:
                polys = shapely.simplify(polys, cell_size(size) / 4.0)
            polys = polygonal(polys)
            ok = ~shapely.is_empty(polys)
            hits, polys = hits[ok], polys[ok]
        owner = np.arange(hits.size)
        if hits.size and drape is not None:
            # each polygon as coarse as the terrain under it allows (DrapeCells), coarser in
            # internal tiles (their polygons are simplified at that cell)
            cells = drape.cells_for(shapely.bounds(polys))
            cells = cells if leaf else np.maximum(cells, cell_size(size))
            polys, owner = cut_at_cells(polys, owner, cells)
        mesh = (
            _mesh(polys, owner, shapes.ground_class[hits], shapes, frame, height)
            if hits.size
            else None
        )
        if mesh is not None:
            used = np.unique(mesh.feature_ids)
            remap = np.full(hits.size, -1, np.int64)
            remap[used] = np.arange(used.size)
            mesh.feature_ids = remap[mesh.feature_ids]
            rows = GroundRows(
                shapes.ground_class[hits[used]],
                shapes.kind[hits[used]],
                shapes.name[hits[used]],
                shapes.source_id[hits[used]],
            )
            enc = encode_ground_glb(
                mesh,
                rows,
                quantize=quantize,
                meshopt=meshopt,
                max_error_m=position_error_m(size, leaf),
            )
            uri = content_uri(node)
            write(uri, enc.data)
            contents[node.key] = ContentInfo(
                uri,
                enc.box_min,
                enc.box_max,
                enc.features,
                enc.vertices,
                enc.triangles,
                len(enc.data),
            )
            totals[0] += enc.features
            totals[1] += enc.triangles
        if not node.children and node.key not in contents:
            nodes.pop()  # nothing drawn here (only slivers of neighbours' polygons)
            return None
        return i

    visit(0, 0, 0)
    if not nodes:
        raise ValueError("no ground polygon survived tiling")
    return GroundTiles(nodes, contents, totals[0], totals[1])
