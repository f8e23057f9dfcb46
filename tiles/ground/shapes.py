"""Ground features as polygons in a local metric plane: centre lines buffered by their width,
carriageway outlines (``area:highway``) cut out of the buffered centre lines they cover, and
everything clipped to the extent of the build.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyproj
import shapely
from numpy.typing import NDArray

from tiles.geometry.lattice import lattice_fill, lattice_index
from tiles.ground.classes import GroundClass
from tiles.ground.sources import GroundSource

# buffer ends and joins: two segments per quarter circle is enough for a street end seen from
# above and keeps a city's road network at a few vertices per metre of street
QUAD_SEGS = 2
WGS84 = "EPSG:4326"


@dataclass
class GroundShapes:
    """Ground polygons in the plane (metres, x east, y north), one row per feature."""

    geom: NDArray[np.object_]  # (Multi)Polygons
    ground_class: NDArray[np.uint8]
    kind: NDArray[np.object_]
    name: NDArray[np.object_]
    source_id: NDArray[np.object_]
    plane: Plane

    def __len__(self) -> int:
        return int(self.geom.shape[0])


@dataclass(frozen=True)
class Plane:
    """An azimuthal equidistant plane at ``(lon0, lat0)``: metres true to a few parts per
    million over a city, so widths and areas are right everywhere in it."""

    lon0: float
    lat0: float

    def _crs(self) -> str:
        return f"+proj=aeqd +lat_0={self.lat0!r} +lon_0={self.lon0!r} +datum=WGS84 +units=m"

    def forward(self, geoms: NDArray[np.object_]) -> NDArray[np.object_]:
        tr = _transformer(WGS84, self._crs())
        return shapely.transform(
            geoms, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))
        )

    def inverse_xy(
        self, xy: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        lon, lat = _transformer(self._crs(), WGS84).transform(xy[:, 0], xy[:, 1])
        return np.asarray(lon), np.asarray(lat)

    def inverse_lattice(
        self, gx: NDArray[np.float64], gy: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """lon/lat at every node of the lattice ``gx`` x ``gy`` (1-D, regular), as
        (len(gy), len(gx)): exact every ``LATTICE_STEP`` nodes and bilinear between
        (:mod:`tiles.geometry.lattice`; over a city the plane departs from linear by well under
        a millimetre across 16 nodes of 5 m)."""
        ix, iy = lattice_index(gx.size), lattice_index(gy.size)
        sx, sy = np.meshgrid(gx[ix], gy[iy])
        lon, lat = _transformer(self._crs(), WGS84).transform(sx.ravel(), sy.ravel())
        shape = sx.shape
        lon, lat = np.asarray(lon).reshape(shape), np.asarray(lat).reshape(shape)
        return lattice_fill(lon, ix, iy), lattice_fill(lat, ix, iy)


@lru_cache(maxsize=8)
def _transformer(src: str, dst: str) -> pyproj.Transformer:
    # building a transformer costs ~20 ms: once per plane, not once per tile
    return pyproj.Transformer.from_crs(src, dst, always_xy=True)


@dataclass
class InPlane:
    """The centre lines and areas of a :class:`GroundSource` projected to a plane, once for the
    polygons and the labels."""

    lines: NDArray[np.object_]
    areas: NDArray[np.object_]

    @classmethod
    def of(cls, src: GroundSource, plane: Plane) -> InPlane:
        return cls(plane.forward(src.line_geom), plane.forward(src.area_geom))


def ground_shapes(
    src: GroundSource,
    plane: Plane,
    extent_lonlat: tuple[float, float, float, float],
    projected: InPlane | None = None,
) -> GroundShapes:
    """Buffer, cut and clip the ground features of ``src`` in ``plane``."""
    projected = projected or InPlane.of(src, plane)
    lines = projected.lines
    buffered = shapely.buffer(lines, src.line_width_m / 2.0, quad_segs=QUAD_SEGS)
    areas = projected.areas
    own = areas[src.area_own_road]
    if own.size:
        # a carriageway drawn as its own outline replaces the buffered centre lines under it
        roads = src.line_class == GroundClass.CARRIAGEWAY
        cut = shapely.union_all(own)
        buffered[roads] = shapely.difference(buffered[roads], cut)
    geom = np.concatenate([areas, buffered])
    lon = np.array(extent_lonlat[0::2])
    lat = np.array(extent_lonlat[1::2])
    box = plane.forward(np.array([shapely.box(lon[0], lat[0], lon[1], lat[1])], dtype=object))[0]
    # areas were made valid when read and buffers are valid: only what crosses the box is cut
    cross = ~shapely.contains_properly(box, geom)
    geom[cross] = [_polygonal(g) for g in shapely.intersection(geom[cross], box)]
    keep = ~shapely.is_empty(geom) & (shapely.area(geom) > 0.01)
    cat = np.concatenate
    return GroundShapes(
        geom=geom[keep],
        ground_class=cat([src.area_class, src.line_class]).astype(np.uint8)[keep],
        kind=cat([src.area_kind, src.line_kind])[keep],
        name=cat([src.area_name, src.line_name])[keep],
        source_id=cat([src.area_id, src.line_id])[keep],
        plane=plane,
    )


def _polygonal(g: shapely.Geometry) -> shapely.Geometry:
    """The polygons of a geometry (clipping and make_valid may leave lines and points)."""
    if g is None or g.is_empty:
        return shapely.Polygon()
    t = shapely.get_type_id(g)
    if t in (3, 6):
        return g
    parts = shapely.get_parts(g)
    polys = [p for p in parts if shapely.get_type_id(p) in (3, 6)]
    if not polys:
        return shapely.Polygon()
    return shapely.union_all(polys)
