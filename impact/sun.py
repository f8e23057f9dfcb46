"""Sun positions by NREL's Solar Position Algorithm (Reda & Andreas 2004, through pvlib.spa).

Times are wall-clock times in the site's IANA time zone (``Europe/London``): daylight saving is
the zone's own, so "12:00 on 21 March" means what a resident would read on a clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from numpy.typing import NDArray
from pvlib import spa

from impact.cache import storable
from impact.errors import InvalidInputError

# SPA's mean atmospheric refraction at sunrise/sunset (degrees) and a standard atmosphere
ATMOS_REFRACT_DEG = 0.5667
STANDARD_PRESSURE_MBAR = 1013.25
STANDARD_TEMPERATURE_C = 12.0
# every sampled day is a 1/MAX_STEPS_PER_DAY-minute grid at the finest
MAX_STEPS_PER_DAY = 24 * 60


@storable
@dataclass(frozen=True)
class SunPositions:
    """Sun positions at ``times`` (UTC seconds since the epoch), angles in degrees.

    ``azimuth_deg`` is clockwise from north (SPA's convention), ``zenith_deg`` is apparent
    (refracted) and topocentric. ``weight_h`` is the number of hours each sample stands for.
    """

    unixtime: NDArray[np.float64]
    zenith_deg: NDArray[np.float64]
    azimuth_deg: NDArray[np.float64]
    weight_h: NDArray[np.float64]
    month: NDArray[np.int64]  # local calendar month, 1..12

    @property
    def altitude_deg(self) -> NDArray[np.float64]:
        return 90.0 - self.zenith_deg

    def directions_enu(self) -> NDArray[np.float64]:
        """Unit vectors towards the sun in the local east-north-up frame, shape (N, 3)."""
        alt = np.radians(self.altitude_deg)
        az = np.radians(self.azimuth_deg)
        return np.column_stack([np.cos(alt) * np.sin(az), np.cos(alt) * np.cos(az), np.sin(alt)])

    def take(self, mask: NDArray[np.bool_]) -> SunPositions:
        return SunPositions(
            self.unixtime[mask],
            self.zenith_deg[mask],
            self.azimuth_deg[mask],
            self.weight_h[mask],
            self.month[mask],
        )

    def __len__(self) -> int:
        return int(self.unixtime.shape[0])


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``; an unknown name is refused by name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInputError(f"time zone {name!r} is not an IANA time zone name") from exc


def _check_site(lat_deg: float, lon_deg: float) -> None:
    if not (np.isfinite(lat_deg) and -90.0 <= lat_deg <= 90.0):
        raise InvalidInputError(f"latitude {lat_deg!r} is outside -90..90 degrees")
    if not (np.isfinite(lon_deg) and -180.0 <= lon_deg <= 180.0):
        raise InvalidInputError(f"longitude {lon_deg!r} is outside -180..180 degrees")


def solar_position(
    times: Sequence[datetime],
    lat_deg: float,
    lon_deg: float,
    *,
    elevation_m: float = 0.0,
    pressure_mbar: float = STANDARD_PRESSURE_MBAR,
    temperature_c: float = STANDARD_TEMPERATURE_C,
    delta_t_s: float | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Apparent topocentric zenith and azimuth (degrees) at time-zone-aware ``times``.

    ``delta_t_s`` (TT − UT1) defaults to pvlib's polynomial estimate for the first time's year.

    Examples
    --------
    The SPA paper's example (Reda & Andreas 2004, table A5.1):

    >>> from datetime import datetime, timedelta, timezone
    >>> t = datetime(2003, 10, 17, 12, 30, 30, tzinfo=timezone(timedelta(hours=-7)))
    >>> z, a = solar_position([t], 39.742476, -105.1786, elevation_m=1830.14,
    ...     pressure_mbar=820.0, temperature_c=11.0, delta_t_s=67.0)
    >>> round(float(z[0]), 4), round(float(a[0]), 4)
    (50.1116, 194.3402)
    """
    _check_site(lat_deg, lon_deg)
    if any(t.tzinfo is None or t.utcoffset() is None for t in times):
        raise InvalidInputError("times must be time-zone aware (the site's local time)")
    unixtime = np.array([t.timestamp() for t in times], dtype=np.float64)
    return _spa(unixtime, lat_deg, lon_deg, elevation_m, pressure_mbar, temperature_c, delta_t_s)


def _spa(
    unixtime: NDArray[np.float64],
    lat_deg: float,
    lon_deg: float,
    elevation_m: float,
    pressure_mbar: float,
    temperature_c: float,
    delta_t_s: float | None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    if delta_t_s is None:
        first = datetime.fromtimestamp(float(unixtime[0]) if unixtime.size else 0.0)
        delta_t_s = float(np.asarray(spa.calculate_deltat(first.year, first.month)))
    result = spa.solar_position(
        unixtime,
        lat_deg,
        lon_deg,
        elevation_m,
        pressure_mbar,
        temperature_c,
        delta_t_s,
        ATMOS_REFRACT_DEG,
    )
    apparent_zenith, azimuth = result[0], result[4]
    return np.asarray(apparent_zenith, np.float64), np.asarray(azimuth, np.float64)


def day_positions(
    days: Sequence[date],
    lat_deg: float,
    lon_deg: float,
    time_zone: str,
    *,
    step_min: float = 10.0,
    day_weight: float = 1.0,
    elevation_m: float = 0.0,
    only_up: bool = True,
) -> SunPositions:
    """Sun positions every ``step_min`` minutes through each local calendar day of ``days``.

    Each sample stands for ``step_min`` minutes times ``day_weight`` days (so a year sampled every
    7th day uses ``day_weight=7``). Samples are at the middle of each step. With ``only_up`` only
    samples with the sun above the horizon are kept.
    """
    _check_site(lat_deg, lon_deg)
    if not (1.0 <= step_min <= 60.0):
        raise InvalidInputError(f"step_min {step_min!r} must be between 1 and 60 minutes")
    if len(days) > 366:
        raise InvalidInputError(f"{len(days)} days asked for; at most 366")
    tz = zone(time_zone)
    stamps: list[float] = []
    months: list[int] = []
    step = timedelta(minutes=step_min)
    for d in days:
        start = datetime(d.year, d.month, d.day, tzinfo=tz)
        end = start + timedelta(days=1)
        # wall-clock midnights in UTC: a DST day is 23 or 25 hours long and is sampled as such
        t0, t1 = start.timestamp(), end.timestamp()
        n = round((t1 - t0) / step.total_seconds())
        stamps.extend(t0 + (np.arange(n) + 0.5) * step.total_seconds())
        months.extend([d.month] * n)
    unixtime = np.array(stamps, dtype=np.float64)
    zenith, azimuth = _spa(
        unixtime,
        lat_deg,
        lon_deg,
        elevation_m,
        STANDARD_PRESSURE_MBAR,
        STANDARD_TEMPERATURE_C,
        None,
    )
    weight = np.full(unixtime.shape, step_min / 60.0 * day_weight)
    out = SunPositions(unixtime, zenith, azimuth, weight, np.array(months, dtype=np.int64))
    return out.take(out.zenith_deg < 90.0) if only_up else out


def year_days(year: int, every: int = 7) -> list[date]:
    """Every ``every``-th day of ``year`` starting 1 January, the sampling of annual studies."""
    if not (1 <= every <= 31):
        raise InvalidInputError(f"every {every!r} must be 1..31 days")
    first = date(year, 1, 1)
    n = (date(year + 1, 1, 1) - first).days
    return [first + timedelta(days=i) for i in range(0, n, every)]
