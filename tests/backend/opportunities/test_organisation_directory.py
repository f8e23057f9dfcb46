"""The organisation directory (``GET /api/v1/organisations?q=``): how a planner finds the
supplier of an award, or a contractor a partner, by name or company number (issue 15)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import Organisation


def _orgs(database: Database, *rows: tuple[str, str | None]) -> dict[str, int]:
    with database.sessions() as session:
        made = [Organisation(name=n, identifier=i, size="small") for n, i in rows]
        session.add_all(made)
        session.commit()
        return {o.name: o.id for o in made}


def test_finds_by_any_part_of_the_name_in_any_case_or_by_identifier(
    client: TestClient, database: Database
) -> None:
    ids = _orgs(
        database,
        ("Barbican Joinery Ltd", "GB-COH-01234567"),
        ("Joiners of Aldgate", None),
        ("Moorgate Glazing", "GB-COH-07654321"),
        ("100% Roofs", None),
        ("100 Roofs", None),
    )
    r = client.get("/api/v1/organisations", params={"q": "JOIN"})
    assert r.status_code == 200, r.text
    body = r.json()
    # names starting with the text come first, then the others by name
    assert [o["name"] for o in body["items"]] == ["Joiners of Aldgate", "Barbican Joinery Ltd"]
    assert body["total"] == 2 and body["items"][0]["id"] == ids["Joiners of Aldgate"]
    assert body["items"][1]["identifier"] == "GB-COH-01234567"

    by_number = client.get("/api/v1/organisations", params={"q": "gb-coh-07654321"}).json()
    assert [o["name"] for o in by_number["items"]] == ["Moorgate Glazing"]
    # LIKE's wildcards are plain characters here
    pct = client.get("/api/v1/organisations", params={"q": "100%"}).json()
    assert [o["name"] for o in pct["items"]] == ["100% Roofs"]
    assert client.get("/api/v1/organisations", params={"q": "zzz"}).json()["total"] == 0


def test_pages_and_bounds(client: TestClient, database: Database) -> None:
    _orgs(database, *((f"Paving {i:02d}", None) for i in range(12)))
    first = client.get("/api/v1/organisations", params={"q": "paving"}).json()
    assert first["total"] == 12 and len(first["items"]) == 10 and first["next"]
    rest = client.get("/api/v1/organisations", params={"q": "paving", "offset": 10}).json()
    assert [o["name"] for o in rest["items"]] == ["Paving 10", "Paving 11"]
    for params, name in [
        ({"q": "a"}, "q"),
        ({"q": " a "}, "q"),
        ({"q": "x" * 101}, "q"),
        ({}, "q"),
        ({"q": "pav", "limit": 51}, "limit"),
    ]:
        r = client.get("/api/v1/organisations", params=params)
        assert r.status_code == 422 and name in r.json()["detail"], (params, r.text)
