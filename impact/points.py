"""Where results are computed: façade grids (one row per storey) and ground grids.

Window positions are unknown, so every façade facing the site gets a grid: columns every
``spacing_m`` along each wall, one row at the middle of each storey (storeys from the building's
``levels`` when known, else its height over ``storey_m``). Points sit ``OFFSET_M`` in front of the
wall so rays start outside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from impact.cache import storable
from impact.errors import TooLargeError
from impact.scene import AnyScene

OFFSET_M = 0.05
DEFAULT_STOREY_M = 3.0
MAX_POINTS = 200_000


@storable
@dataclass
class Points:
    """Analysis points in the scene's frame: position, outward unit normal, owning feature."""

    xyz: NDArray[np.float64]  # (N, 3)
    normal: NDArray[np.float64]  # (N, 3), (0, 0, 1) on the ground
    feature: NDArray[np.int64]  # (N,) index into the scene's table, -1 for ground
    storey: NDArray[np.int64]  # (N,) 0-based row, 0 on the ground

    def __len__(self) -> int:
        return int(self.xyz.shape[0])

    def take(self, mask: NDArray[Any]) -> Points:
        return Points(self.xyz[mask], self.normal[mask], self.feature[mask], self.storey[mask])

    @property
    def facing_azimuth_deg(self) -> NDArray[np.float64]:
        """Compass bearing of each normal (0 north, 90 east)."""
        return np.degrees(np.arctan2(self.normal[:, 0], self.normal[:, 1])) % 360.0


def facade_points(
    scene: AnyScene,
    features: NDArray[np.int64],
    *,
    toward_xy: tuple[float, float] | None = None,
    spacing_m: float = 5.0,
    storey_m: float = DEFAULT_STOREY_M,
    max_points: int = MAX_POINTS,
) -> Points:
    """Grids on the walls of ``features`` (indices into the scene's table).

    With ``toward_xy`` only walls whose outward normal faces that point (the site) are kept.
    """
    table = scene.table
    xyz, normal, owner, storey = [], [], [], []
    count = 0
    for f in features:
        geom = table.geometry_to_draw[f]
        base, top = float(table.base_height_m[f]), float(table.height_m[f])
        levels = table.levels[f]
        rows = (
            int(levels) if np.isfinite(levels) and levels >= 1 else round((top - base) / storey_m)
        )
        rows = max(1, rows)
        z = base + (np.arange(rows) + 0.5) * (top - base) / rows
        rings = [
            np.asarray(r.coords)
            for poly in shapely.get_parts(shapely.orient_polygons(geom))
            for r in (poly.exterior, *poly.interiors)  # courtyards have façades too
        ]
        for ring in rings:
            local = scene.frame.lonlat_to_local(ring[:, 0], ring[:, 1], 0.0)[:, :2]
            a, b = local[:-1], local[1:]
            edge = b - a
            length = np.hypot(edge[:, 0], edge[:, 1])
            keep = length > 0.5
            a, edge, length = a[keep], edge[keep], length[keep]
            # exteriors counter-clockwise, holes clockwise: the outside is on the right of each edge
            out = np.column_stack([edge[:, 1], -edge[:, 0]]) / length[:, None]
            for k in range(a.shape[0]):
                cols = max(1, round(length[k] / spacing_m))
                t = (np.arange(cols) + 0.5) / cols
                xy = a[k] + t[:, None] * edge[k] + OFFSET_M * out[k]
                if toward_xy is not None:
                    mid = a[k] + 0.5 * edge[k]
                    if np.dot(np.asarray(toward_xy) - mid, out[k]) <= 0:
                        continue
                for r, zr in enumerate(z):
                    xyz.append(np.column_stack([xy, np.full(cols, zr)]))
                    normal.append(np.tile([out[k][0], out[k][1], 0.0], (cols, 1)))
                    owner.append(np.full(cols, f))
                    storey.append(np.full(cols, r))
                count += cols * len(z)
        if count > max_points:
            raise TooLargeError(f"more than {max_points} façade points; narrow the study radius")
    if not xyz:
        return Points(
            np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0, np.int64), np.zeros(0, np.int64)
        )
    return Points(
        np.concatenate(xyz),
        np.concatenate(normal),
        np.concatenate(owner).astype(np.int64),
        np.concatenate(storey).astype(np.int64),
    )


def ground_points(
    scene: AnyScene,
    area_local: shapely.Geometry,
    *,
    spacing_m: float = 5.0,
    height_m: float = 0.05,
    max_points: int = MAX_POINTS,
) -> Points:
    """A square grid over ``area_local`` (a polygon in the scene's x/y metres), off footprints."""
    minx, miny, maxx, maxy = area_local.bounds
    n = ((maxx - minx) / spacing_m + 1) * ((maxy - miny) / spacing_m + 1)
    if n > 4 * max_points:
        raise TooLargeError(f"a ground grid of about {int(n)} points; at most {max_points}")
    xs = np.arange(minx + spacing_m / 2, maxx, spacing_m)
    ys = np.arange(miny + spacing_m / 2, maxy, spacing_m)
    gx, gy = np.meshgrid(xs, ys)
    pts = shapely.points(gx.ravel(), gy.ravel())
    inside = shapely.contains_xy(area_local, gx.ravel(), gy.ravel())
    built = footprints_local(scene)
    if built is not None:
        inside &= ~shapely.contains_xy(built, gx.ravel(), gy.ravel())
    xy = shapely.get_coordinates(pts[inside])
    if xy.shape[0] > max_points:
        raise TooLargeError(f"{xy.shape[0]} ground points; at most {max_points}")
    m = xy.shape[0]
    return Points(
        np.column_stack([xy, np.full(m, height_m)]),
        np.tile([0.0, 0.0, 1.0], (m, 1)),
        np.full(m, -1, np.int64),
        np.zeros(m, np.int64),
    )


def footprints_local(scene: AnyScene) -> shapely.Geometry | None:
    """The union of the scene's footprints in its x/y metres (only ground-standing parts)."""
    table = scene.table
    on_ground = table.base_height_m <= 0.5
    if not on_ground.any():
        return None
    return shapely.union_all(to_local(scene, table.geometry_to_draw[on_ground]))


def to_local(scene: AnyScene, geoms: NDArray[np.object_]) -> NDArray[np.object_]:
    """Lon/lat geometries in the scene's x/y metres."""

    def transform(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        return scene.frame.lonlat_to_local(coords[:, 0], coords[:, 1], 0.0)[:, :2]

    return np.asarray(shapely.transform(geoms, transform), dtype=object)
