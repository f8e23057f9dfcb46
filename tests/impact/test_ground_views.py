import numpy as np
import pytest
import shapely

from impact.ground import ground_adverse, ground_sun, march_sun, shadow_hours
from impact.points import ground_points
from impact.views import protected_view, scheme_targets, visibility
from tests.impact.helpers import block, one_point, scene_of

LAT, LON, TZ = 51.5, 0.0, "Europe/London"
SCHEME = block("scheme", -10, 0, 10, 20, 15)
EYE = ((0.0, -40.0, 1.6), (0.0, 0.0, 1.0))


def test_a_point_behind_an_opaque_wall_sees_nothing_of_the_scheme_until_the_wall_goes():
    wall = block("wall", -200, -21, 200, -20, 40)
    walled = scene_of(SCHEME, wall, scheme=("scheme",))
    open_ = scene_of(SCHEME, scheme=("scheme",))
    eye = one_point(*EYE)
    assert visibility(walled, eye, scheme_targets(walled))[0] == 0.0
    seen = visibility(open_, eye, scheme_targets(open_))[0]
    # from the south at eye height: the south wall and the roof's edge, not the far sides
    assert 0.1 < seen < 0.8


def test_a_point_beside_the_scheme_sees_part_of_it_past_a_short_wall():
    wall = block("wall", -3, -21, 3, -20, 40)  # hides x in -6..6 of the scheme's -10..10
    scene = scene_of(SCHEME, wall, scheme=("scheme",))
    full = visibility(scene_of(SCHEME, scheme=("scheme",)), one_point(*EYE), scheme_targets(scene))
    part = visibility(scene, one_point(*EYE), scheme_targets(scene))
    assert 0.0 < part[0] < full[0]


def test_protected_view_reports_a_scheme_rising_above_the_landmark():
    dome = block("dome", -5, 200, 5, 210, 40)
    behind_tall = block("scheme", -15, 300, 15, 330, 90)
    behind_low = block("scheme", -15, 300, 15, 330, 20)
    before = scene_of(dome)
    lm_b = np.array([True])
    for scheme, rises in ((behind_tall, True), (behind_low, False)):
        after = scene_of(dome, scheme, scheme=("scheme",))
        result = protected_view(
            before,
            after,
            (0.0, 0.0, 1.6),
            (0.0, 205.0, 20.0),
            lm_b,
            np.array([True, False]),
            fov_deg=30.0,
            step_deg=0.2,
        )
        assert result.landmark_share > 0.01
        assert result.rises_above_landmark is rises
        assert result.landmark_hidden_share == 0.0  # the scheme is behind the landmark
        # the wide scheme is seen beside the dome in both cases
        assert result.scheme_share > 0.0


def test_a_courtyard_closed_by_a_tall_scheme_loses_its_two_hours_of_march_sun():
    area = shapely.box(-20, 25, 20, 55)  # local metres, open to the north only after
    far = block("far", 400, 400, 410, 410, 3)
    city = scene_of(far)
    after = scene_of(
        far,
        block("south", -60, 0, 60, 20, 40),
        block("east", 20, 20, 60, 80, 40),
        block("west", -60, 20, -20, 80, 40),
        scheme=("south", "east", "west"),
    )
    sun = march_sun(LAT, LON, TZ, 2026)
    pts = ground_points(city, area, spacing_m=5.0)
    assert len(pts) == 8 * 6
    idx = np.zeros(len(pts), np.int64)
    b = ground_sun(city, pts, idx, 1, sun)
    a = ground_sun(after, pts, idx, 1, sun)
    assert b.share_two_hours[0] == 1.0
    assert a.share_two_hours[0] < 0.5
    assert ground_adverse(b.share_two_hours, a.share_two_hours).tolist() == [True]


def test_shadow_hours_grow_north_of_the_scheme_on_all_three_days():
    point = one_point((0.0, 30.0, 0.05), (0.0, 0.0, 1.0))
    before = shadow_hours(scene_of(block("far", 400, 400, 410, 410, 3)), point, LAT, LON, TZ, 2026)
    after = shadow_hours(scene_of(block("scheme", -20, 0, 20, 20, 40)), point, LAT, LON, TZ, 2026)
    assert list(before) == ["2026-03-21", "2026-06-21", "2026-12-21"]
    for day in before:
        assert before[day][0] == pytest.approx(0.0, abs=1e-9)
        assert after[day][0] > 0.5
    # the winter sun is lowest: the same point is in shade longest on 21 December
    assert after["2026-12-21"][0] > after["2026-03-21"][0] > after["2026-06-21"][0]


def test_the_zone_of_visibility_is_the_open_ground_in_front_of_a_wall_and_none_behind_it():
    from impact.points import footprints_local
    from impact.views import visibility_zone

    wall = block("wall", -200, -21, 200, -20, 40)
    scene = scene_of(SCHEME, wall, scheme=("scheme",))
    square = shapely.box(-60, -60, 60, 60)
    eyes = ground_points(scene, square, spacing_m=5.0, height_m=1.6)
    seen = visibility(scene, eyes, scheme_targets(scene, 100))
    within = square.difference(footprints_local(scene))
    (band, zone), *_ = visibility_zone(eyes, seen, 5.0, within)
    assert band == 0.0
    # every eye north of the wall sees the scheme, none south of it: the zone is the square
    # north of the wall (120 m x 80 m) less the scheme's 20 m x 20 m footprint
    assert zone.area == pytest.approx(120 * 80 - 20 * 20, abs=1.0)
    assert zone.bounds == pytest.approx((-60, -20, 60, 60), abs=0.01)  # box_m is approximate
    assert not zone.intersects(shapely.box(-60, -60, 60, -21))
