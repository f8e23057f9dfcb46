"""A re-run after one block changed reuses the city's *before* values, and gives exactly what a
study from scratch gives."""

import numpy as np

from impact.scene import table_from_records
from impact.study import run_study
from tests.impact.helpers import block
from tests.impact.test_study import FAST, _city


def _scheme(low_m: float):
    # a 40 m tower and a lower wing east of it: changing the wing leaves the study's radii alone
    return table_from_records(
        [block("tower", -10, -10, 10, 10, 40), block("wing", 12, -10, 24, 5, low_m)], prefix="m"
    )


def _values(result: dict, analysis: str, key: str) -> np.ndarray:
    return np.array([f["properties"][key] for f in result[analysis]["features"]])


def test_a_rerun_reuses_the_before_values_and_matches_a_fresh_study():
    first = run_study(_city(), _scheme(12.0), ["city:shed"], FAST)
    assert first["stats"]["reused_before"] == {"facade": False, "ground": False}
    again = run_study(_city(), _scheme(30.0), ["city:shed"], FAST, reuse=first["_before"])
    fresh = run_study(_city(), _scheme(30.0), ["city:shed"], FAST)
    assert again["stats"]["reused_before"] == {"facade": True, "ground": True}
    assert again["stats"]["rays"] < 0.75 * fresh["stats"]["rays"]
    for analysis, keys in {
        "vsc": ("before", "after", "adverse"),
        "apsh": ("annual_before", "annual_after", "winter_before", "adverse"),
        "ground": ("sun_hours_before", "sun_hours_after"),
    }.items():
        for key in keys:
            np.testing.assert_array_equal(
                _values(again, analysis, key), _values(fresh, analysis, key), err_msg=key
            )
    assert again["areas"] == fresh["areas"] and again["buildings"] == fresh["buildings"]
    assert again["facts"] == fresh["facts"]


def test_a_changed_city_is_not_reused():
    first = run_study(_city(), _scheme(12.0), ["city:shed"], FAST)
    taller_terrace = table_from_records(
        [block("terrace", -30, 25, 30, 35, 12, storeys=4), block("shed", -5, -5, 5, 5, 4)],
        prefix="city",
    )
    again = run_study(taller_terrace, _scheme(12.0), ["city:shed"], FAST, reuse=first["_before"])
    assert again["stats"]["reused_before"] == {"facade": False, "ground": False}
