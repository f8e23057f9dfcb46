"""The zone of theoretical visibility of a small scheme in a dense city is not empty."""

from __future__ import annotations

import numpy as np
import shapely
import shapely.geometry

from backend.services.impact_jobs import study_options
from backend.settings import Settings
from impact.cache import LruCache
from impact.job import options_from
from impact.scene import read_city, table_from_records
from impact.study import MIN_EYE_POINTS, eye_spacing, run_study
from tests.backend.city.fixtures import SITE_BUILDING
from tiles.pipeline import BuildResult


def test_a_quick_study_of_a_12_m_block_in_the_city_has_a_visibility_zone(
    city_build: BuildResult,
) -> None:
    # the case reported: a quick study (eye grid 40 m) of a 12 m block on the test site, a
    # tavern in a City of London terrace (60 m radius); it kept 2 eye points, both behind
    # buildings, and its zone was empty
    table = city_build.buildings
    site = table[table.building_id == SITE_BUILDING].geometry.iloc[0].buffer(2e-6)
    scheme = table_from_records(
        [{"id": "1", "footprint": shapely.geometry.mapping(site), "height_m": 12.0}],
        prefix="massing",
    )
    quick = options_from(study_options(Settings(_env_file=None, impact_quick=True)))
    assert quick.eye_spacing_m == 40.0
    result = run_study(
        read_city(city_build.tileset_dir), scheme, [SITE_BUILDING], quick, cache=LruCache()
    )
    stats = result["stats"]
    assert stats["eye_points"] >= MIN_EYE_POINTS // 2 and stats["eye_spacing_m"] < 40.0
    seen = np.array([f["properties"]["share_seen"] for f in result["visibility"]["features"]])
    assert (seen > 0).sum() >= 5  # the street in front of it sees the block
    first = result["zone"]["features"][0]["properties"]
    assert first["share_seen_above"] == 0.0 and first["area_m2"] > 0
    # each seeing eye stands for a square of the grid: the zone is at most their cells' area
    assert first["area_m2"] <= (seen > 0).sum() * stats["eye_spacing_m"] ** 2 + 1e-6
    visibility = next(f for f in result["facts"] if f["code"] == "visibility")
    assert visibility["seen_pct"] > 0


def test_the_eye_grid_is_refined_only_where_it_would_be_too_sparse() -> None:
    # the demo tower's study: 140,000 m² of open ground keeps its 25 m grid
    assert eye_spacing(140_000.0, 25.0) == 25.0
    # 4,500 m² of streets around a small block: 100 points need 6.7 m
    assert abs(eye_spacing(4_500.0, 40.0) - np.sqrt(45.0)) < 1e-9
    assert eye_spacing(10.0, 40.0) == 2.0 and eye_spacing(0.0, 40.0) == 40.0
