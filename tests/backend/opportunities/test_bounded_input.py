"""Bounded input: one geometry validator for every entity, finite bounded money, safe text.

Each case is a 422 in the ``{"detail", "code"}`` model naming the field and the position, with
nothing stored; the public feeds (OCDS, OGC) keep working afterwards. Both engines.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import Comment, Opportunity, Organisation, Proposal, User
from backend.schemas.geometry import MAX_POSITIONS
from tests.backend.opportunities.conftest import BHAM, opportunity_body, publish
from tests.backend.proposals.helpers import proposal_body

Headers = dict[str, str]


def _ring(n: int, lon: float = BHAM[0], lat: float = BHAM[1]) -> list[list[float]]:
    """A closed ring of ``n`` positions (n >= 4) round a small circle."""
    import math

    pts = [
        [
            lon + 0.001 * math.cos(2 * math.pi * i / (n - 1)),
            lat + 0.001 * math.sin(2 * math.pi * i / (n - 1)),
        ]
        for i in range(n - 1)
    ]
    return [*pts, pts[0]]


def _count(database: Database, model: type) -> int:
    with database.sessions() as s:
        return int(s.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def _422(r: Any, *fragments: str) -> None:
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "InvalidInputError", body
    for fragment in fragments:
        assert fragment in body["detail"], (fragment, body["detail"])


@pytest.fixture
def planner(
    make_user: Callable[..., User], bearer: Callable[[User], Headers]
) -> tuple[User, Headers]:
    user = make_user("planner")
    return user, bearer(user)


BAD_LOCATIONS = [
    pytest.param(
        {"type": "MultiPolygon", "coordinates": [[]]},
        "delivery_location: polygon 1 has no rings",
        id="multipolygon-empty-part",
    ),
    pytest.param(
        {"type": "MultiPolygon", "coordinates": []},
        "delivery_location: has no polygons",
        id="multipolygon-no-parts",
    ),
    pytest.param(
        {"type": "Polygon", "coordinates": [[]]},
        "delivery_location: outer ring has 0 positions",
        id="polygon-empty-ring",
    ),
    pytest.param(
        {"type": "Polygon", "coordinates": [[*_ring(5)[:-1], [0.0, 0.0]]]},
        "delivery_location: outer ring is not closed",
        id="open-ring",
    ),
    pytest.param(
        {"type": "Point", "coordinates": [-1.89, 95.0]},
        "delivery_location: coordinates (-1.89, 95) is out of range",
        id="lat-out-of-range",
    ),
    pytest.param(
        {"type": "Point", "coordinates": [-1.89]},
        "delivery_location: coordinates must be [lon, lat]",
        id="point-one-number",
    ),
    pytest.param(
        {"type": "MultiPolygon", "coordinates": [[_ring(5)], [_ring(5)[:3]]]},
        "delivery_location: polygon 2 outer ring has 3 positions",
        id="second-part-too-short",
    ),
    pytest.param(
        {"type": "Polygon", "coordinates": [_ring(MAX_POSITIONS + 1)]},
        f"delivery_location: has {MAX_POSITIONS + 1} positions; at most {MAX_POSITIONS}",
        id="too-many-positions",
    ),
    pytest.param(
        # sizes are checked before any position: the bad first position is not what is reported
        {"type": "Polygon", "coordinates": [[[500.0, 0.0], *_ring(MAX_POSITIONS + 1)]]},
        f"has {MAX_POSITIONS + 2} positions",
        id="sizes-before-positions",
    ),
    pytest.param(
        {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
        "delivery_location: type must be Point or Polygon or MultiPolygon, got 'LineString'",
        id="wrong-type",
    ),
]


def test_bad_delivery_locations_are_422_naming_field_and_position(
    client: TestClient,
    planner: tuple[User, Headers],
    make_proposal: Callable[..., Proposal],
    database: Database,
) -> None:
    user, headers = planner
    proposal = make_proposal(user)
    for case in BAD_LOCATIONS:
        location, message = case.values
        r = client.post(
            "/api/v1/opportunities",
            json=opportunity_body(proposal.id, delivery_location=location),
            headers=headers,
        )
        _422(r, "body", message)
    assert _count(database, Opportunity) == 0


def test_a_million_vertex_delivery_location_is_refused_before_it_is_stored(
    client: TestClient,
    planner: tuple[User, Headers],
    make_proposal: Callable[..., Proposal],
    database: Database,
) -> None:
    user, headers = planner
    proposal = make_proposal(user)
    opp = publish(client, headers, proposal.id)
    huge = {"type": "Polygon", "coordinates": [_ring(1_000_000)]}
    r = client.patch(
        f"/api/v1/opportunities/{opp['id']}", json={"delivery_location": huge}, headers=headers
    )
    # the request-size policy may refuse the 30 MB body first (413); past it, the vertex count
    assert r.status_code in (413, 422), r.text
    if r.status_code == 422:
        _422(r, "delivery_location: has 1000000 positions")
    got = client.get(f"/api/v1/opportunities/{opp['id']}").json()
    assert got["delivery_location"] == {"type": "Point", "coordinates": list(BHAM)}


@pytest.mark.parametrize(
    "raw", ["Infinity", "-Infinity", "NaN", "1e400", "1e12", "1000000000000.5"]
)
def test_unbounded_money_is_422_and_the_public_feeds_keep_working(
    raw: str,
    client: TestClient,
    planner: tuple[User, Headers],
    make_proposal: Callable[..., Proposal],
    database: Database,
) -> None:
    user, headers = planner
    proposal = make_proposal(user)
    body = opportunity_body(proposal.id, value_min=None, value_max=None)
    text = json.dumps({**body, "value_amount": "@@"}).replace('"@@"', raw)
    r = client.post(
        "/api/v1/opportunities",
        content=text,
        headers={**headers, "Content-Type": "application/json"},
    )
    _422(r, "body value_amount")
    assert _count(database, Opportunity) == 0
    ok = client.post(
        "/api/v1/opportunities",
        json={**body, "value_amount": 999_999_999_999.99},
        headers=headers,
    )
    assert ok.status_code == 201, ok.text
    assert client.get("/api/v1/opportunities/release-package.json").status_code == 200
    assert client.get("/ogc/collections/opportunities/items").status_code == 200
    r = client.get("/api/v1/opportunities", params={"min_value": raw})
    _422(r, "query min_value")


def test_massing_and_site_boundary_use_the_same_geometry_rules(
    client: TestClient,
    planner: tuple[User, Headers],
    make_proposal: Callable[..., Proposal],
    database: Database,
) -> None:
    _, headers = planner
    before = _count(database, Proposal)
    r = client.post(
        "/api/v1/proposals",
        json=proposal_body(site_boundary={"type": "MultiPolygon", "coordinates": [[]]}),
        headers=headers,
    )
    _422(r, "body site_boundary: polygon 1 has no rings")
    r = client.post(
        "/api/v1/proposals",
        json=proposal_body(
            site_boundary={"type": "Polygon", "coordinates": [_ring(MAX_POSITIONS + 1)]}
        ),
        headers=headers,
    )
    _422(r, f"body site_boundary: has {MAX_POSITIONS + 1} positions")
    assert _count(database, Proposal) == before
    created = client.post("/api/v1/proposals", json=proposal_body(), headers=headers)
    assert created.status_code == 201, created.text
    feature = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [[*_ring(5)[:-1], [200.0, 0.0]]]},
        "properties": {"height_m": 10},
    }
    r = client.put(
        f"/api/v1/proposals/{created.json()['id']}/massing",
        json={"type": "FeatureCollection", "features": [feature]},
        headers=headers,
    )
    _422(r, "body features.0.geometry: outer ring position 5 (200, 0) is out of range")


def test_organisation_location_and_website_are_checked(
    client: TestClient,
    make_user: Callable[..., User],
    bearer: Callable[[User], Headers],
    database: Database,
) -> None:
    headers = bearer(make_user("sme"))
    cases: list[tuple[dict[str, Any], str]] = [
        ({"location": {"type": "Point", "coordinates": [-1.89, float("nan")]}}, "location"),
        (
            {"location": {"type": "Polygon", "coordinates": [_ring(5)]}},
            "body location: type must be Point, got 'Polygon'",
        ),
        ({"website": "javascript:alert(1)"}, "body website: must start with http:// or https://"),
        ({"website": "data:text/html,<b>x</b>"}, "body website: must start with http://"),
        ({"website": "https://"}, "body website: has no host name"),
        ({"website": "https://exa mple.org"}, "body website"),
    ]
    for patch, message in cases:
        text = json.dumps(patch).replace("NaN", "NaN")
        r = client.patch(
            "/api/v1/organisations/me",
            content=text,
            headers={**headers, "Content-Type": "application/json"},
        )
        _422(r, message)
    with database.sessions() as s:
        org = s.scalars(sa.select(Organisation)).one()
        assert org.website is None and org.location is None
    r = client.patch(
        "/api/v1/organisations/me",
        json={
            "website": "https://joinery.example.org",
            "location": {"type": "Point", "coordinates": [-1.89, 52.48]},
        },
        headers=headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["website"] == "https://joinery.example.org"


def test_comments_of_only_invisible_characters_or_with_bidi_controls_are_rejected(
    client: TestClient,
    planner: tuple[User, Headers],
    make_proposal: Callable[..., Proposal],
    make_user: Callable[..., User],
    bearer: Callable[[User], Headers],
    database: Database,
) -> None:
    proposal = make_proposal(planner[0])
    headers = bearer(make_user("citizen"))
    url = f"/api/v1/proposals/{proposal.id}/comments"
    cases = [
        ("\u200b\u200c\u200d\ufeff", "body: has no visible character"),
        (" \u2060 \u00a0\n", "body: has no visible character"),
        ("fine \u202eevil", "body: bidirectional control character U+202E at position 5"),
        ("\u2066isolate\u2069", "body: bidirectional control character U+2066 at position 0"),
    ]
    for text, message in cases:
        _422(client.post(url, json={"body": text}, headers=headers), message)
    assert _count(database, Comment) == 0
    # joiners inside real text stay allowed (emoji sequences, several scripts need them)
    ok = client.post(
        url,
        json={"body": "Family \U0001f468\u200d\U0001f469\u200d\U0001f467 park"},
        headers=headers,
    )
    assert ok.status_code == 201, ok.text


def test_repeated_filters_are_bounded_in_count_and_length(client: TestClient) -> None:
    r = client.get("/api/v1/opportunities", params=[("cpv", "4511")] * 2000)
    _422(r, "query cpv")
    r = client.get("/api/v1/opportunities", params=[("cpv", "4511")] * 51)
    _422(r, "query cpv", "50")
    assert client.get("/api/v1/opportunities", params=[("cpv", "4511")] * 50).status_code == 200
    _422(client.get("/api/v1/opportunities", params={"cpv": "4" * 13}), "query cpv.0")
    _422(client.get("/api/v1/opportunities", params=[("status", "active")] * 51), "query status")
