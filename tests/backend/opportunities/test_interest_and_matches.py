"""SME profiles, matches for my organisation, interest registrations and the planner's export."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from fastapi.testclient import TestClient

from backend.db.models import Proposal, User
from tests.backend.opportunities.conftest import BHAM, COVENTRY, publish


def test_sme_profile_keeps_sectors_as_cpv_prefixes(
    client: TestClient, make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]
) -> None:
    sme = bearer(make_user("sme"))
    r = client.patch(
        "/api/v1/organisations/me",
        json={
            "name": "Green Spaces Ltd",
            "size": "small",
            "sectors": ["45112710-5", "4511", "77310000"],
            "location": {"type": "Point", "coordinates": list(BHAM)},
            "service_radius_km": 20,
        },
        headers=sme,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    # 45112710 lies inside 4511: only the wider prefix is kept
    assert [s["prefix"] for s in body["sectors"]] == ["4511", "7731"]
    assert body["sectors"][0]["label"].startswith("Building demolition")
    assert body["location"] == {"type": "Point", "coordinates": list(BHAM)}
    assert client.get(f"/api/v1/organisations/{body['id']}").json()["name"] == "Green Spaces Ltd"
    bad = client.patch("/api/v1/organisations/me", json={"sectors": ["9"]}, headers=sme)
    assert bad.status_code == 422 and "sectors" in bad.json()["detail"]
    bad = client.patch(
        "/api/v1/organisations/me",
        json={"location": {"type": "Polygon", "coordinates": []}},
        headers=sme,
    )
    assert bad.status_code == 422 and "location" in bad.json()["detail"]


def test_matches_rank_by_sector_overlap_and_distance_and_explain_why(
    client: TestClient,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    make_proposal: Callable[..., Proposal],
) -> None:
    planner = make_user("planner")
    ph = bearer(planner)
    bham, cov = make_proposal(planner), make_proposal(planner, at=COVENTRY)
    near = publish(client, ph, bham.id)["id"]  # 45112710, Birmingham
    mixed = publish(client, ph, bham.id, cpv_codes=["45112710", "79710000"])["id"]
    far = publish(
        client,
        ph,
        cov.id,
        delivery_location={"type": "Point", "coordinates": list(COVENTRY)},
    )["id"]
    publish(client, ph, bham.id, cpv_codes=["79710000"])  # another sector
    publish(client, ph, bham.id, status="complete")  # closed
    sme = bearer(make_user("sme"))
    client.patch(
        "/api/v1/organisations/me",
        json={
            "sectors": ["4511"],
            "location": {"type": "Point", "coordinates": list(BHAM)},
            "service_radius_km": 50,
        },
        headers=sme,
    )
    r = client.get("/api/v1/organisations/me/matches", headers=sme)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [m["opportunity"]["id"] for m in items] == [near, far, mixed]
    kinds = {reason["kind"] for reason in items[0]["reasons"]}
    assert kinds == {"sector", "distance", "sme"}
    assert "4511" in items[0]["reasons"][0]["detail"]
    # the same reasons as codes and params, for the UI to say in its language
    by_kind = {reason["kind"]: reason for reason in items[0]["reasons"]}
    sector = by_kind["sector"]["params"]
    assert sector["prefix"] == "4511" and str(sector["cpv"]).startswith("45112710")
    distance = by_kind["distance"]["params"]
    assert distance["radius_km"] == 50
    assert f"{distance['distance_km']:.1f} km" in by_kind["distance"]["detail"]
    assert by_kind["sme"]["params"] == {}
    assert items[0]["score"] > items[1]["score"] > items[2]["score"]


def test_interest_is_one_per_organisation_idempotent_and_withdrawable(
    client: TestClient,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    make_proposal: Callable[..., Proposal],
) -> None:
    planner = make_user("planner")
    ph = bearer(planner)
    opp = publish(client, ph, make_proposal(planner).id)["id"]
    sme_user = make_user("sme", name="Sam")
    sme = bearer(sme_user)
    url = f"/api/v1/opportunities/{opp}/interest"
    first = client.put(url, json={"message": "We can do this"}, headers=sme)
    assert first.status_code == 200, first.text
    again = client.put(url, json={"message": "We can do this, and the paving"}, headers=sme)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["message"] == "We can do this, and the paving"
    # a colleague in the same organisation updates the same registration
    listed = client.get(f"/api/v1/opportunities/{opp}/interests", headers=ph).json()
    assert listed["total"] == 1 and listed["items"][0]["contact_name"] == "Sam"
    assert listed["items"][0]["contact_email"] == sme_user.email
    withdrawn = client.delete(url, headers=sme)
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn"] is True
    assert client.get(f"/api/v1/opportunities/{opp}/interests", headers=ph).json()["total"] == 0
    mine = client.get("/api/v1/organisations/me/interests", headers=sme).json()
    assert len(mine) == 1 and mine[0]["withdrawn"] is True
    back = client.put(url, json={"message": "Back in"}, headers=sme)
    assert back.json()["withdrawn"] is False and back.json()["id"] == first.json()["id"]
    exported = client.get(f"/api/v1/opportunities/{opp}/interests.csv", headers=ph)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 1 and rows[0]["message"] == "Back in" and rows[0]["withdrawn"] == "no"


def test_csv_export_neutralises_spreadsheet_formulas(
    client: TestClient,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    make_proposal: Callable[..., Proposal],
) -> None:
    planner = make_user("planner")
    ph = bearer(planner)
    opp = publish(client, ph, make_proposal(planner).id)["id"]
    sme = bearer(make_user("sme"))
    client.put(
        f"/api/v1/opportunities/{opp}/interest", json={"message": "=HYPERLINK(1)"}, headers=sme
    )
    text = client.get(f"/api/v1/opportunities/{opp}/interests.csv", headers=ph).text
    assert "'=HYPERLINK(1)" in text


def test_interest_in_a_closed_opportunity_is_a_conflict(
    client: TestClient,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    make_proposal: Callable[..., Proposal],
) -> None:
    planner = make_user("planner")
    ph = bearer(planner)
    opp = publish(client, ph, make_proposal(planner).id, status="cancelled")["id"]
    r = client.put(
        f"/api/v1/opportunities/{opp}/interest",
        json={"message": "x"},
        headers=bearer(make_user("sme")),
    )
    assert r.status_code == 409 and "status" in r.json()["detail"]
