"""The README's scripted walk-through runs against a real server, on both engines."""

from __future__ import annotations

import runpy
from collections.abc import Callable
from pathlib import Path

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, box

from backend.db.engine import Database
from backend.db.models import Building, Tileset, User
from tests.conftest import PASSWORD

SCRIPT = Path(__file__).parents[2] / "scripts" / "walkthrough.py"


def test_walkthrough_script_runs_against_a_live_server(
    server_url: str,
    database: Database,
    make_user: Callable[..., User],
    capsys: pytest.CaptureFixture[str],
) -> None:
    planner, moderator = make_user("planner"), make_user("moderator")
    citizen, neighbour = make_user(), make_user()
    with database.sessions() as s:
        s.add(Tileset(name="london", title="London"))
        s.flush()
        s.add(
            Building(
                tileset="london",
                building_id="london:way/1",
                height_m=20.0,
                height_source="height",
                footprint=from_shape(MultiPolygon([box(-0.0977, 51.5163, -0.0976, 51.5164)]), 4326),
            )
        )
        s.commit()
    main = runpy.run_path(str(SCRIPT))["main"]
    assert (
        main(
            [
                server_url,
                "--planner",
                str(planner.email),
                "--moderator",
                str(moderator.email),
                "--citizen",
                str(citizen.email),
                "--neighbour",
                str(neighbour.email),
                "--password",
                PASSWORD,
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "replaces 1 existing building" in out
    assert "on building london:way/1 with a camera view" in out
    assert "agree=1" in out
    assert "state=hidden, body=None" in out
