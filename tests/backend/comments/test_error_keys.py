"""Every error carries a message key and its params, so the UI can say it in its language.

``detail`` stays the English sentence and ``code`` the error's class; ``key`` + ``params`` are
what the frontend translates (frontend/src/core/errors.ts).
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from backend.db.models import User

Headers = dict[str, str]


def test_a_too_long_comment_names_the_field_and_the_limit(
    client: TestClient,
    make_proposal: Callable[..., int],
    make_user: Callable[..., User],
    bearer: Callable[[User], Headers],
) -> None:
    pid = make_proposal()
    headers = bearer(make_user("citizen"))
    r = client.post(f"/api/v1/proposals/{pid}/comments", json={"body": "x" * 5001}, headers=headers)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "InvalidInputError"
    assert body["key"] == "text_too_long"
    assert body["params"] == {"field": "body", "max": 5000, "length": 5001}
    assert "body" in body["detail"]


def test_a_missing_role_names_the_role(
    client: TestClient, make_user: Callable[..., User], bearer: Callable[[User], Headers]
) -> None:
    r = client.get("/api/v1/moderation/queue", headers=bearer(make_user("citizen")))
    assert r.status_code == 403
    assert (r.json()["key"], r.json()["params"]) == ("role_required", {"role": ["moderator"]})


def test_a_closed_consultation_says_so_with_its_stage(
    client: TestClient,
    make_proposal: Callable[..., int],
    make_user: Callable[..., User],
    bearer: Callable[[User], Headers],
) -> None:
    pid = make_proposal(stage="decided")
    r = client.post(
        f"/api/v1/proposals/{pid}/comments",
        json={"body": "Too late?"},
        headers=bearer(make_user("citizen")),
    )
    assert r.status_code == 409, r.text
    assert (r.json()["key"], r.json()["params"]) == ("consultation_closed", {"stage": "decided"})


def test_a_number_out_of_range_and_an_unknown_route_have_keys(
    client: TestClient,
) -> None:
    r = client.get("/api/v1/proposals", params={"limit": 0})
    assert r.status_code == 422
    assert r.json()["key"] == "number_too_small"
    assert r.json()["params"] == {"field": "limit", "min": 1}
    missing = client.get("/api/v1/proposals/999999")
    assert (missing.status_code, missing.json()["key"]) == (404, "not_found")
    unknown = client.get("/api/v1/no-such-thing")
    assert (unknown.status_code, unknown.json()["key"]) == (404, "not_found")


def test_own_admin_role_cannot_be_removed_and_says_why(
    client: TestClient, make_user: Callable[..., User], bearer: Callable[[User], Headers]
) -> None:
    admin = make_user("admin")
    r = client.put(
        f"/api/v1/users/{admin.id}/roles", json={"roles": ["citizen"]}, headers=bearer(admin)
    )
    assert r.status_code == 409
    assert r.json()["key"] == "own_admin_role"
