"""Probable sunlight hours (APSH) on façades, and sun hours on any points (BRE 209, 2022, §3).

A sample of sun positions through the year, each standing for ``weight_h`` hours, is weighted by
the month's sunshine probability: the annual probable sunlight hours of the site are the sum
over every sample with the sun up; a point's APSH is the share of that total it receives with
the sun in front of it (within 90° of its normal) and not blocked. Winter is 21 September to
21 March, still as a share of the annual total, as BRE 209 states it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray

from impact.cache import digest
from impact.points import Points
from impact.scene import AnyScene
from impact.sun import SunPositions

APSH_ANNUAL_TARGET_PCT = 25.0
APSH_WINTER_TARGET_PCT = 5.0
RETAINED_FRACTION = 0.8
MAX_ANNUAL_LOSS_PCT = 4.0


def sunlit(
    scene: AnyScene, points: Points, sun: SunPositions, *, chunk_rays: int = 2_000_000
) -> NDArray[np.bool_]:
    """(N points × S samples): the sun is up, in front of the point and not blocked.

    On the ground (normal straight up) "in front" is simply the sun above the horizon.
    """
    dirs = sun.directions_enu()
    front = (points.normal @ dirs.T) > 0.0
    front &= (sun.zenith_deg < 90.0)[None, :]
    out = np.zeros(front.shape, bool)
    ii, jj = np.nonzero(front)
    # the rays are a function of the points and the sun's positions: their key
    base = digest("sunlit", points.xyz, points.normal, dirs, sun.zenith_deg, chunk_rays)
    for s in range(0, ii.shape[0], chunk_rays):
        i, j = ii[s : s + chunk_rays], jj[s : s + chunk_rays]
        out[i, j] = ~scene.blocked(points.xyz[i], dirs[j], f"{base}:{s}")
    return out


def winter_mask(sun: SunPositions) -> NDArray[np.bool_]:
    """Samples between 21 September and 21 March (inclusive, by UTC date)."""
    md = np.array(
        [(d.month, d.day) for d in (datetime.fromtimestamp(t, UTC) for t in sun.unixtime.tolist())]
    ).reshape(-1, 2)
    key = md[:, 0] * 100 + md[:, 1]
    return (key >= 921) | (key <= 321)


@dataclass
class Apsh:
    """Annual and winter probable sunlight hours, percent of the site's annual total."""

    annual_pct: NDArray[np.float64]
    winter_pct: NDArray[np.float64]
    total_hours: float  # the site's annual probable sunlight hours


def apsh(
    scene: AnyScene, points: Points, sun: SunPositions, monthly_probability: NDArray[np.float64]
) -> Apsh:
    """APSH at ``points`` from a year's ``sun`` samples and the monthly sunshine probability."""
    w = sun.weight_h * monthly_probability[sun.month - 1]
    total = float(w.sum())
    lit = sunlit(scene, points, sun)
    winter = winter_mask(sun)
    annual = 100.0 * (lit @ w) / total if total > 0 else np.zeros(len(points))
    win = 100.0 * (lit[:, winter] @ w[winter]) / total if total > 0 else np.zeros(len(points))
    return Apsh(np.asarray(annual), np.asarray(win), total)


def apsh_adverse(before: Apsh, after: Apsh) -> NDArray[np.bool_]:
    """BRE 209 §3.2.13: below 25 % annual or 5 % winter, and below 0.8 × former (annual or
    winter), and the annual loss greater than 4 % of annual probable sunlight hours."""
    below = (after.annual_pct < APSH_ANNUAL_TARGET_PCT) | (
        after.winter_pct < APSH_WINTER_TARGET_PCT
    )
    ratio = (after.annual_pct < RETAINED_FRACTION * before.annual_pct) | (
        after.winter_pct < RETAINED_FRACTION * before.winter_pct
    )
    loss = (before.annual_pct - after.annual_pct) > MAX_ANNUAL_LOSS_PCT
    return below & ratio & loss


def sun_hours(scene: AnyScene, points: Points, sun: SunPositions) -> NDArray[np.float64]:
    """Hours of direct sun at each point over the samples ``sun`` (e.g. one day)."""
    return sunlit(scene, points, sun) @ sun.weight_h


def faces_south(points: Points) -> NDArray[np.bool_]:
    """Façade points whose normal is within 90° of due south (BRE's windows to assess)."""
    return points.normal[:, 1] < 0.0
