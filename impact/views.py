"""Visibility of a scheme: a zone of theoretical visibility and protected views.

ZTV: from each eye-height point, rays go to sample points on the scheme's surface; a sample is
seen when nothing (the scheme's own far side included) stands between the eye and it. The
result per point is the share of the samples seen (0 = the scheme is hidden from there).

Protected view: from a viewpoint towards a target (a landmark), a raster of rays across the view
(``fov`` degrees wide and high); each ray records what it hits first. The scheme's share of the
view is its share of those rays; it "rises above the silhouette" when, in a column of the view
where the landmark is seen, a ray above the landmark's highest ray hits the scheme.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
import trimesh
from numpy.typing import NDArray

from impact.cache import digest
from impact.errors import InvalidInputError, TooLargeError
from impact.points import Points
from impact.scene import AnyScene, SplitScene

EYE_HEIGHT_M = 1.6
MAX_TARGETS = 400
MAX_VIEW_RAYS = 1_000_000


def scheme_targets(scene: AnyScene, max_targets: int = MAX_TARGETS) -> NDArray[np.float64]:
    """``max_targets`` sample points spread evenly by area over the scheme's surface (a fixed
    seed, so runs repeat), nudged 5 cm out from their face so that a ray aimed at one is
    stopped only by what stands before it."""
    if isinstance(scene, SplitScene):
        scene = scene.own  # every triangle of it is the scheme's, in the same order
    tris = np.flatnonzero(scene.scheme[scene.tri_feature])
    if tris.size == 0:
        raise InvalidInputError("the scene has no scheme to look at")
    sub = trimesh.Trimesh(scene.mesh.vertices, scene.mesh.faces[tris], process=False)
    points, face = trimesh.sample.sample_surface(sub, max_targets, seed=0)
    return np.asarray(points + 0.05 * sub.face_normals[face])


def visibility(
    scene: AnyScene, eyes: Points, targets: NDArray[np.float64], *, chunk: int = 500
) -> NDArray[np.float64]:
    """Share (0..1) of the scheme's ``targets`` seen from each eye point."""
    out = np.zeros(len(eyes))
    k = targets.shape[0]
    for s in range(0, len(eyes), chunk):
        e = eyes.xyz[s : s + chunk]
        origins = np.repeat(e, k, axis=0)
        vec = np.tile(targets, (e.shape[0], 1)) - origins
        dist = np.linalg.norm(vec, axis=1)
        dirs = vec / np.maximum(dist, 1e-9)[:, None]
        _, hit = scene.first_hit(origins, dirs)
        # seen when nothing stands before the sample (which is 5 cm out from its own face)
        seen = hit > dist - 0.25
        out[s : s + e.shape[0]] = seen.reshape(e.shape[0], k).mean(axis=1)
    return out


#: The zone of theoretical visibility is drawn in these bands of the scheme's share seen.
ZONE_BANDS = (0.0, 0.25, 0.5)


def visibility_zone(
    eyes: Points,
    share: NDArray[np.float64],
    spacing_m: float,
    within: shapely.Geometry,
    bands: tuple[float, ...] = ZONE_BANDS,
) -> list[tuple[float, shapely.Geometry]]:
    """The zone of theoretical visibility as polygons in the scene's x/y metres.

    Each eye point stands for the square cell of the grid around it (``spacing_m`` a side);
    the zone of a band is the union of the cells whose eye sees *more than* that share of the
    scheme, clipped to ``within`` (the studied ground: open ground around the site, off
    footprints). Returns ``(band, polygon)`` for each band, an empty polygon where no cell is in
    it; bands nest (the zone of 0.5 lies inside the zone of 0.25).
    """
    half = spacing_m / 2.0
    x, y = eyes.xyz[:, 0], eyes.xyz[:, 1]
    out = []
    for band in bands:
        m = share > band
        cells = shapely.box(x[m] - half, y[m] - half, x[m] + half, y[m] + half)
        zone = shapely.union_all(cells, grid_size=1e-3) if m.any() else shapely.Polygon()
        out.append((band, shapely.intersection(zone, within, grid_size=1e-3)))
    return out


@dataclass
class ViewResult:
    """What a protected view sees: the scheme's share, the landmark's, and the skyline test."""

    scheme_share: float  # of all rays in the view
    landmark_share: float
    rises_above_landmark: bool
    landmark_hidden_share: float  # of the landmark's rays before, hidden by the scheme after


def _view_rays(
    eye: NDArray[np.float64], target: NDArray[np.float64], fov_deg: float, step_deg: float
) -> tuple[NDArray[np.float64], int, int]:
    look = target - eye
    bearing = np.arctan2(look[0], look[1])
    pitch = np.arctan2(look[2], np.hypot(look[0], look[1]))
    half = np.radians(fov_deg) / 2
    n = round(fov_deg / step_deg)
    if n * n > MAX_VIEW_RAYS:
        raise TooLargeError(f"a view of {n}x{n} rays; at most {MAX_VIEW_RAYS}")
    az = bearing + np.linspace(-half, half, n)
    el = pitch + np.linspace(half, -half, n)  # row 0 at the top
    el_g, az_g = np.meshgrid(el, az, indexing="ij")
    dirs = np.stack(
        [np.cos(el_g) * np.sin(az_g), np.cos(el_g) * np.cos(az_g), np.sin(el_g)], axis=-1
    )
    return dirs.reshape(-1, 3), n, n


def protected_view(
    before: AnyScene,
    after: AnyScene,
    eye_xyz: tuple[float, float, float],
    target_xyz: tuple[float, float, float],
    landmark_before: NDArray[np.bool_],
    landmark_after: NDArray[np.bool_],
    *,
    fov_deg: float = 30.0,
    step_deg: float = 0.1,
) -> ViewResult:
    """The view from ``eye_xyz`` towards ``target_xyz`` before and after the scheme.

    ``landmark_*`` flag the landmark's features in each scene's table.
    """
    if not (1.0 <= fov_deg <= 120.0) or not (0.01 <= step_deg <= 5.0):
        raise InvalidInputError(f"fov {fov_deg} deg / step {step_deg} deg out of range")
    eye = np.asarray(eye_xyz, np.float64)
    dirs, rows, cols = _view_rays(eye, np.asarray(target_xyz, np.float64), fov_deg, step_deg)
    origins = np.broadcast_to(eye, dirs.shape).copy()
    key = digest("view", eye, np.asarray(target_xyz, np.float64), fov_deg, step_deg)
    f_before, _ = before.first_hit(origins, dirs, key)
    f_after, _ = after.first_hit(origins, dirs, key)
    lm_before = (f_before >= 0) & landmark_before[np.maximum(f_before, 0)]
    lm_after = (f_after >= 0) & landmark_after[np.maximum(f_after, 0)]
    scheme = (f_after >= 0) & after.scheme[np.maximum(f_after, 0)]
    lm_grid = lm_before.reshape(rows, cols)
    scheme_grid = scheme.reshape(rows, cols)
    has_lm = lm_grid.any(axis=0)
    top = np.where(has_lm, lm_grid.argmax(axis=0), rows)  # first (highest) landmark row
    above = np.arange(rows)[:, None] < top[None, :]
    rises = bool((scheme_grid & above & has_lm[None, :]).any())
    hidden = float((lm_before & ~lm_after).sum() / lm_before.sum()) if lm_before.any() else 0.0
    return ViewResult(float(scheme.mean()), float(lm_before.mean()), rises, hidden)
