"""The notebooks run from top to bottom (so they never rot) and are committed without outputs.

Notebook 1 runs the tiles pipeline by itself; notebooks 2 and 3 read the HTTP API of the demo,
seeded once per module on a throwaway SpatiaLite database and served by a real uvicorn.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from backend.db import migrate
from backend.db.engine import Database
from backend.demo import seed
from backend.main import create_app
from backend.settings import Settings
from tests.services import live_server

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# notebook prefix -> the figures it must draw (at least)
API_NOTEBOOKS = {
    "02-": 4,  # sentiment by topic, comments over time, comment map, area heat map
    "03-": 2,  # bases, radii and delivery sites; OCDS values
}


def execute(path: Path, env: dict[str, str]) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits the environment
    try:
        NotebookClient(
            nb,
            timeout=600,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return nb


def images(nb: nbformat.NotebookNode) -> int:
    return sum(
        1
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.get("output_type") == "display_data" and "image/png" in o.get("data", {})
    )


@pytest.fixture(scope="module")
def demo_api(spatialite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the seeded demo (city, proposals, comments, SMEs, opportunities)."""
    tmp = tmp_path_factory.mktemp("demo")
    shutil.copyfile(
        spatialite_template, tmp / "demo.sqlite"
    )  # a migrated database, as the harness's
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite:///{tmp}/demo.sqlite",
        tiles_dir=tmp / "tiles",
        uploads_dir=tmp / "uploads",
        frontend_dir=tmp / "none",
    )
    db = Database.connect(settings.database_url)
    try:
        migrate.upgrade(db.engine)  # already at head: checks the copy is current
        report = seed(settings, db)
        assert report.seeded and report.counts["comments"] >= 12, report
        with live_server(create_app(settings, database=db)) as url:
            yield url
    finally:
        db.dispose()


def test_there_are_notebooks() -> None:
    assert len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"strip outputs of {path.name}"
            )


@pytest.mark.parametrize(
    "path", [p for p in NOTEBOOKS if p.name.startswith("01-")], ids=lambda p: p.name
)
def test_pipeline_notebook_runs(path: Path) -> None:
    nb = execute(path, {"CIVICTWIN_ROOT": str(ROOT)})
    assert images(nb) >= 4  # height histogram, footprints, extrusion, tile partition


@pytest.mark.parametrize(
    "path", [p for p in NOTEBOOKS if p.name[:3] in API_NOTEBOOKS], ids=lambda p: p.name
)
def test_api_notebook_runs_against_the_demo(path: Path, demo_api: str) -> None:
    nb = execute(path, {"CIVICTWIN_API_URL": demo_api, "CIVICTWIN_ROOT": str(ROOT)})
    assert images(nb) >= API_NOTEBOOKS[path.name[:3]]


def test_both_api_notebooks_exist() -> None:
    assert {p.name[:3] for p in NOTEBOOKS} >= set(API_NOTEBOOKS)
