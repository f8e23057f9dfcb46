"""Monthly sunshine probability per deployment: the chance that the sun is out when it is up.

BRE 209 (2022, §3.2 and appendix C) weights each hour of sun by the probability of sunshine in
that month; we take it as the month's mean recorded sunshine hours (a published climate normal)
over the month's astronomically possible hours at the site (from the same solar position
algorithm, so the two agree on what "possible" means). Tables are monthly mean sunshine hours,
January first; ``docs/impact.md`` names each source and its period. A deployment can pass its own
twelve values instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from impact.errors import InvalidInputError
from impact.sun import day_positions


@dataclass(frozen=True)
class SunshineNormals:
    """Mean sunshine hours for each month of a place (a climate normal)."""

    place: str
    lat_deg: float
    lon_deg: float
    time_zone: str
    hours: tuple[float, ...]
    source: str

    def __post_init__(self) -> None:
        if len(self.hours) != 12:
            raise InvalidInputError(
                f"{self.place}: 12 monthly sunshine values, got {len(self.hours)}"
            )
        bad = [i + 1 for i, h in enumerate(self.hours) if not (np.isfinite(h) and 0 <= h <= 744)]
        if bad:
            raise InvalidInputError(f"{self.place}: sunshine hours out of range in month(s) {bad}")


# Rounded monthly means; see docs/impact.md ("Sunshine normals") for sources and periods.
NORMALS: dict[str, SunshineNormals] = {
    n.place.lower(): n
    for n in (
        SunshineNormals(
            "London",
            51.48,
            -0.45,
            "Europe/London",
            # the mean of the Met Office's monthly station record (historic station data,
            # Heathrow), 1991-2020, all 360 months present; see docs/impact.md
            (59.0, 75.9, 119.6, 169.3, 197.0, 196.6, 205.7, 192.4, 149.7, 110.5, 68.3, 53.2),
            "Met Office historic station data, Heathrow, mean of 1991-2020",
        ),
        SunshineNormals(
            "Birmingham",
            52.45,
            -1.74,
            "Europe/London",
            # no Birmingham station is in the Met Office's historic station data: the mean of
            # the two nearest with every month of 1991-2020, Shawbury (72 km NW) and
            # Ross-on-Wye (83 km SW); see docs/impact.md
            (52.4, 74.0, 113.4, 156.5, 191.5, 186.7, 193.8, 172.0, 134.8, 97.8, 60.8, 47.4),
            "Met Office historic station data, mean of Shawbury and Ross-on-Wye, 1991-2020",
        ),
        SunshineNormals(
            "Genoa",
            44.41,
            8.85,
            "Europe/Rome",
            (130.0, 137.0, 167.0, 183.0, 220.0, 237.0, 275.0, 248.0, 196.0, 164.0, 118.0, 118.0),
            "Aeronautica Militare 1971-2000 normals, Genova Sestri Ponente",
        ),
        SunshineNormals(
            "Gävle",
            60.67,
            17.14,
            "Europe/Stockholm",
            (40.0, 75.0, 140.0, 200.0, 270.0, 280.0, 270.0, 220.0, 145.0, 90.0, 45.0, 30.0),
            "SMHI normals, Gävle",
        ),
        SunshineNormals(
            "Tartu",
            58.27,
            26.47,
            "Europe/Tallinn",
            (30.0, 62.0, 130.0, 200.0, 275.0, 285.0, 290.0, 240.0, 155.0, 80.0, 30.0, 20.0),
            "Estonian Environment Agency 1991-2020 normals, Tõravere",
        ),
        SunshineNormals(
            "Nyíregyháza",
            47.96,
            21.72,
            "Europe/Budapest",
            (60.0, 90.0, 145.0, 200.0, 250.0, 260.0, 290.0, 280.0, 200.0, 150.0, 75.0, 50.0),
            "HungaroMet 1991-2020 normals, Nyíregyháza",
        ),
    )
}


def normals_for(name: str) -> SunshineNormals:
    """The built-in table for ``name`` (case-insensitive); unknown names are refused by name."""
    try:
        return NORMALS[name.strip().lower()]
    except KeyError:
        known = ", ".join(n.place for n in NORMALS.values())
        raise InvalidInputError(f"no sunshine normals for {name!r}; known: {known}") from None


def possible_hours(
    lat_deg: float, lon_deg: float, time_zone: str, year: int = 2026
) -> NDArray[np.float64]:
    """Hours with the sun above the horizon in each month (every day, 10-minute steps)."""
    first = date(year, 1, 1)
    days = [date.fromordinal(first.toordinal() + i) for i in range(365)]
    sun = day_positions(days, lat_deg, lon_deg, time_zone, step_min=10.0)
    return np.bincount(sun.month - 1, weights=sun.weight_h, minlength=12).astype(np.float64)


def probability(
    normals: SunshineNormals | Sequence[float],
    lat_deg: float,
    lon_deg: float,
    time_zone: str,
) -> NDArray[np.float64]:
    """Monthly sunshine probability (0..1) at the site from a table of sunshine hours."""
    table = (
        normals
        if isinstance(normals, SunshineNormals)
        else SunshineNormals(
            "custom", lat_deg, lon_deg, time_zone, tuple(float(h) for h in normals), "deployment"
        )
    )
    possible = possible_hours(lat_deg, lon_deg, time_zone)
    return np.clip(np.asarray(table.hours) / np.maximum(possible, 1e-9), 0.0, 1.0)
