"""Grants awarded under schemes, exported as 360Giving and validated against its schema."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from backend.db.models import User
from tests.backend.sme.conftest import create_scheme, set_profile
from tests.backend.sme.validators import assert_valid_360giving


def test_awarded_grants_are_a_valid_360giving_package(
    client: TestClient, make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]
) -> None:
    assert client.get("/api/v1/grants/360giving.json").status_code == 404  # none awarded yet
    funder = bearer(make_user("funder"))
    scheme = create_scheme(client, funder)
    draft = create_scheme(client, funder, status="draft")
    sme = bearer(make_user("sme"))
    org = set_profile(client, sme, name="Leaf & Co", website="https://leaf.example.org")
    url = f"/api/v1/schemes/{scheme['id']}/grants"
    body = {"organisation_id": org["id"], "amount": 4500, "awarded_on": "2030-06-02"}
    r = client.post(url, json=body, headers=funder)
    assert r.status_code == 201, r.text
    assert r.json()["organisation_name"] == "Leaf & Co"
    client.post(f"/api/v1/schemes/{draft['id']}/grants", json=body, headers=funder)

    # only the scheme's funder; bad input names the field
    other = bearer(make_user("funder"))
    assert client.post(url, json=body, headers=other).status_code == 403
    assert client.post(url, json=body, headers=sme).status_code == 403
    r = client.post(url, json={**body, "organisation_id": 999999}, headers=funder)
    assert r.status_code == 422 and "organisation_id" in r.json()["detail"]
    r = client.post(url, json={**body, "amount": -1}, headers=funder)
    assert r.status_code == 422 and "amount" in r.json()["detail"]

    package = client.get("/api/v1/grants/360giving.json").json()
    assert_valid_360giving(package)
    (grant,) = package["grants"]  # the draft scheme's grant is not published
    assert grant["amountAwarded"] == 4500 and grant["currency"] == "GBP"
    assert grant["awardDate"] == "2030-06-02T00:00:00Z" and grant["title"] == "Bid-ready grant"
    assert grant["recipientOrganization"][0]["name"] == "Leaf & Co"
    assert grant["fundingOrganization"][0]["name"] == scheme["provider"]
    programme = grant["grantProgramme"][0]
    assert client.get(programme["url"]).json()["id"] == scheme["id"]
    assert [g["amount"] for g in client.get(url).json()] == [4500]


def test_a_grant_recorded_in_error_is_withdrawn_and_leaves_the_package(
    client: TestClient, make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]
) -> None:
    funder = bearer(make_user("funder"))
    scheme = create_scheme(client, funder)
    org = set_profile(client, bearer(make_user("sme")), name="Wrong Ltd")
    url = f"/api/v1/schemes/{scheme['id']}/grants"
    kept = client.post(
        url,
        json={"organisation_id": org["id"], "amount": 1000, "awarded_on": "2030-06-02"},
        headers=funder,
    ).json()
    wrong = client.post(
        url,
        json={"organisation_id": org["id"], "amount": 99999, "awarded_on": "2030-06-03"},
        headers=funder,
    ).json()
    assert len(client.get("/api/v1/grants/360giving.json").json()["grants"]) == 2

    assert client.delete(f"/api/v1/grants/{wrong['id']}", headers=funder).status_code == 204
    assert [g["id"] for g in client.get(url).json()] == [kept["id"]]
    package = client.get("/api/v1/grants/360giving.json").json()
    assert_valid_360giving(package)
    assert [g["amountAwarded"] for g in package["grants"]] == [1000]
    again = client.delete(f"/api/v1/grants/{wrong['id']}", headers=funder)
    assert again.status_code == 404 and "grant" in again.json()["detail"]
    # the audit trail keeps what was withdrawn
    admin = bearer(make_user("admin"))
    log = client.get("/api/v1/audit-log", params={"action": "grant.delete"}, headers=admin)
    (entry,) = log.json()["items"]
    assert entry["details"]["amount"] == "99999.00" and str(entry["entity_id"]) == str(scheme["id"])
