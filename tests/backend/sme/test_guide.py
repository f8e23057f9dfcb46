"""The one-stop-shop guide: journeys of ordered steps edited by the city, in five languages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from backend.db.models import User


def _step(title: str, **kw: Any) -> dict[str, Any]:
    return {
        "journey": "start",
        "translations": {"en": {"title": title}, "sv": {"title": f"{title} (sv)"}},
        "provider": "Chamber",
        "cost": "free",
        "duration": "1 day",
        "url": "https://chamber.example.org",
        **kw,
    }


def test_the_city_curates_ordered_steps_and_everyone_reads_them(
    client: TestClient, make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]
) -> None:
    planner = bearer(make_user("planner"))
    ids = {}
    for title in ("Register", "Bank account", "Insurance"):
        r = client.post("/api/v1/guide/steps", json=_step(title), headers=planner)
        assert r.status_code == 201, r.text
        ids[title] = r.json()["id"]
    r = client.post("/api/v1/guide/steps", json=_step("Business plan", position=1), headers=planner)
    first = r.json()["id"]
    client.post("/api/v1/guide/steps", json=_step("Find tenders", journey="bid"), headers=planner)

    def order(journey: str = "start") -> list[str]:
        guide = client.get("/api/v1/guide").json()
        assert [j["journey"] for j in guide] == ["start", "grow", "bid", "abroad"]
        steps = next(j["steps"] for j in guide if j["journey"] == journey)
        assert [s["position"] for s in steps] == list(range(1, len(steps) + 1))
        return [s["translations"]["en"]["title"] for s in steps]

    assert order() == ["Business plan", "Register", "Bank account", "Insurance"]
    r = client.patch(
        f"/api/v1/guide/steps/{ids['Insurance']}", json={"position": 2}, headers=planner
    )
    assert r.status_code == 200, r.text
    assert order() == ["Business plan", "Insurance", "Register", "Bank account"]
    client.patch(f"/api/v1/guide/steps/{first}", json={"journey": "grow"}, headers=planner)
    assert order() == ["Insurance", "Register", "Bank account"] and order("grow") == [
        "Business plan"
    ]
    assert (
        client.delete(f"/api/v1/guide/steps/{ids['Register']}", headers=planner).status_code == 204
    )
    assert order() == ["Insurance", "Bank account"]

    # only the city edits; bad input names the field
    sme = bearer(make_user("sme"))
    assert client.post("/api/v1/guide/steps", json=_step("x"), headers=sme).status_code == 403
    r = client.post(
        "/api/v1/guide/steps",
        json={**_step("x"), "translations": {"it": {"title": "x"}}},
        headers=planner,
    )
    assert r.status_code == 422 and "translations.en" in r.json()["detail"]
    r = client.post(
        "/api/v1/guide/steps", json={**_step("x"), "url": "ftp://x.example.org"}, headers=planner
    )
    assert r.status_code == 422 and "url" in r.json()["detail"]
    assert order() == ["Insurance", "Bank account"]
