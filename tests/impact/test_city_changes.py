"""A study sees the city as it stands: the schemes applied to it after approval included."""

from __future__ import annotations

import shutil
from pathlib import Path

import shapely
import shapely.geometry

from backend.services.impact_jobs import study_options
from backend.settings import Settings
from impact.job import options_from
from impact.scene import read_city, table_from_records
from impact.study import run_study
from tests.backend.city.fixtures import SITE_BUILDING
from tiles.apply import apply_change
from tiles.pipeline import BuildResult

#: A 21 m building 25 m from the test site whose walls face it (63 façade points in a study of
#: a 60 m tower on the site; found by running that study once).
NEIGHBOUR = "buildings:w90251193"


def _polygon(build: BuildResult, building_id: str) -> shapely.Polygon:
    table = build.buildings
    parts = shapely.get_parts(table[table.building_id == building_id].geometry.iloc[0])
    return max(parts, key=shapely.area)


def test_a_study_sees_a_block_applied_to_the_city_and_not_what_it_replaced(
    city_build: BuildResult, tmp_path: Path
) -> None:
    folder = tmp_path / "london"
    shutil.copytree(city_build.tileset_dir, folder)
    # an approved scheme already built in the twin: a 45 m block in place of the neighbour
    applied = apply_change(
        folder,
        "earlier-scheme",
        [
            {
                "id": "t1",
                "footprint": shapely.geometry.mapping(_polygon(city_build, NEIGHBOUR)),
                "height_m": 45.0,
            }
        ],
        [NEIGHBOUR],
    )
    assert NEIGHBOUR in applied.replaced and applied.added == ["massing:t1"]

    city = read_city(folder)
    ids = set(city.building_id.tolist())
    assert "massing:t1" in ids and NEIGHBOUR not in ids
    drawn = int(city_build.buildings["drawn"].astype(bool).sum())
    assert len(city) == drawn - len(applied.replaced) + 1

    scheme = table_from_records(
        [{"id": "1", "footprint": _polygon(city_build, SITE_BUILDING), "height_m": 60.0}],
        prefix="massing",
    )
    quick = options_from(study_options(Settings(_env_file=None, impact_quick=True)))
    result = run_study(city, scheme, [SITE_BUILDING], quick)
    by_id = {b["building_id"]: b for b in result["buildings"]}
    assert NEIGHBOUR not in by_id
    # the block is a neighbour like any other: façade points on it, one row per 3 m storey
    storeys = {
        f["properties"]["storey"]
        for f in result["vsc"]["features"]
        if f["properties"]["building_id"] == "massing:t1"
    }
    assert storeys == set(range(15))
    assert by_id["massing:t1"]["facade_points"] > 0


def test_a_scheme_already_applied_is_not_counted_twice(
    city_build: BuildResult, tmp_path: Path
) -> None:
    folder = tmp_path / "london"
    shutil.copytree(city_build.tileset_dir, folder)
    site = shapely.geometry.mapping(_polygon(city_build, SITE_BUILDING))
    apply_change(folder, "p1", [{"id": "7", "footprint": site, "height_m": 60.0}], [SITE_BUILDING])
    city = read_city(folder)
    assert "massing:7" in set(city.building_id.tolist())
    scheme = table_from_records(
        [{"id": "7", "footprint": site, "height_m": 60.0}], prefix="massing"
    )
    quick = options_from(study_options(Settings(_env_file=None, impact_quick=True)))
    result = run_study(city, scheme, [SITE_BUILDING], quick)
    # the scheme's own applied block is the scheme, not a neighbour casting shade on itself
    assert "massing:7" not in {b["building_id"] for b in result["buildings"]}
    assert result["stats"]["buildings_in_scene"] == len(city) - 1
