"""`civictwin demo` seeds a living consultation once, through the public API, on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.demo import build_city, seed
from backend.main import create_app
from backend.services.demo_content import DEMO_PASSWORD
from backend.settings import Settings


@pytest.fixture(scope="module")
def demo_tiles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tiles = tmp_path_factory.mktemp("demo-tiles")
    settings = Settings(_env_file=None, tiles_dir=tiles)  # type: ignore[call-arg]
    assert build_city(settings) is True
    assert build_city(settings) is False  # reused
    return tiles


def test_demo_seeds_every_role_once(
    settings: Settings, database: Database, demo_tiles: Path
) -> None:
    settings = settings.model_copy(update={"tiles_dir": demo_tiles})
    first = seed(settings, database)
    assert first.seeded
    assert first.loaded_buildings > 2000
    assert first.counts == {"accounts": 7, "proposals": 3, "comments": 12, "opportunities": 6}
    again = seed(settings, database)
    assert not again.seeded and again.loaded_buildings == 0

    with TestClient(create_app(settings, database=database)) as c:
        proposals = c.get("/api/v1/proposals").json()["items"]
        assert sorted(p["stage"] for p in proposals) == ["assessment", "consultation", "decided"]
        assert len(proposals) == 3  # nothing duplicated
        tower = next(p for p in proposals if p["stage"] == "consultation")
        detail = c.get(f"/api/v1/proposals/{tower['id']}").json()
        heights = [f["properties"]["height_m"] for f in detail["massing"]["features"]]
        assert max(heights) > 100  # the tall one that casts shadows
        assert all(r.startswith("london:way/") for r in detail["replaces"]) and detail["replaces"]
        massing = c.get(f"/tiles/proposals/{tower['id']}/tileset.json")
        assert massing.status_code == 200
        comments = c.get(f"/api/v1/proposals/{tower['id']}/comments", params={"limit": 50}).json()
        assert comments["total"] >= 10
        anchored = [x for x in comments["items"] if x["anchor"] and x["anchor"].get("camera")]
        assert len(anchored) >= 5

        def login(email: str) -> dict[str, str]:
            r = c.post("/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD})
            assert r.status_code == 200, r.text
            return {"X-CSRF-Token": r.json()["csrf_token"]}

        login("moderator@demo.civictwin.org")
        queue = c.get("/api/v1/moderation/queue").json()
        assert queue["total"] >= 1
        for email in ("sme1@demo.civictwin.org", "sme2@demo.civictwin.org"):
            login(email)
            matches = c.get("/api/v1/organisations/me/matches").json()
            items = matches["items"] if isinstance(matches, dict) else matches
            assert items, f"{email} should match some demo opportunities"
