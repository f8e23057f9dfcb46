"""``civictwin tiles build`` against the database, and a light command-line entry (issue 12)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.backend.test_cli import run
from tests.tiles.conftest import LONDON_GEOJSON


def test_tiles_build_without_a_migrated_database_is_one_sentence_before_building(
    tmp_path: Path,
) -> None:
    env = {"CIVICTWIN_DATABASE_URL": f"sqlite:///{tmp_path}/empty.sqlite"}
    out = tmp_path / "tiles"
    r = run("tiles", "build", str(LONDON_GEOJSON), "--out", str(out), "--name", "city", env=env)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "civictwin db upgrade" in lines[0] and "nothing was built" in lines[0]
    assert not (out / "city").exists()  # checked before the build, not after


def test_tiles_build_loads_into_a_migrated_database(tmp_path: Path) -> None:
    env = {"CIVICTWIN_DATABASE_URL": f"sqlite:///{tmp_path}/ct.sqlite"}
    assert run("db", "upgrade", env=env).returncode == 0
    out = tmp_path / "tiles"
    r = run("tiles", "build", str(LONDON_GEOJSON), "--out", str(out), "--name", "city", env=env)
    assert r.returncode == 0, r.stderr
    assert "buildings of tileset 'city' loaded" in r.stdout


def test_the_command_line_imports_neither_the_backend_nor_the_pipeline_for_help() -> None:
    # what makes `civictwin --help` slow is importing SQLAlchemy, Alembic, pandas, GDAL...
    code = (
        "import sys, backend.cli\n"
        "heavy = ['sqlalchemy', 'alembic', 'pandas', 'numpy', 'pyogrio', 'fastapi',"
        " 'tiles.pipeline', 'backend.settings', 'pydantic_settings']\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == ""
    help_text = run("--help")
    assert help_text.returncode == 0 and "tiles" in help_text.stdout
    tiles_help = run("tiles", "build", "--help")
    assert tiles_help.returncode == 0 and "--no-load" in tiles_help.stdout
