"""OCDS 1.1 release packages, validated offline against the official schemas and codelists."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from fastapi.testclient import TestClient

from backend.db.models import Proposal, User
from tests.backend.opportunities.conftest import publish

#: The official schemas, extensions and codelists the package is checked against, copied into the
#: project with their provenance (tests/data/ocds/README.md) so CI needs nothing outside the repo.
OCDS = Path(__file__).parents[2] / "data" / "ocds"


@cache
def _validator() -> jsonschema.Draft4Validator:
    schema = json.loads((OCDS / "patched" / "release-package-schema.embedded.json").read_text())
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def _codes(path: Path) -> set[str]:
    with path.open(newline="", encoding="utf-8") as f:
        return {row["Code"] for row in csv.DictReader(f)}


def assert_valid_package(package: dict[str, Any]) -> None:
    errors = sorted(_validator().iter_errors(package), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    # extensions used are declared, by their extension.json URLs
    declared = {url.split("/")[-3] for url in package["extensions"]}
    local = {p.name for p in (OCDS / "extensions").iterdir() if p.is_dir()}
    assert declared <= local
    assert {
        "ocds_project_extension",
        "ocds_location_extension",
        "ocds_suitability_extension",
        "ocds_partyDetails_scale_extension",
    } <= declared
    codelists = OCDS / "codelists"
    scales = _codes(
        OCDS / "extensions" / "ocds_partyDetails_scale_extension" / "codelists" / "partyScale.csv"
    )
    for release in package["releases"]:
        assert release["tender"]["status"] in _codes(codelists / "tenderStatus.csv")
        assert set(release["tag"]) <= _codes(codelists / "releaseTag.csv")
        assert release["tender"]["mainProcurementCategory"] in _codes(
            codelists / "procurementCategory.csv"
        )
        for party in release["parties"]:
            assert set(party["roles"]) <= _codes(codelists / "partyRole.csv")
            if "details" in party:
                assert party["details"]["scale"] in scales


def test_release_package_validates_against_the_official_schemas(
    client: TestClient,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    make_proposal: Callable[..., Proposal],
) -> None:
    planner = make_user("planner")
    ph = bearer(planner)
    proposal = make_proposal(planner)
    first = publish(client, ph, proposal.id)
    publish(
        client,
        ph,
        proposal.id,
        title="Fit-out",
        cpv_codes=["45421000", "39100000"],
        value_min=None,
        value_max=None,
        value_amount=120000,
        status="active",
    )
    publish(
        client,
        ph,
        proposal.id,
        title="Consultancy",
        cpv_codes=["71000000"],
        delivery_location=None,
        status="cancelled",
        tender_end=None,
        contact=None,
        social_value=[],
    )
    publish(client, ph, make_proposal(planner, stage="draft").id, title="Secret")
    sme = make_user("sme")
    client.put(
        f"/api/v1/opportunities/{first['id']}/interest", json={"message": "hi"}, headers=bearer(sme)
    )

    package = client.get("/api/v1/opportunities/release-package.json").json()
    assert_valid_package(package)
    releases = {r["tender"]["title"]: r for r in package["releases"]}
    assert set(releases) == {"Landscaping works", "Fit-out", "Consultancy"}  # not the draft's
    land = releases["Landscaping works"]
    assert land["ocid"] == f"ocds-civictwin-opp-{first['id']}"
    assert land["tender"]["suitability"] == {"sme": True}
    assert land["tender"]["value"] == {"amount": 80000.0, "currency": "GBP"}
    assert land["tender"]["minValue"] == {"amount": 50000.0, "currency": "GBP"}
    assert land["tender"]["items"][0]["classification"] == {
        "scheme": "CPV",
        "id": "45112710",
        "description": "Landscaping work for green areas",
    }
    assert land["tender"]["tenderPeriod"]["endDate"] == "2030-02-01T17:00:00Z"
    project = land["planning"]["project"]
    assert project["id"] == proposal.reference
    assert project["locations"][0]["geometry"]["type"] == "MultiPolygon"
    interested = [p for p in land["parties"] if "interestedParty" in p["roles"]]
    assert interested and interested[0]["details"]["scale"] == "micro"
    assert releases["Fit-out"]["tender"]["mainProcurementCategory"] == "works"
    assert releases["Consultancy"]["tag"] == ["tenderCancellation"]

    one = client.get(f"/api/v1/opportunities/{first['id']}/release-package.json").json()
    assert_valid_package(one)
    assert [r["ocid"] for r in one["releases"]] == [land["ocid"]]


def test_ocid_prefix_is_configurable(
    client: TestClient,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    make_proposal: Callable[..., Proposal],
) -> None:
    planner = make_user("planner")
    made = publish(client, bearer(planner), make_proposal(planner).id)
    client.app.state.settings.ocid_prefix = "ocds-abc123"  # type: ignore[attr-defined]
    package = client.get(f"/api/v1/opportunities/{made['id']}/release-package.json").json()
    assert package["releases"][0]["ocid"] == f"ocds-abc123-opp-{made['id']}"
    assert_valid_package(package)
