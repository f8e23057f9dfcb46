"""Funding and business-support schemes: publishing, the directory, matches and links."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from backend.db.models import Proposal, User
from tests.backend.sme.conftest import BHAM, COVENTRY, create_scheme, publish, set_profile, site


def _area(lon: float, lat: float) -> dict[str, object]:
    return {
        "type": "Polygon",
        "coordinates": [list(map(list, site(lon, lat, 0.05).geoms[0].exterior.coords))],
    }


def test_a_funder_publishes_a_scheme_in_five_languages(
    client: TestClient, make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]
) -> None:
    funder = bearer(make_user("funder"))
    body = create_scheme(
        client,
        funder,
        sectors=[{"scheme": "CPV", "code": "45210000-2"}, {"scheme": "NACE", "code": "43.3"}],
    )
    assert body["translations"]["it"]["title"] == "Contributo per la prima gara"
    # a full CPV code is kept as the prefix of its subtree; NACE as written
    assert body["sectors"] == [
        {"scheme": "CPV", "code": "4521"},
        {"scheme": "NACE", "code": "43.3"},
    ]
    assert body["open"] is True and body["status"] == "published"
    assert client.get(f"/api/v1/schemes/{body['id']}").json()["provider"] == body["provider"]

    # only a funder (or an admin) publishes; another funder cannot change it
    sme = bearer(make_user("sme"))
    assert client.post("/api/v1/schemes", json={"kind": "loan"}, headers=sme).status_code == 403
    other = bearer(make_user("funder"))
    r = client.patch(f"/api/v1/schemes/{body['id']}", json={"provider": "X"}, headers=other)
    assert r.status_code == 403
    r = client.patch(
        f"/api/v1/schemes/{body['id']}", json={"closes_on": "2098-01-01"}, headers=funder
    )
    assert r.status_code == 200 and r.json()["closes_on"] == "2098-01-01"


def test_bad_schemes_are_refused_naming_the_field(
    client: TestClient, make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]
) -> None:
    funder = bearer(make_user("funder"))
    cases: dict[str, dict[str, Any]] = {
        "translations.en": {"translations": {"it": {"title": "Solo italiano"}}},
        "sectors[1].code": {
            "sectors": [{"scheme": "CPV", "code": "45"}, {"scheme": "NACE", "code": "XX"}]
        },
        "amount_min": {"amount_min": 9000, "amount_max": 10},
        "opens_on": {"opens_on": "2030-01-01", "closes_on": "2029-01-01"},
        "closes_on": {"rolling": True, "closes_on": "2030-01-01"},
        "translations.it.title": {
            "translations": {"en": {"title": "ok"}, "it": {"title": "a\u202eb"}}
        },
    }
    for field, override in cases.items():
        r = client.post("/api/v1/schemes", json={**_base(), **override}, headers=funder)
        assert r.status_code == 422, (field, r.text)
        assert field in r.json()["detail"], (field, r.json())
    r = client.post(
        "/api/v1/schemes", json={**_base(), "apply_url": "javascript:alert(1)"}, headers=funder
    )
    assert r.status_code == 422 and "apply_url" in r.json()["detail"]
    r = client.post(
        "/api/v1/schemes",
        json={**_base(), "sectors": [{"scheme": "CPV", "code": "45"}] * 51},
        headers=funder,
    )
    assert r.status_code == 422 and "sectors" in r.json()["detail"]
    assert client.get("/api/v1/schemes").json()["total"] == 0  # nothing half-written


def _base() -> dict[str, Any]:
    from tests.backend.sme.conftest import scheme_body

    return scheme_body()


def test_directory_filters_by_kind_size_sector_place_date_and_text(
    client: TestClient, make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]
) -> None:
    funder = bearer(make_user("funder"))
    grant = create_scheme(client, funder)
    loan = create_scheme(
        client,
        funder,
        kind="loan",
        sizes=["medium"],
        sectors=[{"scheme": "CPV", "code": "7731"}],
        area=_area(*COVENTRY),
        translations={"en": {"title": "Coventry growth loan", "summary": "Loans"}},
    )
    advice = create_scheme(
        client, funder, kind="advice", sizes=[], sectors=[], rolling=True, closes_on=None
    )
    closed = create_scheme(
        client, funder, kind="training", opens_on="2020-01-01", closes_on="2020-06-30"
    )
    draft = create_scheme(client, funder, kind="equity", status="draft")

    def ids(**params: object) -> list[int]:
        r = client.get("/api/v1/schemes", params=params)
        assert r.status_code == 200, r.text
        return sorted(s["id"] for s in r.json()["items"])

    every = sorted(s["id"] for s in (grant, loan, advice, closed))
    assert ids() == every  # the draft is not public
    assert draft["id"] in [
        s["id"] for s in client.get("/api/v1/schemes", headers=funder).json()["items"]
    ]
    assert ids(kind=["loan", "advice"]) == sorted([loan["id"], advice["id"]])
    assert ids(size="medium") == sorted([loan["id"], advice["id"]])
    # CPV either way round: 4511 lies in 45; 77310000 lies in 7731; no sectors = any
    assert ids(sector="4511") == sorted([grant["id"], advice["id"], closed["id"]])
    assert ids(sector="77310000") == sorted([loan["id"], advice["id"]])
    # place: the Coventry loan is not open to a firm in Birmingham
    assert loan["id"] not in ids(lon=BHAM[0], lat=BHAM[1])
    assert loan["id"] in ids(lon=COVENTRY[0], lat=COVENTRY[1])
    assert ids(open_on="2025-01-01") == sorted([grant["id"], loan["id"], advice["id"]])
    assert ids(q="coventry") == [loan["id"]]
    assert ids(q="prima gara") == sorted([grant["id"], advice["id"], closed["id"]])  # Italian
    assert client.get("/api/v1/schemes", params={"sector": "9"}).status_code == 422


def test_schemes_for_my_organisation_give_reasons_as_codes(
    client: TestClient,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    make_proposal: Callable[..., Proposal],
) -> None:
    funder = bearer(make_user("funder"))
    planner = make_user("planner")
    opp = publish(client, bearer(planner), make_proposal(planner).id)
    grant = create_scheme(client, funder, opportunity_ids=[opp["id"]], kind="guarantee")
    create_scheme(client, funder, sizes=["medium"])  # wrong size
    create_scheme(client, funder, sectors=[{"scheme": "CPV", "code": "7731"}])  # wrong sector
    create_scheme(client, funder, area=_area(*COVENTRY))  # elsewhere
    create_scheme(client, funder, closes_on="2020-12-31", opens_on="2020-01-01")  # closed
    anywhere = create_scheme(
        client, funder, sizes=[], sectors=[], rolling=True, closes_on=None, kind="advice"
    )

    user = make_user("sme")
    sme = bearer(user)
    set_profile(
        client,
        sme,
        size="micro",
        sectors=["4511"],
        location={"type": "Point", "coordinates": list(BHAM)},
    )
    client.put(f"/api/v1/opportunities/{opp['id']}/interest", json={"message": "yes"}, headers=sme)
    r = client.get("/api/v1/organisations/me/schemes", headers=sme)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [m["scheme"]["id"] for m in body["items"]] == [grant["id"], anywhere["id"]]
    assert body["total"] == 2
    reasons = {x["code"]: x["params"] for x in body["items"][0]["reasons"]}
    assert reasons["size"] == {"size": "micro"}
    assert reasons["sector"] == {"scheme": "CPV", "code": "45", "yours": "4511"}
    assert reasons["open"] == {"closes_on": "2099-12-31"}
    assert "linked" in reasons and "anywhere" in reasons
    assert {x["code"] for x in body["items"][1]["reasons"]} == {
        "any_size",
        "any_sector",
        "anywhere",
        "rolling",
    }

    # beside the work package
    beside = client.get(f"/api/v1/opportunities/{opp['id']}/schemes").json()
    assert [s["id"] for s in beside] == [grant["id"]]
    r = client.patch(
        f"/api/v1/schemes/{grant['id']}", json={"opportunity_ids": [999999]}, headers=funder
    )
    assert r.status_code == 422 and "opportunity_ids[0]" in r.json()["detail"]
    assert [s["id"] for s in client.get(f"/api/v1/opportunities/{opp['id']}/schemes").json()] == [
        grant["id"]
    ]


def test_funders_and_contractors_sign_in_and_see_their_roles(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    from tests.conftest import sign_in

    for role in ("funder", "contractor"):
        user = make_user(role)
        sign_in(client, user.email or "")
        me = client.get("/api/v1/auth/me")
        assert me.status_code == 200, me.text
        assert role in me.json()["roles"]
        client.post(
            "/api/v1/auth/logout",
            headers={"X-CSRF-Token": client.cookies.get("civictwin_csrf") or ""},
        )
        client.cookies.clear()
