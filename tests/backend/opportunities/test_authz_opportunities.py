"""Authorization matrix: every opportunities / organisations / CPV / saved-search / open-data /
analytics / OGC endpoint × anonymous, citizen, sme, planner, moderator, admin, plus owner-vs-other
planner and own-vs-other organisation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import Proposal, SavedSearch, User
from backend.services import alerts
from backend.settings import Settings
from tests.backend.opportunities.conftest import opportunity_body, publish

ROLES = ("anonymous", "citizen", "sme", "planner", "moderator", "admin")
PUBLIC = {
    "listOpportunities",
    "getOpportunitiesReleasePackage",
    "getOpportunity",
    "getOpportunityReleasePackage",
    "getOrganisation",
    "searchOrganisations",
    "searchCpv",
    "getCpvCode",
    "getOpenDataCatalogue",
    "downloadOpenData",
    "ogcLandingPage",
    "ogcConformance",
    "ogcApiDefinition",
    "ogcCollections",
    "ogcCollection",
    "ogcItems",
    "ogcItem",
}
COVERED_OPERATIONS = PUBLIC | {
    "createOpportunity",
    "updateOpportunity",
    "deleteOpportunity",
    "registerInterest",
    "withdrawInterest",
    "listInterests",
    "exportInterests",
    "getMyOrganisation",
    "updateMyOrganisation",
    "listMyMatches",
    "listMyInterests",
    "listSavedSearches",
    "createSavedSearch",
    "updateSavedSearch",
    "deleteSavedSearch",
    "stopAlertsPage",
    "stopAlerts",
    "getProposalAnalytics",
    "getAreaAnalytics",
}

Caller = Callable[[str], dict[str, str]]


@pytest.fixture
def caller(make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]) -> Caller:
    def as_role(role: str) -> dict[str, str]:
        return {} if role == "anonymous" else bearer(make_user(role))

    return as_role


def statuses(
    client: TestClient, caller: Caller, method: str, path: str, json: object = None
) -> dict[str, int]:
    return {
        role: client.request(method, path, headers=caller(role), json=json).status_code
        for role in ROLES
    }


def only(allowed: tuple[str, ...], status: int) -> dict[str, int]:
    return {
        r: status if r in (*allowed, "admin") else 401 if r == "anonymous" else 403 for r in ROLES
    }


@pytest.fixture
def published(
    client: TestClient,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    make_proposal: Callable[..., Proposal],
) -> tuple[int, int, dict[str, str]]:
    owner = make_user("planner")
    headers = bearer(owner)
    proposal = make_proposal(owner)
    return proposal.id, publish(client, headers, proposal.id)["id"], headers


def test_public_reads_are_open_to_everyone(
    client: TestClient, caller: Caller, published: tuple[int, int, dict[str, str]]
) -> None:
    _, opp, _ = published
    for path in (
        "/api/v1/opportunities",
        f"/api/v1/opportunities/{opp}",
        "/api/v1/opportunities/release-package.json",
        f"/api/v1/opportunities/{opp}/release-package.json",
        "/api/v1/cpv?q=paint",
        "/api/v1/organisations?q=org",
        "/api/v1/cpv/45112710",
        "/api/v1/opendata",
        "/api/v1/opendata/opportunities.csv",
        "/ogc",
        "/ogc/conformance",
        "/ogc/api",
        "/ogc/collections",
        "/ogc/collections/opportunities",
        "/ogc/collections/opportunities/items",
        f"/ogc/collections/opportunities/items/{opp}",
    ):
        assert statuses(client, caller, "GET", path) == dict.fromkeys(ROLES, 200), path


def test_publishing_is_for_the_proposals_planner_or_admins(
    client: TestClient, caller: Caller, published: tuple[int, int, dict[str, str]]
) -> None:
    proposal_id, opp, owner = published
    # any other planner is refused (403); only admins besides the owner pass
    got = statuses(client, caller, "POST", "/api/v1/opportunities", opportunity_body(proposal_id))
    assert got == {**only((), 201), "planner": 403}
    assert (
        client.post(
            "/api/v1/opportunities", json=opportunity_body(proposal_id), headers=owner
        ).status_code
        == 201
    )
    got = statuses(client, caller, "PATCH", f"/api/v1/opportunities/{opp}", {"title": "New"})
    assert got == {**only((), 200), "planner": 403}
    for path in (
        f"/api/v1/opportunities/{opp}/interests",
        f"/api/v1/opportunities/{opp}/interests.csv",
    ):
        assert statuses(client, caller, "GET", path) == only((), 200), path
        assert client.get(path, headers=owner).status_code == 200
    extra = client.post(
        "/api/v1/opportunities", json=opportunity_body(proposal_id), headers=owner
    ).json()["id"]
    assert (
        client.delete(f"/api/v1/opportunities/{extra}", headers=caller("planner")).status_code
        == 403
    )
    assert client.delete(f"/api/v1/opportunities/{extra}", headers=caller("sme")).status_code == 403
    assert (
        client.delete(f"/api/v1/opportunities/{extra}", headers=caller("anonymous")).status_code
        == 401
    )
    assert client.delete(f"/api/v1/opportunities/{extra}", headers=owner).status_code == 204
    another = client.post(
        "/api/v1/opportunities", json=opportunity_body(proposal_id), headers=owner
    ).json()["id"]
    assert (
        client.delete(f"/api/v1/opportunities/{another}", headers=caller("admin")).status_code
        == 204
    )


def test_draft_opportunities_are_hidden_from_everyone_but_their_managers(
    client: TestClient,
    caller: Caller,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    make_proposal: Callable[..., Proposal],
) -> None:
    owner = make_user("planner")
    headers = bearer(owner)
    opp = publish(client, headers, make_proposal(owner, stage="draft").id)["id"]
    got = statuses(client, caller, "GET", f"/api/v1/opportunities/{opp}")
    assert got == {**dict.fromkeys(ROLES, 404), "admin": 200}
    assert client.get(f"/api/v1/opportunities/{opp}", headers=headers).status_code == 200
    assert statuses(
        client, caller, "GET", f"/ogc/collections/opportunities/items/{opp}"
    ) == dict.fromkeys(ROLES, 404)


def test_interest_and_organisation_endpoints_are_for_smes(
    client: TestClient, caller: Caller, published: tuple[int, int, dict[str, str]]
) -> None:
    _, opp, _ = published
    got = statuses(
        client, caller, "PUT", f"/api/v1/opportunities/{opp}/interest", {"message": "hi"}
    )
    # an admin without an organisation cannot register interest for one
    assert got == {**only(("sme",), 200), "admin": 409}
    got = statuses(client, caller, "DELETE", f"/api/v1/opportunities/{opp}/interest")
    assert got == {**only(("sme",), 404), "admin": 409}  # fresh callers have none to withdraw
    for path, ok in (
        ("/api/v1/organisations/me", 200),
        ("/api/v1/organisations/me/matches", 200),
        ("/api/v1/organisations/me/interests", 200),
    ):
        got = statuses(client, caller, "GET", path)
        assert got == {
            **only(("sme",), ok),
            "admin": 404 if path.endswith("me") or "matches" in path else 409,
        }, path
    got = statuses(client, caller, "PATCH", "/api/v1/organisations/me", {"size": "small"})
    assert got == {**only(("sme",), 200), "admin": 404}


def test_an_organisation_edits_only_its_own_profile(
    client: TestClient, make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]
) -> None:
    mine, theirs = make_user("sme"), make_user("sme")
    client.patch("/api/v1/organisations/me", json={"name": "Mine"}, headers=bearer(mine))
    assert client.get(f"/api/v1/organisations/{theirs.organisation_id}").json()["name"] != "Mine"
    assert client.get(f"/api/v1/organisations/{mine.organisation_id}").json()["name"] == "Mine"


def test_saved_searches_need_a_user_and_stay_private(client: TestClient, caller: Caller) -> None:
    body = {"name": "All", "query": {}}
    assert statuses(client, caller, "POST", "/api/v1/saved-searches", body) == {
        **dict.fromkeys(ROLES, 201),
        "anonymous": 401,
    }
    assert statuses(client, caller, "GET", "/api/v1/saved-searches") == {
        **dict.fromkeys(ROLES, 200),
        "anonymous": 401,
    }
    owner = caller("sme")
    sid = client.post("/api/v1/saved-searches", json=body, headers=owner).json()["id"]
    path = f"/api/v1/saved-searches/{sid}"
    assert statuses(client, caller, "PATCH", path, {"name": "x"}) == {
        **dict.fromkeys(ROLES, 404),
        "anonymous": 401,
    }
    assert statuses(client, caller, "DELETE", path) == {
        **dict.fromkeys(ROLES, 404),
        "anonymous": 401,
    }
    assert client.delete(path, headers=owner).status_code == 204


def test_analytics_are_for_planners(
    client: TestClient, caller: Caller, published: tuple[int, int, dict[str, str]]
) -> None:
    proposal_id, _, _ = published
    assert statuses(client, caller, "GET", f"/api/v1/analytics/proposals/{proposal_id}") == only(
        ("planner",), 200
    )
    assert statuses(client, caller, "GET", "/api/v1/analytics/area?bbox=-2,52,-1,53") == only(
        ("planner",), 200
    )


def test_a_digests_stop_link_needs_its_signed_token_not_an_account(
    client: TestClient, caller: Caller, settings: Settings, database: Database
) -> None:
    """Every role, the search's owner included, gets 403 with a wrong token and the page with
    any; the signed token works with no account (a mail client's one-click POST)."""
    owner = caller("sme")
    sid = client.post(
        "/api/v1/saved-searches", json={"name": "All", "query": {}}, headers=owner
    ).json()["id"]
    url = f"/api/v1/saved-searches/{sid}/stop"
    for role in ROLES:
        h = caller(role)
        assert client.post(url, params={"token": "x"}, headers=h).status_code == 403, role
        assert client.get(url, params={"token": "x"}, headers=h).status_code == 200, role
    assert client.post(url, params={"token": "x"}, headers=owner).status_code == 403
    assert client.post(url, params={"token": "é✓"}).status_code == 403  # not a server error
    with database.sessions() as session:
        search = session.get(SavedSearch, sid)
        assert search is not None
        token = alerts.stop_token(settings.secret_key.get_secret_value(), search)
    assert client.post(url, params={"token": token}).json() == {"id": sid, "paused": True}
