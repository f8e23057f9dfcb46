"""Polygon rings as flat arrays: every vertex of every ring of every footprint, in one pass.

``shapely.to_ragged_array`` gives the coordinates and the ring/polygon/feature offsets of all
footprints without creating a Python object per part or ring; the clean-up the extrusion needs
(closing vertex dropped, repeated vertices removed, exteriors counter-clockwise and holes
clockwise, empty polygons dropped) is then done in numpy on those arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

_POLYGON = shapely.GeometryType.POLYGON


@dataclass
class Rings:
    """Vertices of polygons stacked ring by ring (closing vertex not repeated).

    Ring ``r`` owns vertices ``ring_start[r]:ring_start[r+1]`` and belongs to polygon
    ``ring_poly[r]``; polygon ``p`` owns rings ``poly_ring_start[p]:poly_ring_start[p+1]``
    (exterior first) and belongs to feature ``poly_feat[p]``. Exteriors are counter-clockwise
    and holes clockwise in (lon, lat).
    """

    lonlat: NDArray[np.float64]  # (V, 2)
    ring_start: NDArray[np.int64]  # (R + 1,)
    ring_poly: NDArray[np.int64]  # (R,)
    poly_ring_start: NDArray[np.int64]  # (P + 1,)
    poly_feat: NDArray[np.int64]  # (P,)

    @property
    def poly_vertex_start(self) -> NDArray[np.int64]:
        return self.ring_start[self.poly_ring_start]

    @property
    def vertex_ring(self) -> NDArray[np.int64]:
        return np.repeat(np.arange(self.ring_poly.shape[0]), np.diff(self.ring_start))


def _empty() -> Rings:
    z = np.zeros(1, np.int64)
    e = np.zeros(0, np.int64)
    return Rings(np.zeros((0, 2)), z, e, z.copy(), e.copy())


def _starts(counts: NDArray[np.int64]) -> NDArray[np.int64]:
    out = np.zeros(counts.shape[0] + 1, np.int64)
    np.cumsum(counts, out=out[1:])
    return out


def _raw_rings(
    footprints: NDArray[np.object_],
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Closed rings as they are: ``(coords, ring_offsets, poly_ring_offsets, poly_feat)``.

    Footprints that are one polygon without holes (nearly all buildings) are read with a single
    ``get_coordinates``: their coordinates are one ring, which is the case when the first vertex
    comes back only at the end (rings of valid polygons are simple). Only the others go through
    ``to_ragged_array``, which makes a Python object per part and ring.
    """
    n = footprints.shape[0]
    present = ~(shapely.is_missing(footprints) | shapely.is_empty(footprints))
    coords, owner = shapely.get_coordinates(footprints, return_index=True)
    counts = np.bincount(owner, minlength=n)
    start = _starts(counts)
    back = np.all(coords == coords[start[:-1][owner]], axis=1)
    single = present & (np.bincount(owner, back, minlength=n) == 2) & (counts >= 4)
    single[single] &= back[start[1:][single] - 1]
    single &= shapely.get_num_geometries(footprints) == 1
    complex_ = np.flatnonzero(present & ~single)
    simple = np.flatnonzero(single)
    if complex_.size == 0:
        v_keep = single[owner]
        return (
            coords[v_keep],
            _starts(counts[simple]),
            np.arange(simple.size + 1, dtype=np.int64),
            simple.astype(np.int64),
        )
    kind, c_coords, offsets = shapely.to_ragged_array(footprints[complex_])
    c_ring_off = offsets[0].astype(np.int64)
    c_poly_off = offsets[1].astype(np.int64)
    if kind == _POLYGON:
        c_feat_off = np.arange(complex_.size + 1, dtype=np.int64)
    else:
        c_feat_off = offsets[2].astype(np.int64)
    c_n_poly = c_poly_off.shape[0] - 1
    c_ring_poly = np.repeat(np.arange(c_n_poly), np.diff(c_poly_off))
    c_ring_feat = complex_[np.repeat(np.arange(complex_.size), np.diff(c_feat_off))][c_ring_poly]
    # every ring as (feature, polygon key, source range); stable-sorted back into feature order
    all_coords = np.concatenate([coords, c_coords])
    r_start = np.concatenate([start[:-1][simple], c_ring_off[:-1] + coords.shape[0]])
    r_len = np.concatenate([counts[simple], np.diff(c_ring_off)])
    r_feat = np.concatenate([simple, c_ring_feat])
    r_poly = np.concatenate([np.arange(simple.size), c_ring_poly + simple.size])
    order = np.argsort(r_feat, kind="stable")
    r_start, r_len, r_feat, r_poly = r_start[order], r_len[order], r_feat[order], r_poly[order]
    ring_off = _starts(r_len)
    gather = np.repeat(r_start - ring_off[:-1], r_len) + np.arange(ring_off[-1])
    new_poly = np.flatnonzero(np.r_[True, r_poly[1:] != r_poly[:-1]])
    poly_off = np.append(new_poly, r_poly.shape[0]).astype(np.int64)
    return all_coords[gather], ring_off, poly_off, r_feat[new_poly].astype(np.int64)


def polygon_rings(footprints: NDArray[np.object_], repeat_tol: float) -> Rings:
    """Clean rings of (Multi)Polygons; ``None`` or empty footprints contribute nothing.

    Vertices closer than ``repeat_tol`` to the previous vertex of their ring are dropped; rings
    left with fewer than three vertices are dropped, and so is a polygon whose exterior is dropped
    or whose area is not positive.

    Examples
    --------
    >>> from shapely import box
    >>> r = polygon_rings(np.array([None, box(0, 0, 1, 1)], dtype=object), 1e-9)
    >>> r.lonlat.tolist(), r.poly_feat.tolist()
    ([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]], [1])
    """
    coords, ring_off, poly_off, poly_feat = _raw_rings(footprints)
    n_ring = ring_off.shape[0] - 1
    n_poly = poly_off.shape[0] - 1
    ring_poly = np.repeat(np.arange(n_poly), np.diff(poly_off))
    ring_size = np.diff(ring_off)
    v_ring = np.repeat(np.arange(n_ring), ring_size)

    # drop the closing vertex, then every vertex within tolerance of its predecessor
    keep = np.ones(coords.shape[0], dtype=bool)
    keep[ring_off[1:][ring_size > 0] - 1] = False
    prev = np.arange(coords.shape[0]) - 1
    first = ring_off[:-1][ring_size > 1]
    prev[first] = first + ring_size[ring_size > 1] - 2  # a ring's first vertex follows its last
    step = coords - coords[np.maximum(prev, 0)]
    keep &= np.hypot(step[:, 0], step[:, 1]) > repeat_tol
    size = np.bincount(v_ring[keep], minlength=n_ring)

    # signed areas (shoelace, about the ring's first vertex for precision)
    xy = coords[keep]
    vr = v_ring[keep]
    start = _starts(size)
    nxt = np.arange(xy.shape[0]) + 1
    has = size > 0
    nxt[start[1:][has] - 1] = start[:-1][has]
    origin = xy[start[:-1][has]]
    rel = xy - np.repeat(origin, size[has], axis=0)
    cross = rel[:, 0] * rel[nxt, 1] - rel[nxt, 0] * rel[:, 1]
    ring_area = np.bincount(vr, cross, minlength=n_ring) / 2.0

    ring_ok = size >= 3
    is_exterior = np.zeros(n_ring, dtype=bool)
    is_exterior[poly_off[:-1][np.diff(poly_off) > 0]] = True
    hole_area = np.bincount(
        ring_poly, np.where(is_exterior | ~ring_ok, 0.0, np.abs(ring_area)), minlength=n_poly
    )
    ext = poly_off[:-1]
    nonempty = np.diff(poly_off) > 0
    poly_ok = np.zeros(n_poly, dtype=bool)
    ext_ne = ext[nonempty]
    poly_ok[nonempty] = ring_ok[ext_ne] & (np.abs(ring_area[ext_ne]) - hole_area[nonempty] > 0)
    ring_ok &= poly_ok[ring_poly]

    # orient: exteriors counter-clockwise, holes clockwise; a reversed ring keeps its first vertex
    flip = np.where(is_exterior, ring_area < 0, ring_area > 0) & ring_ok
    v_keep = ring_ok[vr]
    local = np.arange(xy.shape[0]) - np.repeat(start[:-1], size)
    flip_v = flip[vr]
    k = size[vr]
    order = np.arange(xy.shape[0])
    order[flip_v] = (start[:-1][vr] + (k - local) % k)[flip_v]
    xy = xy[order][v_keep]

    ring_ids = np.flatnonzero(ring_ok)
    poly_ids = np.flatnonzero(poly_ok)
    new_poly = np.cumsum(poly_ok) - 1
    rings_per_poly = np.bincount(new_poly[ring_poly[ring_ids]], minlength=poly_ids.shape[0])
    return Rings(
        lonlat=xy,
        ring_start=_starts(size[ring_ids]),
        ring_poly=new_poly[ring_poly[ring_ids]].astype(np.int64),
        poly_ring_start=_starts(rings_per_poly),
        poly_feat=poly_feat[poly_ids].astype(np.int64),
    )
