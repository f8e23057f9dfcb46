"""Authorization of city changes: planners and admins see, queue and revert them; nobody else."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.backend.city.fixtures import City
from tests.backend.city.test_city_changes import _approved_with_massing, _settled

Headers = Callable[[str], dict[str, str]]
COVERED_OPERATIONS = {
    "listCityChanges",
    "getCityChange",
    "applyProposalToCity",
    "revertCityChange",
}


def test_only_planners_and_admins_see_and_make_city_changes(
    client: TestClient, as_role: Headers, city: City
) -> None:
    pid = _approved_with_massing(client, as_role("planner"), city)
    change = client.get("/api/v1/city/changes", headers=as_role("planner")).json()["items"][0]
    for role in ("anonymous", "citizen", "sme", "moderator"):
        headers = as_role(role)
        expected = 401 if role == "anonymous" else 403
        assert client.get("/api/v1/city/changes", headers=headers).status_code == expected, role
        r = client.get(f"/api/v1/city/changes/{change['id']}", headers=headers)
        assert r.status_code == expected, role
        r = client.post(f"/api/v1/city/changes/{change['id']}/revert", headers=headers)
        assert r.status_code == expected, role
        r = client.post(f"/api/v1/proposals/{pid}/city-change", headers=headers)
        assert r.status_code == expected, role
    admin = as_role("admin")
    assert client.get(f"/api/v1/city/changes/{change['id']}", headers=admin).status_code == 200
    assert client.get("/api/v1/city/changes/999", headers=admin).status_code == 404
    r = client.post(f"/api/v1/city/changes/{change['id']}/revert", headers=admin)
    assert r.status_code == 200 and r.json()["state"] == "reverted"
    # another planner than the proposal's may queue it again (the city is not one planner's)
    r = client.post(f"/api/v1/proposals/{pid}/city-change", headers=as_role("planner"))
    assert r.status_code == 202, r.text
    assert [c["state"] for c in _settled(client, as_role("planner"), pid)] == [
        "applied",
        "reverted",
    ]
