"""One pagination dependency and one bbox parameter: the same rules and answers on every list."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from backend.db.models import User

BBOX_LISTS = ("/api/v1/proposals", "/api/v1/buildings", "/api/v1/analytics/area")


def test_a_bad_bbox_gets_the_same_422_on_every_list(
    client: TestClient, make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]
) -> None:
    headers = bearer(make_user("planner"))
    for url in BBOX_LISTS:
        for bad, message in (
            ("1,2,3", "bbox: expected 4 numbers west,south,east,north, got 3 value(s)"),
            ("0,0,1,nan", "bbox: numbers must be finite"),
            ("2,0,1,1", "bbox: west (2.0) must be less than east (1.0)"),
            ("0,0,1," + "1" * 300, "query bbox"),
        ):
            r = client.get(url, params={"bbox": bad}, headers=headers)
            assert r.status_code == 422, (url, bad, r.text)
            assert r.json()["code"] == "InvalidInputError"
            assert message in r.json()["detail"], (url, r.json()["detail"])
        assert client.get(url, params={"bbox": "-1,51,1,52"}, headers=headers).status_code == 200


def test_pages_link_both_ways_and_bound_their_size(
    client: TestClient, make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]
) -> None:
    from tests.backend.proposals.helpers import create

    headers = bearer(make_user("planner"))
    for _ in range(3):
        create(client, headers)
    page = client.get("/api/v1/proposals", params={"limit": 1, "offset": 1}, headers=headers)
    assert page.status_code == 200, page.text
    body = page.json()
    assert (body["total"], body["limit"], body["offset"], len(body["items"])) == (3, 1, 1, 1)
    assert body["next"].endswith("limit=1&offset=2")
    assert body["prev"].endswith("limit=1&offset=0")
    for url, too_big in (("/api/v1/proposals", 201), ("/api/v1/opportunities", 201)):
        r = client.get(url, params={"limit": too_big})
        assert r.status_code == 422 and "query limit" in r.json()["detail"], r.text
