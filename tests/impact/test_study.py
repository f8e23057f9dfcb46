import json

import numpy as np
import pytest

from impact.errors import InvalidInputError
from impact.scene import table_from_records
from impact.study import ProtectedView, StudyOptions, run_study
from tests.impact.helpers import FRAME, block

FAST = StudyOptions(
    sky_altitudes=9,
    sky_azimuths=18,
    year_every_days=28,
    year_step_min=60.0,
    day_step_min=20.0,
    ground_spacing_m=10.0,
    eye_spacing_m=30.0,
    view_targets=50,
    points_radius_m=80.0,
)


def _city():
    # a terrace 25 m north of the site, its south face looking at the scheme; a low shed on the
    # site that the scheme replaces
    return table_from_records(
        [block("terrace", -30, 25, 30, 35, 9, storeys=3), block("shed", -5, -5, 5, 5, 4)],
        prefix="city",
    )


def _scheme(h, half_width=10):
    return table_from_records(
        [block("tower", -half_width, -10, half_width, 10, h, storeys=h // 3)], prefix="m"
    )


def test_a_tall_scheme_south_of_a_terrace_fails_its_daylight_and_sunlight_and_is_reported():
    # a slab as wide as the terrace, 60 m tall, 15 m in front of it
    result = run_study(_city(), _scheme(60, half_width=40), replaces=["city:shed"], options=FAST)
    vsc = result["vsc"]["features"]
    assert vsc and all(f["properties"]["building_id"] == "city:terrace" for f in vsc)
    south = [f for f in vsc if f["properties"]["facing_deg"] == pytest.approx(180.0, abs=1)]
    assert south, "the terrace's south wall faces the site"
    # before, the only thing in front of the terrace was a 4 m shed: near the unobstructed 39.6
    assert max(f["properties"]["before"] for f in south) > 36.0
    assert any(f["properties"]["adverse"] for f in south)
    assert all(f["properties"]["difference"] <= 1e-9 for f in vsc)
    assert any(f["properties"]["adverse"] for f in result["apsh"]["features"])
    lon, lat, h = vsc[0]["geometry"]["coordinates"]
    assert abs(lon - FRAME.lon0) < 0.01 and abs(lat - FRAME.lat0) < 0.01 and 0 < h < 9
    (terrace,) = result["buildings"]
    assert terrace["vsc_adverse_points"] > 0
    assert (
        terrace["shadow_hours_after"]["2026-12-21"] > terrace["shadow_hours_before"]["2026-12-21"]
    )
    assert "fail the daylight (VSC) test" in result["summary"][0]
    assert not result["summary"][0].startswith("0 of")
    json.dumps(result)  # plain data all the way down


def test_a_low_scheme_replacing_the_shed_harms_nobody():
    result = run_study(_city(), _scheme(5), replaces=["city:shed"], options=FAST)
    assert not any(f["properties"]["adverse"] for f in result["vsc"]["features"])
    assert not any(f["properties"]["adverse"] for f in result["apsh"]["features"])
    assert result["summary"][0].startswith("0 of")


def test_replaced_buildings_are_gone_after_and_count_before():
    # the same 4 m shed, now as the scheme itself over a 30 m city block that it replaces
    city = table_from_records(
        [block("terrace", -30, 25, 30, 35, 9, storeys=3), block("old", -10, -10, 10, 10, 30)],
        prefix="city",
    )
    shed = table_from_records([block("shed", -5, -5, 5, 5, 4)], prefix="m")
    result = run_study(city, shed, replaces=["city:old"], options=FAST)
    # taking the 30 m block away gives the terrace its daylight back
    assert all(f["properties"]["difference"] >= -1e-9 for f in result["vsc"]["features"])
    assert max(f["properties"]["difference"] for f in result["vsc"]["features"]) > 3.0


def test_protected_view_is_reported_with_its_name():
    city = table_from_records(
        [block("terrace", -30, 25, 30, 35, 9), block("dome", -5, 200, 5, 210, 40)], prefix="city"
    )
    view = ProtectedView(
        "to the dome",
        eye=(FRAME.lon0, FRAME.lat0 - 0.0009, 1.6),  # 100 m south of the scheme
        target=(FRAME.lon0, FRAME.lat0 + 0.00184, 20.0),
        landmark_ids=("city:dome",),
    )
    options = StudyOptions(**{**FAST.__dict__, "views": [view]})
    (v,) = run_study(city, _scheme(60), options=options)["views"]
    assert v["name"] == "to the dome"
    assert v["scheme_share"] > 0 and v["landmark_hidden_share"] > 0.5


def test_an_empty_scheme_is_refused():
    empty = table_from_records([], prefix="m")
    with pytest.raises(InvalidInputError, match="no massing"):
        run_study(_city(), empty, options=FAST)
    assert np.isfinite(FAST.year)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sky_altitudes", 1000, "option sky_altitudes = 1000 is outside 3..90"),
        ("facade_spacing_m", 0.01, "option facade_spacing_m = 0.01 is outside 1..100"),
        ("year_step_min", float("nan"), "option year_step_min = nan"),
        ("points_radius_m", 5000.0, "option points_radius_m = 5000.0 is outside 10..1000"),
    ],
)
def test_options_out_of_range_are_refused_by_name_before_any_work(field, value, message):
    options = StudyOptions(**{**FAST.__dict__, field: value})
    with pytest.raises(InvalidInputError, match=message.replace(".", r"\.")):
        run_study(_city(), _scheme(60), options=options)
