"""Vertical sky component (VSC) under the CIE standard overcast sky (BRE 209, 2022, appendix C).

The CIE overcast sky's luminance at altitude θ is ``L(θ) = Lz (1 + 2 sin θ) / 3``. The
illuminance on a vertical plane from a sky patch is ``L cos(incidence) dω`` with
``cos(incidence) = cos θ cos φ`` (φ the azimuth off the plane's normal) and ``dω = cos θ dθ dφ``;
VSC is the visible part of that integral over the unobstructed horizontal illuminance
``∫∫ L sin θ cos θ dθ dφ = 7π/9 · Lz``. Unobstructed, a vertical plane gets
``(π/6 + 4/9) / (7π/9) = 39.6 %``.

The sky in front of the plane is cut into altitude × azimuth patches; each patch's weight is the
exact integral over it (closed form below), and it counts as visible if the ray through its
centre escapes the scene, so the unobstructed value is exact whatever the resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from impact.cache import digest
from impact.points import Points
from impact.scene import AnyScene

HORIZONTAL_TOTAL = 7.0 * np.pi / 9.0
VSC_TARGET_PCT = 27.0
RETAINED_FRACTION = 0.8


def _altitude_integral(theta: NDArray[np.float64]) -> NDArray[np.float64]:
    """Antiderivative of (1 + 2 sin θ)/3 · cos² θ."""
    return (theta / 2.0 + np.sin(2.0 * theta) / 4.0) / 3.0 - 2.0 * np.cos(theta) ** 3 / 9.0


@dataclass(frozen=True)
class SkyPatches:
    """Patch centres (altitude, azimuth off the normal, radians) and weights (sum 39.6 %)."""

    altitude: NDArray[np.float64]
    azimuth: NDArray[np.float64]
    weight_pct: NDArray[np.float64]

    @classmethod
    def grid(cls, n_altitude: int = 18, n_azimuth: int = 36) -> SkyPatches:
        th = np.linspace(0.0, np.pi / 2, n_altitude + 1)
        ph = np.linspace(-np.pi / 2, np.pi / 2, n_azimuth + 1)
        w_th = np.diff(_altitude_integral(th))
        w_ph = np.diff(np.sin(ph))
        tc, pc = (th[:-1] + th[1:]) / 2, (ph[:-1] + ph[1:]) / 2
        alt, azi = np.meshgrid(tc, pc, indexing="ij")
        weight = np.outer(w_th, w_ph) / HORIZONTAL_TOTAL * 100.0
        return cls(alt.ravel(), azi.ravel(), weight.ravel())

    def __len__(self) -> int:
        return int(self.weight_pct.shape[0])

    def directions(self, normal: NDArray[np.float64]) -> NDArray[np.float64]:
        """Directions of every patch for each horizontal unit ``normal``: shape (N, P, 3)."""
        psi = np.arctan2(normal[:, 0], normal[:, 1])[:, None]  # bearing of the normal
        bearing = psi + self.azimuth[None, :]
        c = np.cos(self.altitude)[None, :]
        return np.stack(
            [
                c * np.sin(bearing),
                c * np.cos(bearing),
                np.broadcast_to(np.sin(self.altitude)[None, :], bearing.shape),
            ],
            axis=-1,
        )


def vsc(
    scene: AnyScene, points: Points, patches: SkyPatches | None = None, *, chunk: int = 2000
) -> NDArray[np.float64]:
    """VSC (percent, 0..39.6) at each façade point of ``points``."""
    patches = patches or SkyPatches.grid()
    out = np.zeros(len(points))
    for s in range(0, len(points), chunk):
        p = points.take(np.arange(s, min(s + chunk, len(points))))
        dirs = patches.directions(p.normal)
        n, k = dirs.shape[:2]
        origins = np.repeat(p.xyz, k, axis=0)
        # the rays are a function of the points and the patches: their key
        key = digest("vsc", p.xyz, p.normal, patches.altitude, patches.azimuth)
        blocked = scene.blocked(origins, dirs.reshape(-1, 3), key).reshape(n, k)
        out[s : s + n] = (~blocked * patches.weight_pct[None, :]).sum(axis=1)
    return out


def vsc_adverse(before: NDArray[np.float64], after: NDArray[np.float64]) -> NDArray[np.bool_]:
    """BRE 209 §2.2.7: noticeable loss where VSC falls below 27 % and below 0.8 × its former."""
    return (after < VSC_TARGET_PCT) & (after < RETAINED_FRACTION * before)
