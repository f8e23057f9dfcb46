"""Awards of work packages: OCDS award and supplier scale, and the supply-chain KPIs."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from pyproj import Geod

from backend.db.models import Proposal, User
from tests.backend.opportunities.test_ocds import assert_valid_package
from tests.backend.sme.conftest import BHAM, COVENTRY, publish, set_profile

#: Rugby: beyond the 30 km local radius of Birmingham, within it of Coventry (checked below).
RUGBY = (-1.2618, 52.3709)
_GEOD = Geod(ellps="WGS84")


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(_GEOD.inv(a[0], a[1], b[0], b[1])[2]) / 1000


def _org(client: TestClient, headers: dict[str, str], size: str, at: tuple[float, float]) -> int:
    body = set_profile(
        client,
        headers,
        size=size,
        sectors=["4511"],
        location={"type": "Point", "coordinates": list(at)},
    )
    return int(body["id"])


def _award(
    client: TestClient,
    ph: dict[str, str],
    opp_id: int,
    supplier: int,
    value: float,
    on: str,
    **kw: Any,
) -> Any:
    r = client.post(
        f"/api/v1/opportunities/{opp_id}/awards",
        json={"supplier_id": supplier, "value_amount": value, "awarded_on": on, **kw},
        headers=ph,
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_an_award_is_published_in_ocds_with_the_supplier_scale(
    client: TestClient,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    make_proposal: Callable[..., Proposal],
) -> None:
    planner = make_user("planner")
    ph = bearer(planner)
    opp = publish(client, ph, make_proposal(planner).id)
    sme = bearer(make_user("sme"))
    org = _org(client, sme, "small", BHAM)
    client.put(f"/api/v1/opportunities/{opp['id']}/interest", json={"message": "hi"}, headers=sme)
    award = _award(client, ph, opp["id"], org, 72000, "2030-02-20")
    assert award["supplier_size"] == "small" and award["value_amount"] == 72000

    package = client.get(f"/api/v1/opportunities/{opp['id']}/release-package.json").json()
    assert_valid_package(package)
    (release,) = package["releases"]
    assert "award" in release["tag"]
    (ocds_award,) = release["awards"]
    assert ocds_award["value"] == {"amount": 72000.0, "currency": "GBP"}
    assert ocds_award["status"] == "active" and ocds_award["date"] == "2030-02-20T00:00:00Z"
    (supplier,) = [p for p in release["parties"] if "supplier" in p["roles"]]
    assert ocds_award["suppliers"] == [{"id": supplier["id"], "name": supplier["name"]}]
    # the interested party that won is one party with both roles, its scale from the award
    assert sorted(supplier["roles"]) == ["interestedParty", "supplier"]
    assert supplier["details"] == {"scale": "small"}

    # only the publishing planner; the same supplier twice is a conflict; unknown supplier 422
    other = bearer(make_user("planner"))
    r = client.post(
        f"/api/v1/opportunities/{opp['id']}/awards",
        json={"supplier_id": org, "value_amount": 1, "awarded_on": "2030-01-01"},
        headers=other,
    )
    assert r.status_code == 403
    r = client.post(
        f"/api/v1/opportunities/{opp['id']}/awards",
        json={"supplier_id": org, "value_amount": 1, "awarded_on": "2030-01-01"},
        headers=ph,
    )
    assert r.status_code == 409 and "supplier_id" in r.json()["detail"]
    r = client.post(
        f"/api/v1/opportunities/{opp['id']}/awards",
        json={"supplier_id": 99999, "value_amount": 1, "awarded_on": "2030-01-01"},
        headers=ph,
    )
    assert r.status_code == 422 and "supplier_id" in r.json()["detail"]
    r = client.post(
        f"/api/v1/opportunities/{opp['id']}/awards",
        json={"supplier_id": org, "value_amount": -5, "awarded_on": "2030-01-01"},
        headers=ph,
    )
    assert r.status_code == 422 and "value_amount" in r.json()["detail"]
    assert len(client.get(f"/api/v1/opportunities/{opp['id']}/awards").json()) == 1


def test_kpis_share_of_value_won_by_smes_and_local_smes(
    client: TestClient,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    make_proposal: Callable[..., Proposal],
) -> None:
    planner = make_user("planner")
    ph = bearer(planner)
    first, second = make_proposal(planner), make_proposal(planner, at=COVENTRY)
    # tender_end of the fixture: 2030-02-01
    a = publish(client, ph, first.id)
    b = publish(client, ph, first.id, title="Fit-out")
    coventry = {"type": "Point", "coordinates": list(COVENTRY)}
    c = publish(client, ph, second.id, title="Roofing", delivery_location=coventry)
    publish(client, ph, second.id, title="Not yet awarded")
    local_sme = bearer(make_user("sme"))
    far_sme = bearer(make_user("sme"))
    big = bearer(make_user("sme"))
    local_id = _org(client, local_sme, "micro", BHAM)  # at the Birmingham site
    far_id = _org(client, far_sme, "medium", RUGBY)
    big_id = _org(client, big, "large", BHAM)
    for h in (local_sme, far_sme, big):
        client.put(f"/api/v1/opportunities/{a['id']}/interest", json={}, headers=h)
    client.put(f"/api/v1/opportunities/{c['id']}/interest", json={}, headers=local_sme)

    _award(client, ph, a["id"], local_id, 100000, "2030-02-11")  # 10 days after close
    _award(client, ph, b["id"], far_id, 50000, "2030-03-03")  # 30 days
    _award(client, ph, b["id"], big_id, 250000, "2030-02-21")  # 20 days
    _award(client, ph, c["id"], far_id, 100000, "2030-02-06")  # 5 days; local to Coventry

    assert _km(RUGBY, BHAM) > 30 > _km(RUGBY, COVENTRY) + 1  # the sites are ~100 m squares
    r = client.get("/api/v1/awards/kpis", params={"proposal_id": first.id})
    assert r.status_code == 200, r.text
    k = r.json()
    # computed by hand: SMEs won 100k + 50k of 400k; local (30 km of the site): only 100k
    assert k["awarded_value"] == 400000 and k["sme_value"] == 150000
    assert (
        k["sme_share"] == 0.375 and k["local_sme_value"] == 100000 and k["local_sme_share"] == 0.25
    )
    assert k["work_packages"] == 2 and k["awarded_work_packages"] == 2 and k["awards"] == 3
    assert k["smes_engaged"] == 2 and k["interest_registrations"] == 3
    assert k["median_days_to_award"] == 20.0
    assert k["by_size"] == {"micro": 100000, "small": 0, "medium": 50000, "large": 250000}

    city = client.get("/api/v1/awards/kpis").json()
    assert city["awarded_value"] == 500000 and city["sme_value"] == 250000
    # the Rugby firm is local to the Coventry site but not to Birmingham's
    assert city["local_sme_value"] == 200000 and city["sme_share"] == 0.5
    assert city["work_packages"] == 4 and city["smes_engaged"] == 2
    assert city["median_days_to_award"] == 15.0  # of 5, 10, 20, 30

    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/awards/kpis.csv").text)))
    assert [r["proposal_id"] for r in rows] == [str(first.id), str(second.id), ""]
    assert rows[-1]["sme_share"] == "0.5"
    assert client.get("/api/v1/awards/kpis", params={"proposal_id": 999999}).status_code == 404
