"""Authorization matrix of the SME one-stop shop: schemes, grants, guide, awards, KPIs,
sub-packages, OC4IDS × anonymous and every role (funder and contractor included)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from backend.db.models import Proposal, User
from tests.backend.sme.conftest import create_scheme, publish, scheme_body, set_profile

ROLES = ("anonymous", "citizen", "sme", "planner", "moderator", "funder", "contractor", "admin")
PUBLIC = {
    "listSchemes",
    "getScheme",
    "listOpportunitySchemes",
    "listAwards",
    "getAwardKpis",
    "exportAwardKpis",
    "listSubPackages",
    "getProposalOc4ids",
    "getOc4idsPackage",
    "listGrants",
    "getGrants360Giving",
    "getGuide",
}
COVERED_OPERATIONS = PUBLIC | {
    "createScheme",
    "updateScheme",
    "deleteScheme",
    "listManagedSchemes",
    "listMySchemes",
    "createAward",
    "deleteAward",
    "createSubPackage",
    "createGrant",
    "deleteGrant",
    "createGuideStep",
    "updateGuideStep",
    "deleteGuideStep",
}


def _but(d: dict[str, int], *roles: str) -> dict[str, int]:
    return {r: s for r, s in d.items() if r not in roles}


def _expect(allowed: tuple[str, ...], status: int) -> dict[str, int]:
    return {
        r: status if r in (*allowed, "admin") else 401 if r == "anonymous" else 403 for r in ROLES
    }


def test_who_may_do_what(
    client: TestClient,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    make_proposal: Callable[..., Proposal],
) -> None:
    heads = {r: ({} if r == "anonymous" else bearer(make_user(r))) for r in ROLES}

    def statuses(method: str, path: str, body: Any = None) -> dict[str, int]:
        return {
            r: client.request(method, path, headers=h, json=body).status_code
            for r, h in heads.items()
        }

    planner = make_user("planner")
    ph = bearer(planner)
    proposal = make_proposal(planner)
    opp = publish(client, ph, proposal.id)
    funder = bearer(make_user("funder"))
    scheme = create_scheme(client, funder, opportunity_ids=[opp["id"]])
    org = set_profile(client, heads["sme"], size="micro")["id"]
    award = client.post(
        f"/api/v1/opportunities/{opp['id']}/awards",
        json={"supplier_id": org, "value_amount": 10, "awarded_on": "2030-01-01"},
        headers=ph,
    ).json()
    client.post(
        f"/api/v1/schemes/{scheme['id']}/grants",
        json={"organisation_id": org, "amount": 5, "awarded_on": "2030-01-01"},
        headers=funder,
    )
    for path in (
        "/api/v1/schemes",
        f"/api/v1/schemes/{scheme['id']}",
        f"/api/v1/opportunities/{opp['id']}/schemes",
        f"/api/v1/opportunities/{opp['id']}/awards",
        "/api/v1/awards/kpis",
        "/api/v1/awards/kpis.csv",
        f"/api/v1/opportunities/{opp['id']}/sub-packages",
        f"/api/v1/proposals/{proposal.id}/oc4ids.json",
        "/api/v1/oc4ids/project-package.json",
        f"/api/v1/schemes/{scheme['id']}/grants",
        "/api/v1/grants/360giving.json",
        "/api/v1/guide",
    ):
        assert statuses("GET", path) == dict.fromkeys(ROLES, 200), path

    # schemes: funders (and admins) publish; a funder changes only its own
    assert statuses("POST", "/api/v1/schemes", scheme_body()) == _expect(("funder",), 201)
    got = statuses("PATCH", f"/api/v1/schemes/{scheme['id']}", {"provider": "P"})
    assert got == {**_expect((), 200), "funder": 403}
    got = statuses(
        "POST",
        f"/api/v1/schemes/{scheme['id']}/grants",
        {"organisation_id": org, "amount": 1, "awarded_on": "2030-01-02"},
    )
    assert got == {**_expect((), 201), "funder": 403}
    # withdrawing a grant: the scheme's funder (not another funder) or an admin
    grant = client.post(
        f"/api/v1/schemes/{scheme['id']}/grants",
        json={"organisation_id": org, "amount": 2, "awarded_on": "2030-01-03"},
        headers=funder,
    ).json()
    got = statuses("DELETE", f"/api/v1/grants/{grant['id']}")
    assert _but(got, "admin") == _but({**_expect((), 0), "funder": 403}, "admin")
    assert got["admin"] == 204
    # the schemes one may change, drafts included: funders (their own) and admins
    assert statuses("GET", "/api/v1/schemes/managed") == _expect(("funder",), 200)
    extra = create_scheme(client, funder)
    got = statuses("DELETE", f"/api/v1/schemes/{extra['id']}")
    assert _but(got, "admin") == _but({**_expect((), 0), "funder": 403}, "admin")
    assert got["admin"] == 204
    # schemes for my organisation: SMEs; an account without an organisation gets 404
    got = statuses("GET", "/api/v1/organisations/me/schemes")
    assert got == {**_expect(("sme",), 200), "admin": 404}

    # awards: the work package's planner (or an admin)
    body = {"supplier_id": org, "value_amount": 1, "awarded_on": "2030-01-01"}
    got = statuses("POST", f"/api/v1/opportunities/{opp['id']}/awards", body)
    assert got == {**_expect((), 409), "planner": 403}  # admin: that supplier already won it
    got = statuses("DELETE", f"/api/v1/awards/{award['id']}")
    assert _but(got, "admin") == _but({**_expect((), 0), "planner": 403}, "admin")
    assert got["admin"] == 204

    # sub-packages: a contractor (whose organisation won the work package)
    sub = {"title": "Sub", "cpv_codes": ["45111000"]}
    got = statuses("POST", f"/api/v1/opportunities/{opp['id']}/sub-packages", sub)
    assert got == _expect(("contractor",), 403)  # nobody here won it (admins have no org)

    # the guide: the city (planners and admins)
    step = {"journey": "start", "translations": {"en": {"title": "Register"}}}
    got = statuses("POST", "/api/v1/guide/steps", step)
    assert got == _expect(("planner",), 201)
    step_id = client.get("/api/v1/guide").json()[0]["steps"][0]["id"]
    assert statuses("PATCH", f"/api/v1/guide/steps/{step_id}", {"cost": "free"}) == _expect(
        ("planner",), 200
    )
    got = statuses("DELETE", f"/api/v1/guide/steps/{step_id}")
    assert _but(got, "planner", "admin") == _but(_expect((), 0), "planner", "admin")
    assert got["planner"] == 204 and got["admin"] == 404  # the planner deleted it first
