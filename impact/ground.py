"""Sun on the ground and shadow hours (BRE 209, 2022, §3.3).

An open area passes BRE's test when at least half of it gets two hours of sun or more on
21 March; a scheme fails it where the share falls below 50 % and below 0.8 × its former value.
Shares are computed on a regular grid of points over each area (the share of its points).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from impact.points import Points
from impact.scene import AnyScene
from impact.sun import SunPositions, day_positions
from impact.sunlight import sun_hours

TWO_HOURS = 2.0
AREA_TARGET_FRACTION = 0.5
RETAINED_FRACTION = 0.8
SHADOW_DAYS = ((3, 21), (6, 21), (12, 21))


def march_sun(
    lat_deg: float, lon_deg: float, time_zone: str, year: int, step_min: float = 10.0
) -> SunPositions:
    """The sun on 21 March of ``year`` at the site."""
    return day_positions([date(year, 3, 21)], lat_deg, lon_deg, time_zone, step_min=step_min)


@dataclass
class GroundSun:
    """Per point: sun hours on 21 March; per area: the share of its points with two hours."""

    hours: NDArray[np.float64]
    area: NDArray[np.int64]  # area index of each point
    share_two_hours: NDArray[np.float64]  # per area, 0..1 (NaN for an area without points)


def ground_sun(
    scene: AnyScene, points: Points, area: NDArray[np.int64], n_areas: int, sun: SunPositions
) -> GroundSun:
    """Sun hours on the day of ``sun`` at ground ``points`` and, per area, the share ≥ 2 h."""
    return from_hours(sun_hours(scene, points, sun), area, n_areas)


def from_hours(hours: NDArray[np.float64], area: NDArray[np.int64], n_areas: int) -> GroundSun:
    """:class:`GroundSun` from each point's sun hours (a study reusing earlier ones)."""
    counts = np.bincount(area, minlength=n_areas).astype(np.float64)
    lit = np.bincount(area, weights=(hours >= TWO_HOURS).astype(np.float64), minlength=n_areas)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(counts > 0, lit / counts, np.nan)
    return GroundSun(hours, area, share)


def ground_adverse(before: NDArray[np.float64], after: NDArray[np.float64]) -> NDArray[np.bool_]:
    """BRE 209 §3.3.17: under half the area with 2 h on 21 March and under 0.8 × former."""
    return (after < AREA_TARGET_FRACTION) & (after < RETAINED_FRACTION * before)


def shadow_hours(
    scene: AnyScene,
    points: Points,
    lat_deg: float,
    lon_deg: float,
    time_zone: str,
    year: int,
    days: Sequence[tuple[int, int]] = SHADOW_DAYS,
    step_min: float = 10.0,
    positions: Callable[..., SunPositions] = day_positions,
) -> dict[str, NDArray[np.float64]]:
    """Hours each point is in shade while the sun is up, on each of ``days`` (month, day).

    ``positions`` computes the sun's positions (:func:`impact.sun.day_positions`, or a study's
    cached copy of it)."""
    out: dict[str, NDArray[np.float64]] = {}
    for month, day in days:
        sun = positions([date(year, month, day)], lat_deg, lon_deg, time_zone, step_min=step_min)
        out[f"{year:04d}-{month:02d}-{day:02d}"] = sun.weight_h.sum() - sun_hours(
            scene, points, sun
        )
    return out
