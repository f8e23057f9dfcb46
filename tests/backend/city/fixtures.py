"""Shared fixtures: a small real city (OSM buildings around Cheapside, City of London).

The pipeline builds it once per test session; each test loads its buildings into its own fresh
database (SpatiaLite or PostGIS) and gets a copy of the tileset in its tiles folder.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pytest

from backend.db.engine import Database
from backend.db.models import User
from backend.services.buildings import load_tileset
from backend.services.tilesets import OSM_ATTRIBUTION
from backend.settings import Settings
from tiles.pipeline import BuildOptions, BuildResult, run

ROOT = Path(__file__).resolve().parents[3]
LONDON = ROOT / "data" / "london-city" / "buildings.geojson"
#: West, south, east, north of the small city used by the tests.
CITY_BBOX = (-0.0975, 51.5125, -0.0930, 51.5165)
#: A real building (Williamson's Tavern, OSM way 159925752) in a terrace of seven neighbours.
SITE_BUILDING = "buildings:w159925752"
CITY = "london"


@dataclass
class City:
    name: str
    build: BuildResult
    tileset_dir: Path

    def footprint(self, building_id: str, grow_deg: float = 0.0) -> dict:
        """The footprint as GeoJSON, grown by ``grow_deg`` as a hand-drawn site boundary is."""
        table = self.build.buildings
        geom = table[table.building_id == building_id].geometry.iloc[0]
        if grow_deg:
            geom = geom.buffer(grow_deg, join_style="mitre")
        return dict(geom.__geo_interface__)


@pytest.fixture(scope="session")
def city_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    folder = tmp_path_factory.mktemp("city")
    subset = gpd.read_file(LONDON, bbox=CITY_BBOX)
    source = folder / "buildings.geojson"
    subset.to_file(source, driver="GeoJSON")
    return run([source], folder / "out", BuildOptions(name=CITY))


@pytest.fixture
def city(database: Database, settings: Settings, city_build: BuildResult) -> City:
    with database.sessions() as session:
        load_tileset(
            session,
            CITY,
            "City of London (test)",
            OSM_ATTRIBUTION,
            city_build.buildings,
            city_build.report["bbox"],
            city_build.report,
            licence="ODbL-1.0",
        )
    target = settings.tiles_dir / CITY
    shutil.copytree(city_build.tileset_dir, target)
    return City(CITY, city_build, target)


@pytest.fixture
def as_role(
    make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]
) -> Callable[[str], dict[str, str]]:
    """Authorization headers of a fresh user with ``role`` ({} for anonymous)."""

    def headers(role: str) -> dict[str, str]:
        if role == "anonymous":
            return {}
        return bearer(make_user(role))

    return headers
