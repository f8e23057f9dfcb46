"""The ground height under each building footprint: the minimum (a building's lowest entrance,
so no wall floats above a slope) or the mean of the DEM at the footprint's vertices and its
representative point."""

from __future__ import annotations

from typing import Literal

import numpy as np
import shapely
from numpy.typing import NDArray

from tiles.errors import InvalidInputError
from tiles.terrain.dem import Dem

BaseMode = Literal["min", "mean"]


def footprint_bases(
    footprints: NDArray[np.object_], dem: Dem, mode: BaseMode = "min"
) -> NDArray[np.float64]:
    """Ellipsoidal ground height (metres) per lon/lat (Multi)Polygon in ``footprints``.

    Raises :class:`InvalidInputError` naming how many footprints, and the first, lie off the
    DEM (outside it or on no-data cells) for every one of their points.
    """
    if mode not in ("min", "mean"):
        raise ValueError(f"mode must be 'min' or 'mean', got {mode!r}")
    n = footprints.shape[0]
    rings = shapely.get_exterior_ring(shapely.get_parts(footprints))
    _parts, owner = shapely.get_parts(footprints, return_index=True)
    coords, ring_idx = shapely.get_coordinates(rings, return_index=True)
    inner = shapely.get_coordinates(shapely.point_on_surface(footprints))
    xy = np.concatenate([coords, inner])
    who = np.concatenate([owner[ring_idx], np.arange(n)])
    h = dem.ellipsoidal(xy[:, 0], xy[:, 1])
    ok = ~np.isnan(h)
    count = np.bincount(who[ok], minlength=n)
    if (count == 0).any():
        bad = np.flatnonzero(count == 0)
        raise InvalidInputError(
            f"{dem.path}: {bad.size} footprint(s) lie off the DEM (outside it or on no data), "
            f"the first at row {int(bad[0])}; use a DEM that covers the whole city"
        )
    if mode == "mean":
        return np.bincount(who[ok], h[ok], minlength=n) / count
    out = np.full(n, np.inf)
    np.minimum.at(out, who[ok], h[ok])
    return out
