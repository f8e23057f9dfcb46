"""Publishing opportunities and finding them by sector, distance, value, dates and text."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from backend.db.models import Proposal, User
from tests.backend.opportunities.conftest import BHAM, COVENTRY, opportunity_body, publish

URL = "/api/v1/opportunities"


@pytest.fixture
def planner_headers(
    make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]
) -> tuple[User, dict[str, str]]:
    user = make_user("planner")
    return user, bearer(user)


def test_planner_publishes_a_work_package_with_labelled_cpv_codes(
    client: TestClient,
    planner_headers: tuple[User, dict[str, str]],
    make_proposal: Callable[..., Proposal],
) -> None:
    planner, headers = planner_headers
    proposal = make_proposal(planner)
    made = publish(client, headers, proposal.id, cpv_codes=["45112710-5", "45112710", "45421000"])
    assert [c["code"] for c in made["cpv"]] == ["45112710-5", "45421000-4"]
    assert made["cpv"][0]["labels"]["en"] == "Landscaping work for green areas"
    assert set(made["cpv"][0]["labels"]) == {"en", "it", "sv", "et", "hu"}
    assert made["value"] == {"amount": None, "min": 50000.0, "max": 80000.0, "currency": "GBP"}
    assert made["tender_period"]["end"].startswith("2030-02-01T17:00:00")
    assert made["delivery_location"] == {"type": "Point", "coordinates": list(BHAM)}
    assert made["ocid"] == f"ocds-civictwin-opp-{made['id']}"
    assert made["proposal_reference"] == proposal.reference
    got = client.get(f"{URL}/{made['id']}")
    assert got.status_code == 200 and got.json()["title"] == "Landscaping works"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"cpv_codes": ["99999999"]}, "cpv_codes"),
        ({"cpv_codes": ["45112710-9"]}, "cpv_codes"),
        ({"cpv_codes": ["4511"]}, "cpv_codes"),
        ({"value_min": 10, "value_max": 5}, "value_min"),
        ({"tender_start": "2030-03-01T00:00:00Z"}, "tender_start"),
        ({"delivery_location": {"type": "Point", "coordinates": [200, 10]}}, "delivery_location"),
        (
            {"delivery_location": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}},
            "delivery_location",
        ),
        ({"status": "open"}, "status"),
        ({"tender_end": "next tuesday"}, "tender_end"),
        ({"currency": "pounds"}, "currency"),
    ],
)
def test_bad_opportunities_are_rejected_naming_the_field(
    client: TestClient,
    planner_headers: tuple[User, dict[str, str]],
    make_proposal: Callable[..., Proposal],
    overrides: dict[str, object],
    field: str,
) -> None:
    planner, headers = planner_headers
    proposal = make_proposal(planner)
    r = client.post(URL, json=opportunity_body(proposal.id, **overrides), headers=headers)
    assert r.status_code == 422, r.text
    assert field in r.json()["detail"]


def test_opportunities_of_draft_proposals_are_not_public(
    client: TestClient,
    planner_headers: tuple[User, dict[str, str]],
    make_proposal: Callable[..., Proposal],
) -> None:
    planner, headers = planner_headers
    draft = make_proposal(planner, stage="draft")
    made = publish(client, headers, draft.id)
    assert client.get(f"{URL}/{made['id']}").status_code == 404
    assert client.get(f"{URL}/{made['id']}", headers=headers).status_code == 200
    assert client.get(URL).json()["total"] == 0


def test_only_the_proposals_planner_changes_its_opportunities(
    client: TestClient,
    planner_headers: tuple[User, dict[str, str]],
    make_proposal: Callable[..., Proposal],
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
) -> None:
    planner, headers = planner_headers
    proposal = make_proposal(planner)
    made = publish(client, headers, proposal.id)
    other = bearer(make_user("planner"))
    assert (
        client.patch(f"{URL}/{made['id']}", json={"status": "active"}, headers=other).status_code
        == 403
    )
    ok = client.patch(
        f"{URL}/{made['id']}", json={"status": "active", "value_amount": 70000}, headers=headers
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "active" and ok.json()["value"]["amount"] == 70000.0
    bad = client.patch(f"{URL}/{made['id']}", json={"value_min": 90000}, headers=headers)
    assert bad.status_code == 422 and "value_min" in bad.json()["detail"]
    assert client.delete(f"{URL}/{made['id']}", headers=headers).status_code == 204
    assert client.get(f"{URL}/{made['id']}").status_code == 404


@pytest.fixture
def catalogue(
    client: TestClient,
    planner_headers: tuple[User, dict[str, str]],
    make_proposal: Callable[..., Proposal],
) -> dict[str, int]:
    """Four opportunities: two in Birmingham, one in Coventry, one without a location."""
    planner, headers = planner_headers
    bham = make_proposal(planner)
    cov = make_proposal(planner, at=COVENTRY)
    ids = {}
    ids["landscaping"] = publish(client, headers, bham.id)["id"]
    ids["joinery"] = publish(
        client,
        headers,
        bham.id,
        title="Joinery fit-out",
        description="Doors and stairs",
        cpv_codes=["45421000"],
        value_min=None,
        value_max=None,
        value_amount=300000,
        sme_suitable=False,
        tender_end="2030-01-10T12:00:00Z",
        status="active",
    )["id"]
    ids["coventry"] = publish(
        client,
        headers,
        cov.id,
        title="Demolition",
        cpv_codes=["45111100"],
        value_min=1000000,
        value_max=2000000,
        delivery_location={"type": "Point", "coordinates": list(COVENTRY)},
        tender_end="2030-03-01T12:00:00Z",
    )["id"]
    ids["sitewide"] = publish(
        client,
        headers,
        cov.id,
        title="Site security",
        cpv_codes=["79710000"],
        value_min=None,
        value_max=None,
        delivery_location=None,
        tender_end=None,
    )["id"]
    return ids


def _ids(client: TestClient, query: str) -> list[int]:
    r = client.get(f"{URL}?{query}")
    assert r.status_code == 200, r.text
    return [o["id"] for o in r.json()["items"]]


def test_cpv_prefix_matches_its_subtree(client: TestClient, catalogue: dict[str, int]) -> None:
    assert set(_ids(client, "cpv=4511")) == {catalogue["landscaping"], catalogue["coventry"]}
    assert _ids(client, "cpv=45421000-4") == [catalogue["joinery"]]
    assert set(_ids(client, "cpv=45&cpv=79")) == set(catalogue.values())
    bad = client.get(f"{URL}?cpv=4599")
    assert bad.status_code == 422 and "cpv" in bad.json()["detail"]


def test_distance_filter_is_geodesic_and_uses_the_site_without_a_delivery_location(
    client: TestClient, catalogue: dict[str, int]
) -> None:
    near_bham = f"lon={BHAM[0]}&lat={BHAM[1]}"
    assert set(_ids(client, f"{near_bham}&radius_km=5")) == {
        catalogue["landscaping"],
        catalogue["joinery"],
    }
    # Coventry is ~27 km from Birmingham as the crow flies
    assert catalogue["coventry"] not in _ids(client, f"{near_bham}&radius_km=25")
    within_30 = _ids(client, f"{near_bham}&radius_km=30&sort=distance")
    assert within_30[-2:] == sorted([catalogue["coventry"], catalogue["sitewide"]]) or set(
        within_30[-2:]
    ) == {catalogue["coventry"], catalogue["sitewide"]}
    body = client.get(f"{URL}?{near_bham}&radius_km=30&sort=distance").json()
    distances = [o["distance_km"] for o in body["items"]]
    assert distances == sorted(distances)
    assert distances[0] == 0.0 and 26 < distances[-1] < 28


def test_value_status_dates_sme_and_text_filters(
    client: TestClient, catalogue: dict[str, int]
) -> None:
    assert set(_ids(client, "min_value=60000&max_value=400000")) == {
        catalogue["landscaping"],
        catalogue["joinery"],
    }
    assert _ids(client, "min_value=1500000") == [catalogue["coventry"]]
    assert _ids(client, "status=active") == [catalogue["joinery"]]
    assert _ids(client, "closing_before=2030-01-15") == [catalogue["joinery"]]
    assert _ids(client, "closing_after=2030-02-15T00:00:00Z") == [catalogue["coventry"]]
    assert catalogue["joinery"] not in _ids(client, "sme_suitable=true")
    assert _ids(client, "q=STAIRS") == [catalogue["joinery"]]


def test_sorting_and_paging(client: TestClient, catalogue: dict[str, int]) -> None:
    closing = _ids(client, "sort=closing")
    assert closing == [
        catalogue["joinery"],
        catalogue["landscaping"],
        catalogue["coventry"],
        catalogue["sitewide"],
    ]
    assert _ids(client, "sort=-value")[:3] == [
        catalogue["coventry"],
        catalogue["joinery"],
        catalogue["landscaping"],
    ]
    first = client.get(f"{URL}?limit=3").json()
    assert first["total"] == 4 and len(first["items"]) == 3 and first["prev"] is None
    second = client.get(first["next"]).json()
    assert [o["id"] for o in second["items"]] == closing[3:] and second["next"] is None


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("radius_km=5", "radius_km"),
        ("lon=1", "lon"),
        ("min_value=10&max_value=5", "min_value"),
        ("closing_after=2030-02-01&closing_before=2030-01-01", "closing_after"),
        ("closing_after=yesterday", "closing_after"),
        ("sort=distance", "sort"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("lat=91&lon=0", "lat"),
        ("status=open", "status"),
        ("cpv=abc", "cpv"),
    ],
)
def test_bad_queries_name_the_parameter(client: TestClient, query: str, param: str) -> None:
    r = client.get(f"{URL}?{query}")
    assert r.status_code == 422, r.text
    assert param in r.json()["detail"]


def test_cpv_search_and_labels_in_the_ui_languages(client: TestClient) -> None:
    r = client.get("/api/v1/cpv?q=landscaping&prefix=45&lang=sv")
    assert r.status_code == 200
    items = r.json()["items"]
    assert items and all(i["code"].startswith("45") for i in items)
    one = client.get("/api/v1/cpv/45112710?lang=it").json()
    assert one["code"] == "45112710-5" and one["label"] == one["labels"]["it"]
    # the official list has no Italian label for 03117140: English is the fallback
    gap = client.get("/api/v1/cpv/03117140?lang=it").json()
    assert "it" not in gap["labels"] and gap["label"] == gap["labels"]["en"]
    assert client.get("/api/v1/cpv/12345678").status_code == 422
