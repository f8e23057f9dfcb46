"""Bad input to the proposal endpoints: each a 4xx naming what is wrong, and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import AuditLog, MassingBuilding, Proposal
from tests.backend.city.fixtures import City
from tests.backend.proposals.helpers import create, massing_body, proposal_body, square
from tests.conftest import sign_in

Headers = Callable[[str], dict[str, str]]


def ring(*points: tuple[float, float]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[list(p) for p in points]]}


BOWTIE = ring(
    (-0.095, 51.515), (-0.094, 51.516), (-0.094, 51.515), (-0.095, 51.516), (-0.095, 51.515)
)
BAD_BOUNDARIES = [
    pytest.param(
        BOWTIE,
        "site_boundary: not a valid polygon: self-intersection at (-0.0945, 51.5155)",
        id="self-intersecting",
    ),
    pytest.param(
        ring((-0.095, 51.515), (-0.094, 51.515), (-0.094, 51.516), (-0.095, 51.516)),
        "site_boundary: outer ring is not closed",
        id="open-ring",
    ),
    pytest.param(
        ring((-0.095, 51.515), (-0.094, 51.515), (-0.095, 51.515)),
        "site_boundary: outer ring has 3 positions",
        id="too-few-positions",
    ),
    pytest.param(
        ring((-0.095, 51.515), (-0.094, 51.515), (-0.093, 51.515), (-0.095, 51.515)),
        "site_boundary: the polygon has no area",
        id="no-area",
    ),
    pytest.param(
        ring((-190.0, 51.515), (-0.094, 51.515), (-0.094, 51.516), (-190.0, 51.515)),
        "site_boundary: outer ring position 1 (-190, 51.515) is out of range",
        id="lon-out-of-range",
    ),
    pytest.param(
        ring((51.515, -0.095), (51.515, -0.094), (51.516, -0.094), (51.515, -0.095)),
        None,  # in range both ways: only the city tileset can tell (next test)
        id="swapped-but-in-range",
    ),
    pytest.param(
        ring((51.515, -95.0), (51.515, -94.0), (51.516, -94.0), (51.515, -95.0)),
        "it looks like [lat, lon]; GeoJSON positions are [lon, lat]",
        id="swapped-out-of-range",
    ),
    pytest.param(
        {"type": "Point", "coordinates": [-0.095, 51.515]},
        "body site_boundary",
        id="not-a-polygon",
    ),
]


def _count(database: Database, *models: type) -> list[int]:
    with database.sessions() as s:
        return [int(s.scalar(sa.select(sa.func.count()).select_from(m)) or 0) for m in models]


def test_bad_site_boundaries_are_422_with_the_reason_and_write_nothing(
    client: TestClient, as_role: Headers, database: Database
) -> None:
    planner = as_role("planner")
    for case in BAD_BOUNDARIES:
        boundary, message = case.values
        r = client.post(
            "/api/v1/proposals", json=proposal_body(site_boundary=boundary), headers=planner
        )
        if message is None:
            assert r.status_code == 201, case.id
            continue
        assert r.status_code == 422, (case.id, r.text)
        assert r.json()["code"] == "InvalidInputError"
        assert message in r.json()["detail"], case.id
    assert _count(database, Proposal, AuditLog) == [1, 1]


def test_swapped_coordinates_are_caught_against_the_city_tileset(
    client: TestClient, as_role: Headers, city: City
) -> None:
    swapped = ring((51.515, -0.095), (51.515, -0.094), (51.516, -0.094), (51.515, -0.095))
    r = client.post(
        "/api/v1/proposals", json=proposal_body(site_boundary=swapped), headers=as_role("planner")
    )
    assert r.status_code == 422
    assert "lon and lat swapped" in r.json()["detail"]


BAD_FIELDS = [
    ({"roles": ["admin"]}, "body roles: Extra inputs are not permitted"),
    ({"stage": "decided"}, "body stage: Extra inputs are not permitted"),
    ({"dwellings": -1}, "body dwellings"),
    (
        {"consultation_start": "2030-02-01", "consultation_end": "2030-01-01"},
        "consultation_end (2030-01-01) must not be before consultation_start (2030-02-01)",
    ),
    ({"reference": "../x"}, "body reference"),
    ({"title": ""}, "body title"),
    ({"tileset": "nowhere"}, "tileset: no tileset named 'nowhere'"),
]


def test_bad_fields_are_422_naming_the_field(
    client: TestClient, as_role: Headers, database: Database
) -> None:
    planner = as_role("planner")
    for fields, message in BAD_FIELDS:
        r = client.post("/api/v1/proposals", json=proposal_body(**fields), headers=planner)
        assert r.status_code == 422, r.text
        assert message in r.json()["detail"]
    assert _count(database, Proposal) == [0]


def test_an_oversized_body_is_413(client: TestClient, as_role: Headers, database: Database) -> None:
    big = proposal_body(description="x" * 600_000)
    r = client.post("/api/v1/proposals", json=big, headers=as_role("planner"))
    assert r.status_code == 413 and "limit of 512 KB" in r.json()["detail"]
    assert _count(database, Proposal) == [0]


def test_cookie_writes_without_the_csrf_token_are_403(
    client: TestClient, make_user: Callable[..., Any], database: Database
) -> None:
    planner = make_user("planner")
    csrf = sign_in(client, str(planner.email))
    r = client.post("/api/v1/proposals", json=proposal_body())
    assert r.status_code == 403 and r.json()["code"] == "CSRFError"
    assert _count(database, Proposal) == [0]
    ok = client.post("/api/v1/proposals", json=proposal_body(), headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201


def test_a_bad_update_changes_nothing(client: TestClient, as_role: Headers) -> None:
    planner = as_role("planner")
    body = create(client, planner)
    r = client.patch(
        f"/api/v1/proposals/{body['id']}",
        json={"title": "New title", "site_boundary": BOWTIE},
        headers=planner,
    )
    assert r.status_code == 422
    after = client.get(f"/api/v1/proposals/{body['id']}", headers=planner).json()
    assert after["title"] == body["title"] and after["site_boundary"] == body["site_boundary"]


BAD_MASSING = [
    ({"geometry": BOWTIE, "storeys": 3}, "massing feature 1: not a valid polygon"),
    ({"geometry": square(), "name": "no height"}, "give height_m or storeys"),
    (
        {"geometry": square(), "height_m": 10, "base_height_m": 12},
        "must be above base_height_m",
    ),
    ({"geometry": square(), "height_m": 5000}, "height_m"),
    ({"geometry": square(), "storeys": 3, "colour": "red"}, "Extra inputs are not permitted"),
]


def test_bad_massing_is_422_and_keeps_the_old_massing(
    client: TestClient, as_role: Headers, database: Database
) -> None:
    planner = as_role("planner")
    pid = create(client, planner)["id"]
    good = client.put(
        f"/api/v1/proposals/{pid}/massing",
        json=massing_body({"geometry": square(size=0.0002), "storeys": 4}),
        headers=planner,
    )
    assert good.status_code == 200, good.text
    for block, message in BAD_MASSING:
        r = client.put(
            f"/api/v1/proposals/{pid}/massing", json=massing_body(block), headers=planner
        )
        assert r.status_code == 422, r.text
        assert message in r.json()["detail"]
    assert _count(database, MassingBuilding) == [1]
