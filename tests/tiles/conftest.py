"""Fixtures for the tiles tests: real sample data, real builds, the real glTF validator."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tiles.pipeline import BuildOptions, BuildResult, run

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
VALIDATORS = ROOT / "tests" / "validators"
SHARED_BENCH = ROOT.parent / "shared" / "data" / "bench" / "buildings-europe-osm.gpkg"
LONDON_PBF = DATA / "london-city" / "london.osm.pbf"
LONDON_GEOJSON = DATA / "london-city" / "buildings.geojson"
CITYJSON = DATA / "cityjson"


def validate_glbs(folder: Path) -> dict:
    """Run the Khronos glTF validator (npm) over every glb under ``folder``."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed; the glTF validator needs it")
    if not (VALIDATORS / "node_modules" / "gltf-validator").exists():
        pytest.fail("tests/validators/node_modules is missing: run `npm ci` in tests/validators")
    proc = subprocess.run(
        [node, str(VALIDATORS / "validate_glb.js"), str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if proc.returncode == 2 or not proc.stdout:
        pytest.fail(f"validator did not run: {proc.stderr}")
    return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def london_pbf_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    out = tmp_path_factory.mktemp("london-pbf")
    return run([LONDON_PBF], out, BuildOptions(name="london"))


@pytest.fixture(scope="session")
def london_geojson_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    out = tmp_path_factory.mktemp("london-geojson")
    return run([LONDON_GEOJSON], out, BuildOptions(name="london-geojson", max_features=150))
