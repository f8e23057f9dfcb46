import numpy as np
import pytest
from scipy import integrate

from impact.daylight import SkyPatches, vsc, vsc_adverse
from impact.points import facade_points
from tests.impact.helpers import block, box_m, one_point, scene_of

SOUTH = (0.0, -1.0, 0.0)


def _vsc_behind_long_parallel_wall(angle_deg: float) -> float:
    """VSC (percent) behind an infinitely long wall parallel to the window, its top seen at
    ``angle_deg`` straight ahead: at azimuth φ off the normal the top is at
    atan(tan(angle) cos φ). Integrated numerically from the CIE overcast definition."""
    t = np.tan(np.radians(angle_deg))

    def inner(phi: float) -> float:
        lo = np.arctan(t * np.cos(phi))
        val, _ = integrate.quad(
            lambda th: (1 + 2 * np.sin(th)) / 3 * np.cos(th) ** 2, lo, np.pi / 2
        )
        return val * np.cos(phi)

    vertical, _ = integrate.quad(inner, -np.pi / 2, np.pi / 2)
    horizontal, _ = integrate.dblquad(
        lambda th, _phi: (1 + 2 * np.sin(th)) / 3 * np.sin(th) * np.cos(th),
        0,
        2 * np.pi,
        0,
        np.pi / 2,
    )
    return 100 * vertical / horizontal


def test_unobstructed_vertical_point_gets_39_6_percent():
    scene = scene_of(block("home", -10, 0, 10, 20, 12))
    point = one_point((0.0, -0.05, 6.0), SOUTH)
    assert vsc(scene, point)[0] == pytest.approx(39.6, abs=0.3)
    assert SkyPatches.grid().weight_pct.sum() == pytest.approx(39.62, abs=0.01)


def test_enclosed_point_sees_no_sky():
    scene = scene_of(block("box", -10, -10, 10, 10, 12))
    assert vsc(scene, one_point((0.0, 0.0, 5.0), SOUTH))[0] == 0.0


@pytest.mark.parametrize("engine", ["embree", "numpy"])
def test_behind_a_long_wall_at_25_degrees_vsc_is_about_27_percent(engine):
    d = 20.0
    top = 2.0 + d * np.tan(np.radians(25.0))
    scene = scene_of(
        block("home", -10, 0, 10, 20, 12),
        block("wall", -3000, -d - 1.0, 3000, -d, top),
        engine=engine,
    )
    value = vsc(scene, one_point((0.0, -0.05, 2.0), SOUTH), SkyPatches.grid(36, 72))[0]
    expected = _vsc_behind_long_parallel_wall(25.0)
    # BRE 209's rule of thumb: a 25 degree obstruction leaves about 27 %
    assert expected == pytest.approx(27.0, abs=0.8)
    assert value == pytest.approx(expected, abs=0.5)


def test_facade_grid_has_a_row_per_storey_on_walls_facing_the_site():
    scene = scene_of(block("home", -10, 0, 10, 20, 12, storeys=4))
    pts = facade_points(scene, np.array([0]), toward_xy=(0.0, -100.0), spacing_m=5.0)
    assert set(pts.storey.tolist()) == {0, 1, 2, 3}
    assert np.allclose(pts.normal, [0.0, -1.0, 0.0], atol=1e-6)  # only the south wall
    assert len(pts) == 4 * 4  # 20 m of wall at 5 m, 4 storeys
    assert np.allclose(np.unique(pts.xyz[:, 2]), [1.5, 4.5, 7.5, 10.5])


def test_bre_vsc_test_needs_both_below_27_and_below_0_8_of_former():
    before = np.array([35.0, 30.0, 25.0, 35.0])
    after = np.array([26.0, 26.0, 21.0, 28.0])
    assert vsc_adverse(before, after).tolist() == [True, False, False, False]


def test_courtyard_walls_get_facade_points_facing_into_the_courtyard():
    ring = block("ring", -30, -30, 30, 30, 9, storeys=3)
    ring["footprint"] = ring["footprint"].difference(box_m(-10, -10, 10, 10))
    scene = scene_of(ring)
    pts = facade_points(scene, np.array([0]), spacing_m=5.0)
    inner = np.abs(pts.xyz[:, :2]).max(axis=1) < 11.0
    assert inner.sum() == 4 * 4 * 3  # four 20 m walls, 4 columns, 3 storeys
    # each courtyard point faces the courtyard's centre
    assert (np.einsum("ij,ij->i", pts.normal[inner, :2], -pts.xyz[inner, :2]) > 0).all()
    # in a 20 m courtyard of 9 m walls the ground floor loses more sky than the top floor
    court = pts.take(inner)
    values = vsc(scene, court)
    assert values.max() < 39.0
    assert values[court.storey == 0].mean() < 27.0 < values[court.storey == 2].mean()
