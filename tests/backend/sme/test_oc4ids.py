"""OC4IDS 0.9 project packages of proposals with procurement, validated offline."""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import Proposal, User
from tests.backend.sme.conftest import publish, set_profile
from tests.backend.sme.validators import OC4IDS, _giving, _oc4ids, assert_valid_oc4ids


def test_the_validators_accept_the_standards_example_and_refuse_broken_packages() -> None:
    _oc4ids().validate(json.loads((OC4IDS / "example-project-package.json").read_text()))
    broken = {
        "uri": "https://x.example.org/p.json",
        "version": "0.9",
        "publishedDate": "2025-01-01T00:00:00Z",
        "publisher": {"name": "p"},
        "projects": [{"title": "no id", "status": "built"}],
    }
    assert {e.validator for e in _oc4ids().iter_errors(broken)} >= {"required", "enum"}
    assert list(_giving().iter_errors({"grants": [{"id": "360G-x", "title": "t"}]}))


def test_a_proposal_with_procurement_is_an_oc4ids_project_linked_to_its_releases(
    client: TestClient,
    database: Database,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    make_proposal: Callable[..., Proposal],
) -> None:
    planner = make_user("planner")
    ph = bearer(planner)
    proposal = make_proposal(planner)
    bare = make_proposal(planner)
    a = publish(client, ph, proposal.id, value_amount=None, value_min=50000, value_max=80000)
    b = publish(
        client,
        ph,
        proposal.id,
        title="Fit-out",
        value_amount=120000,
        value_min=None,
        value_max=None,
    )
    sme = bearer(make_user("sme"))
    org = set_profile(client, sme, size="micro", name="Leaf & Co")["id"]
    r = client.post(
        f"/api/v1/opportunities/{b['id']}/awards",
        json={"supplier_id": org, "value_amount": 110000, "awarded_on": "2030-02-20"},
        headers=ph,
    )
    assert r.status_code == 201, r.text

    r = client.get(f"/api/v1/proposals/{proposal.id}/oc4ids.json")
    assert r.status_code == 200, r.text
    package = r.json()
    assert_valid_oc4ids(package)
    (project,) = package["projects"]
    assert project["identifiers"] == [
        {"id": proposal.reference, "scheme": "planning-application-reference"}
    ]
    assert project["status"] == "preparation"  # a proposal in consultation
    assert project["locations"][0]["geometry"]["type"] == "MultiPolygon"
    # budget: the range's top for a, the amount for b
    assert project["budget"]["amount"] == {"amount": 200000.0, "currency": "GBP"}
    (supplier,) = [p for p in project["parties"] if "supplier" in p["roles"]]
    assert supplier["name"] == "Leaf & Co" and supplier["details"] == {"scale": "micro"}
    processes = {p["id"]: p for p in project["contractingProcesses"]}
    assert set(processes) == {a["ocid"], b["ocid"]}
    assert processes[a["ocid"]]["summary"]["status"] == "pre-award"
    awarded = processes[b["ocid"]]["summary"]
    assert awarded["status"] == "active" and awarded["contractValue"]["amount"] == 110000
    assert awarded["suppliers"] == [{"id": supplier["id"], "name": "Leaf & Co"}]

    # each linked release is the one the OCDS package publishes, at its URL
    linked = processes[b["ocid"]]["releases"][0]
    ocds = client.get(linked["url"]).json()
    (release,) = ocds["releases"]
    assert (linked["id"], linked["tag"], linked["date"]) == (
        release["id"],
        release["tag"],
        release["date"],
    )

    # a proposal without work packages has no project; the catalogue package has this one
    assert client.get(f"/api/v1/proposals/{bare.id}/oc4ids.json").status_code == 404
    everything = client.get("/api/v1/oc4ids/project-package.json").json()
    assert_valid_oc4ids(everything)
    assert [p["id"] for p in everything["projects"]] == [project["id"]]
    # the open-data catalogue points at the OC4IDS package, the KPIs and the 360Giving grants
    catalogue = client.get("/api/v1/opendata").json()
    assert client.get(catalogue["oc4ids"]).json()["projects"][0]["id"] == project["id"]
    assert client.get(catalogue["sme_kpis"]).status_code == 200
    assert client.get(catalogue["grants_360giving"]).status_code == 404  # none awarded here


def test_project_status_follows_the_stage_and_decision(
    client: TestClient,
    database: Database,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    make_proposal: Callable[..., Proposal],
) -> None:
    planner = make_user("planner")
    ph = bearer(planner)
    proposal = make_proposal(planner)
    publish(client, ph, proposal.id)
    expected = {
        ("assessment", None): "preparation",
        ("decided", "approved"): "implementation",
        ("decided", "refused"): "cancelled",
        ("decided", "withdrawn"): "cancelled",
    }
    for (stage, decision), status in expected.items():
        with database.sessions() as session:
            row = session.get(Proposal, proposal.id)
            assert row is not None
            row.stage, row.decision = stage, decision
            session.commit()
        package = client.get(f"/api/v1/proposals/{proposal.id}/oc4ids.json").json()
        assert_valid_oc4ids(package)
        assert package["projects"][0]["status"] == status, (stage, decision)
