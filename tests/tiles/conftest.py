"""Fixtures for the tiles tests: real sample data, real builds, the real glTF validator."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import gltf_validation
from tiles.pipeline import BuildOptions, BuildResult, run

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
VALIDATORS = ROOT / "tests" / "validators"
LONDON_PBF = DATA / "london-city" / "london.osm.pbf"
LONDON_GEOJSON = DATA / "london-city" / "buildings.geojson"
CITYJSON = DATA / "cityjson"


def validate_glbs(folder: Path) -> dict:
    """Run the Khronos glTF validator (npm) over every glb under ``folder``."""
    try:
        return gltf_validation.validate_glbs(folder)
    except gltf_validation.ValidatorUnavailable as e:
        pytest.fail(str(e))


@pytest.fixture(scope="session")
def london_pbf_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    out = tmp_path_factory.mktemp("london-pbf")
    return run([LONDON_PBF], out, BuildOptions(name="london"))


@pytest.fixture(scope="session")
def london_geojson_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    out = tmp_path_factory.mktemp("london-geojson")
    return run([LONDON_GEOJSON], out, BuildOptions(name="london-geojson", max_features=150))
