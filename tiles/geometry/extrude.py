"""Extrusion of footprints into closed prisms: roof, walls and (for raised parts) floor.

Everything is vectorised over all vertices of all footprints; the only per-polygon Python work is
earcut for footprints that are not convex or have holes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from tiles.geometry.crs import LocalFrame, ellipsoid_up, geodetic_to_ecef
from tiles.geometry.mesh import MeshBlock
from tiles.geometry.rings import polygon_rings
from tiles.geometry.triangulate import triangulate_polygons
from tiles.model import Surface

# vertices closer than this (degrees, about 1 mm) are merged before extrusion
_REPEAT_TOL_DEG = 1e-8
_QUAD = np.array([[0, 1, 2], [0, 2, 3]], dtype=np.int64)

# ellipsoidal ground height (metres) at lon/lat arrays: a build's terrain
Terrain = Callable[[NDArray[np.float64], NDArray[np.float64]], NDArray[np.float64]]
BaseMode = Literal["min", "mean"]


def extrude_footprints(
    footprints: NDArray[np.object_],
    base_m: NDArray[np.float64],
    top_m: NDArray[np.float64],
    frame: LocalFrame,
    terrain: Terrain | None = None,
    base: BaseMode = "min",
) -> list[MeshBlock]:
    """Prisms from lon/lat (Multi)Polygons between ``base_m`` and ``top_m`` above the ellipsoid.

    Returns three blocks (roofs, walls, floors); features without geometry get empty ranges.
    Floors are emitted only where ``base_m > 0`` (a floor on the ground is never seen).

    With a ``terrain``, heights are above the ground of each feature instead: the ``min`` or
    ``mean`` of the terrain at its footprint's vertices. A feature standing on the ground
    (``base_m == 0``) has its walls' feet at the terrain under each corner, so none floats
    above a slope or is buried in it; a raised part keeps a flat floor at ground + ``base_m``.

    Examples
    --------
    >>> from shapely import box
    >>> frame = LocalFrame(0.0, 51.5)
    >>> roof, walls, floor = extrude_footprints(
    ...     np.array([box(0, 51.5, 0.0001, 51.5001)]), np.zeros(1), np.full(1, 10.0), frame)
    >>> roof.triangles.shape, walls.triangles.shape, floor.triangles.shape
    ((2, 3), (8, 3), (0, 3))
    """
    n_feat = footprints.shape[0]
    rings = polygon_rings(footprints, _REPEAT_TOL_DEG)
    lonlat = rings.lonlat
    ring_start = rings.ring_start
    poly_ring_start = rings.poly_ring_start
    poly_feat = rings.poly_feat
    poly_vertex_start = rings.poly_vertex_start
    v_poly = rings.ring_poly[rings.vertex_ring]
    v_feat = poly_feat[v_poly]

    ground = frame.ecef_to_local(geodetic_to_ecef(lonlat[:, 0], lonlat[:, 1], 0.0))
    up = frame.vectors_to_local(ellipsoid_up(lonlat[:, 0], lonlat[:, 1]))
    if terrain is None:
        bottom = ground + base_m[v_feat, None] * up
        top = ground + top_m[v_feat, None] * up
    else:
        foot = terrain(lonlat[:, 0], lonlat[:, 1])
        lift = _feature_ground(foot, v_feat, n_feat, base)[v_feat]
        top_h = lift + top_m[v_feat]
        bottom_h = np.where(base_m[v_feat] > 0, lift + base_m[v_feat], np.minimum(foot, top_h))
        bottom = ground + bottom_h[:, None] * up
        top = ground + top_h[:, None] * up

    # roofs: earcut in the frame's horizontal plane, normals along the local up of each polygon
    tris, tri_counts = triangulate_polygons(
        ground[:, :2], poly_vertex_start, ring_start[1:], poly_ring_start
    )
    poly_up = up[poly_vertex_start[:-1]].astype(np.float32)
    roof_normals = poly_up[v_poly]
    t_feat = np.repeat(poly_feat, tri_counts)
    roof = MeshBlock(
        positions=top,
        normals=roof_normals,
        triangles=tris,
        surface=np.full(tris.shape[0], Surface.ROOF, np.uint8),
        v_offsets=_offsets(v_feat, n_feat),
        t_offsets=_offsets(t_feat, n_feat),
    )

    # walls: one quad per ring edge, four vertices each for flat shading
    m = lonlat.shape[0]
    idx = np.arange(m, dtype=np.int64)
    nxt = idx + 1
    last = ring_start[1:] - 1
    nxt[last] = ring_start[:-1]
    quad = np.empty((m, 4, 3))
    quad[:, 0] = bottom
    quad[:, 1] = bottom[nxt]
    quad[:, 2] = top[nxt]
    quad[:, 3] = top
    edge = quad[:, 1] - quad[:, 0]
    normal = np.cross(edge, up)
    length = np.linalg.norm(normal, axis=1, keepdims=True)
    normal = (normal / np.where(length > 0, length, 1.0)).astype(np.float32)
    wall_tris = (np.arange(m, dtype=np.int64)[:, None, None] * 4 + _QUAD).reshape(-1, 3)
    walls = MeshBlock(
        positions=quad.reshape(-1, 3),
        normals=np.repeat(normal, 4, axis=0),
        triangles=wall_tris,
        surface=np.full(wall_tris.shape[0], Surface.WALL, np.uint8),
        v_offsets=_offsets(v_feat, n_feat) * 4,
        t_offsets=_offsets(v_feat, n_feat) * 2,
    )

    # floors under raised parts only
    raised_v = base_m[v_feat] > 0
    if raised_v.any():
        raised_t = base_m[t_feat] > 0
        remap = np.cumsum(raised_v) - 1
        floor = MeshBlock(
            positions=bottom[raised_v],
            normals=(-roof_normals[raised_v]).astype(np.float32),
            triangles=remap[tris[raised_t][:, ::-1]],
            surface=np.full(int(raised_t.sum()), Surface.GROUND, np.uint8),
            v_offsets=_offsets(v_feat[raised_v], n_feat),
            t_offsets=_offsets(t_feat[raised_t], n_feat),
        )
    else:
        floor = MeshBlock.empty(n_feat)
    return [roof, walls, floor]


def _feature_ground(
    foot: NDArray[np.float64], v_feat: NDArray[np.int64], n: int, base: BaseMode
) -> NDArray[np.float64]:
    """The ground of each feature: min or mean of the terrain at its vertices (0 if none)."""
    if base == "mean":
        count = np.bincount(v_feat, minlength=n)
        return np.bincount(v_feat, foot, minlength=n) / np.maximum(count, 1)
    if base != "min":
        raise ValueError(f"base must be 'min' or 'mean', got {base!r}")
    out = np.full(n, np.inf)
    np.minimum.at(out, v_feat, foot)
    out[np.isinf(out)] = 0.0
    return out


def _offsets(owner: NDArray[np.int64], n: int) -> NDArray[np.int64]:
    """Exclusive prefix sums of per-owner counts: ranges of a sorted owner array."""
    return np.concatenate([[0], np.cumsum(np.bincount(owner, minlength=n))]).astype(np.int64)
