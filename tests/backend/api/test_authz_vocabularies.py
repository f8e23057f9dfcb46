"""Authorization matrix of the published vocabularies: public, the same for every role."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from backend.db.models import User

Headers = dict[str, str]
ROLES = ("citizen", "sme", "planner", "moderator", "admin", "funder", "contractor")
COVERED_OPERATIONS = {"getVocabularies"}


def test_authz_vocabularies_are_public_and_the_same_for_every_role(
    client: TestClient, make_user: Callable[..., User], bearer: Callable[[User], Headers]
) -> None:
    anonymous = client.get("/api/v1/vocabularies")
    assert anonymous.status_code == 200
    for role in ROLES:
        r = client.get("/api/v1/vocabularies", headers=bearer(make_user(role)))
        assert r.status_code == 200, role
        assert r.json() == anonymous.json(), role
    # a write method is not an operation here
    assert client.post("/api/v1/vocabularies", json={}).status_code == 405
