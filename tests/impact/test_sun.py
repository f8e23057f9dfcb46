from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pytest

from impact.errors import InvalidInputError
from impact.sun import day_positions, solar_position, year_days


def test_spa_paper_example_within_a_hundredth_of_a_degree():
    # Reda & Andreas (2004), Solar Energy 76(5), the worked example of section A5
    t = datetime(2003, 10, 17, 12, 30, 30, tzinfo=timezone(timedelta(hours=-7)))
    zenith, azimuth = solar_position(
        [t],
        39.742476,
        -105.1786,
        elevation_m=1830.14,
        pressure_mbar=820.0,
        temperature_c=11.0,
        delta_t_s=67.0,
    )
    assert abs(zenith[0] - 50.11162) < 0.01
    assert abs(azimuth[0] - 194.34024) < 0.01


def test_local_noon_in_the_site_time_zone_is_near_due_south_in_london():
    # 21 June is BST (UTC+1): the sun crosses the meridian near 13:00 on the clock
    sun = day_positions([date(2026, 6, 21)], 51.5, -0.1, "Europe/London", step_min=10.0)
    best = int(np.argmax(sun.altitude_deg))
    clock = datetime.fromtimestamp(sun.unixtime[best], timezone(timedelta(hours=1)))
    assert 12 <= clock.hour <= 13
    assert abs(sun.azimuth_deg[best] - 180.0) < 5.0
    # noon altitude at the solstice is 90 - lat + 23.44 degrees
    assert abs(sun.altitude_deg.max() - (90 - 51.5 + 23.44)) < 0.5


def test_day_length_on_the_equinox_is_about_twelve_hours():
    sun = day_positions([date(2026, 3, 20)], 51.5, -0.1, "Europe/London", step_min=5.0)
    # refraction and the upper limb add ~8 minutes at this latitude
    assert 12.0 <= sun.weight_h.sum() <= 12.4


def test_times_without_a_zone_and_unknown_zones_are_refused():
    with pytest.raises(InvalidInputError, match="time-zone aware"):
        solar_position([datetime(2026, 3, 21, 12)], 51.5, 0.0)
    with pytest.raises(InvalidInputError, match="Mars/Olympus"):
        day_positions([date(2026, 3, 21)], 51.5, 0.0, "Mars/Olympus")
    with pytest.raises(InvalidInputError, match="latitude"):
        solar_position([datetime(2026, 3, 21, 12, tzinfo=UTC)], 95.0, 0.0)


def test_year_sampling_covers_the_year():
    days = year_days(2026, 7)
    assert days[0] == date(2026, 1, 1) and len(days) == 53
