"""Sub-packages: a contractor that won a work package posts work below it, SMEs register
interest as for any work package, and OCDS links the two processes."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import Organisation, Proposal, User
from tests.backend.opportunities.test_ocds import assert_valid_package
from tests.backend.sme.conftest import BHAM, publish


def _contractor(database: Database, make_user: Callable[..., User]) -> User:
    user = make_user("contractor")
    with database.sessions() as session:
        loaded = session.get(User, user.id)
        assert loaded is not None
        loaded.organisation = Organisation(name="Main Contractor plc", size="large")
        session.commit()
        session.refresh(loaded)
        session.expunge_all()
        return loaded


def test_a_contractor_posts_sub_packages_linked_to_the_parent_in_ocds(
    client: TestClient,
    database: Database,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    make_proposal: Callable[..., Proposal],
) -> None:
    planner = make_user("planner")
    ph = bearer(planner)
    parent = publish(client, ph, make_proposal(planner).id, status="active")
    contractor = _contractor(database, make_user)
    ch = bearer(contractor)
    sub_body = {
        "title": "Planting of the podium beds",
        "cpv_codes": ["77310000"],
        "value_amount": 40000,
        "delivery_location": {"type": "Point", "coordinates": list(BHAM)},
        "status": "active",
        "tender_end": "2030-04-01T12:00:00Z",
    }
    url = f"/api/v1/opportunities/{parent['id']}/sub-packages"
    # not yet awarded to the contractor: refused
    r = client.post(url, json=sub_body, headers=ch)
    assert r.status_code == 403 and "awarded" in r.json()["detail"]
    r = client.post(
        f"/api/v1/opportunities/{parent['id']}/awards",
        json={
            "supplier_id": contractor.organisation_id,
            "value_amount": 900000,
            "awarded_on": "2030-02-15",
        },
        headers=ph,
    )
    assert r.status_code == 201, r.text
    r = client.post(url, json={**sub_body, "cpv_codes": ["9"]}, headers=ch)
    assert r.status_code == 422 and "cpv_codes" in r.json()["detail"]
    assert client.post(url, json=sub_body, headers=bearer(make_user("sme"))).status_code == 403
    r = client.post(url, json=sub_body, headers=ch)
    assert r.status_code == 201, r.text
    sub = r.json()
    assert sub["proposal_id"] == parent["proposal_id"]
    assert [s["id"] for s in client.get(url).json()] == [sub["id"]]
    # the sub-package names its parent work package, in its own view and in the list; a work
    # package of the council's has none
    assert sub["parent_id"] == parent["id"] and parent["parent_id"] is None
    assert client.get(f"/api/v1/opportunities/{sub['id']}").json()["parent_id"] == parent["id"]
    listed = {o["id"]: o["parent_id"] for o in client.get("/api/v1/opportunities").json()["items"]}
    assert listed[sub["id"]] == parent["id"] and listed[parent["id"]] is None

    # found like any work package (on the map beside the development) and interest the same way
    near = client.get(
        "/api/v1/opportunities",
        params={"lon": BHAM[0], "lat": BHAM[1], "radius_km": 1, "cpv": "7731"},
    ).json()
    assert [o["id"] for o in near["items"]] == [sub["id"]]
    sme = bearer(make_user("sme"))
    r = client.put(
        f"/api/v1/opportunities/{sub['id']}/interest", json={"message": "We plant."}, headers=sme
    )
    assert r.status_code == 200, r.text

    package = client.get("/api/v1/opportunities/release-package.json").json()
    assert_valid_package(package)
    by_ocid = {r["ocid"]: r for r in package["releases"]}
    child = by_ocid[sub["ocid"]]
    assert child["relatedProcesses"] == [
        {
            "id": f"parent-{parent['id']}",
            "relationship": ["parent"],
            "title": parent["title"],
            "scheme": "ocid",
            "identifier": parent["ocid"],
        }
    ]
    assert [p["roles"] for p in child["parties"] if p["id"] != "buyer"] == [["interestedParty"]]
    links = by_ocid[parent["ocid"]]["relatedProcesses"]
    assert [(x["relationship"], x["identifier"]) for x in links] == [(["subContract"], sub["ocid"])]
