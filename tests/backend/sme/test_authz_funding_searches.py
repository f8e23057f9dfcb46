"""Authorization matrix of saved funding searches (issue 15): any signed-in account keeps its
own; anonymous gets 401; someone else's search is 404 for every role, admins included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from backend.db.models import User
from tests.backend.sme.test_authz_sme import ROLES

COVERED_OPERATIONS = {
    "listFundingSavedSearches",
    "createFundingSavedSearch",
    "updateFundingSavedSearch",
    "runFundingSavedSearch",
}
URL = "/api/v1/saved-searches/funding"


def test_who_may_keep_funding_searches(
    client: TestClient, make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]
) -> None:
    heads = {r: ({} if r == "anonymous" else bearer(make_user(r))) for r in ROLES}

    def statuses(method: str, path: str, body: Any = None) -> dict[str, int]:
        return {
            r: client.request(method, path, headers=h, json=body).status_code
            for r, h in heads.items()
        }

    signed_in = dict.fromkeys(ROLES, 200) | {"anonymous": 401}
    assert statuses("GET", URL) == signed_in
    body = {"name": "Grants", "query": {"kind": ["grant"]}}
    assert statuses("POST", URL, body) == {**signed_in, **dict.fromkeys(ROLES[1:], 201)}
    owner = bearer(make_user("sme"))
    sid = client.post(URL, json=body, headers=owner).json()["id"]
    nobody = dict.fromkeys(ROLES, 404) | {"anonymous": 401}
    assert statuses("PATCH", f"{URL}/{sid}", {"name": "Mine now"}) == nobody
    assert statuses("GET", f"{URL}/{sid}/schemes") == nobody
    assert statuses("DELETE", f"/api/v1/saved-searches/{sid}") == nobody
    assert client.get(f"{URL}/{sid}/schemes", headers=owner).status_code == 200
    assert client.patch(f"{URL}/{sid}", json={"name": "N"}, headers=owner).status_code == 200
