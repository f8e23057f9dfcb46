"""The SME one-stop shop end to end (issue 15): a funder publishes a scheme, an SME finds it among
"schemes for my organisation" (in the browser) and beside a matching work package; a planner
records an award to that SME and the KPIs, the OCDS and the OC4IDS packages show it, valid
against their schemas; a contractor posts a sub-package that a second SME registers interest in.
The SME also saves its directory search and runs it again from the list of saved searches."""

from __future__ import annotations

import pytest

from tests.backend.opportunities.test_ocds import assert_valid_package
from tests.backend.sme.validators import assert_valid_oc4ids
from tests.e2e.conftest import grant_roles, new_page, open_app, register, run_axe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCHEME_TITLE = "Contract bond guarantee (e2e)"
SAVED = "/api/v1/saved-searches/funding"


def test_funding_story(browser, live_server) -> None:
    base, acc = live_server.url, live_server.accounts
    for key, org, roles in (
        ("funder15", None, ("funder",)),
        ("leafsme15", "Leafy Roofs E2E", ()),
        ("sparksme15", "Second Sparks E2E", ()),
        ("builder15", "Main Builder E2E", ("contractor",)),
    ):
        if key not in acc:
            acc[key] = register(base, key, org=org)
            if roles:
                grant_roles(live_server.db_url, acc[key].id, roles)
    opp = live_server.seed["opportunity"]  # "Green roof and rooftop solar", CPV 45261215
    proposal = live_server.seed["proposal"]

    funder = live_server.api("funder15")
    scheme = funder.call(
        "POST",
        "/api/v1/schemes",
        json={
            "kind": "guarantee",
            "provider": "City Growth Fund (e2e)",
            "translations": {
                "en": {"title": SCHEME_TITLE, "summary": "Covers the performance bond."},
                "it": {"title": "Garanzia sulla cauzione (e2e)"},
            },
            "sizes": ["micro", "small"],
            "sectors": [{"scheme": "CPV", "code": "4526"}],
            "rolling": True,
            "opportunity_ids": [opp["id"]],
        },
    )

    leaf = live_server.api("leafsme15")
    org = leaf.call(
        "PATCH",
        "/api/v1/organisations/me",
        json={
            "size": "micro",
            "sectors": ["45261215"],
            "location": opp["delivery_location"],
            "service_radius_km": 10,
        },
    )

    # the SME, in the browser: the Funding tab, "schemes for my organisation", with the reasons
    page = new_page(browser, live_server, "leafsme15")
    try:
        open_app(page, live_server)
        page.get_by_role("tab", name="Funding").click()
        page.locator("#fund-mine").click()
        card = page.locator("#fund-mine-list li", has_text=SCHEME_TITLE)
        card.wait_for()
        text = card.inner_text()
        assert "Open to Micro businesses" in text and "within CPV 4526" in text
        assert page.locator("#fund-list li", has_text=SCHEME_TITLE).count() == 1
        assert run_axe(page) == []
        # the directory's search saved (name, weekly e-mails) and run again from the saved list
        page.locator("#fund-kind").select_option("guarantee")
        page.get_by_role("button", name="Search schemes").click()
        page.locator("#fund-saved summary").click()
        page.locator("#fund-search-name").fill("Bond guarantees (e2e)")
        page.locator("#fund-search-frequency").select_option("weekly")
        page.locator("#fund-save-search").click()
        saved = page.locator("#fund-saved-list li", has_text="Bond guarantees (e2e)")
        saved.wait_for()
        alerts = page.get_by_label("Alerts for Bond guarantees (e2e)")
        assert alerts.input_value() == "weekly"
        stored = [s for s in leaf.call("GET", SAVED) if s["name"] == "Bond guarantees (e2e)"]
        assert [s["query"]["kind"] for s in stored] == [["guarantee"]]
        # its alerts paused from its row, then resumed daily
        alerts.select_option(label="Alerts paused")
        page.get_by_text("Alerts for Bond guarantees (e2e): Alerts paused").wait_for(
            state="attached"
        )
        assert [s["paused"] for s in leaf.call("GET", SAVED) if s["id"] == stored[0]["id"]] == [
            True
        ]
        alerts.select_option(label="Alerts: daily")
        page.get_by_text("Alerts for Bond guarantees (e2e): Alerts: daily").wait_for(
            state="attached"
        )
        again = next(s for s in leaf.call("GET", SAVED) if s["id"] == stored[0]["id"])
        assert (again["frequency"], again["paused"]) == ("daily", False)
        page.locator("#fund-kind").select_option("")
        page.get_by_role("button", name="Search schemes").click()
        page.get_by_role("button", name="Run again: “Bond guarantees (e2e)”").click()
        # its filters come back into the form with its matches: guarantees only
        page.wait_for_function("() => document.querySelector('#fund-kind').value === 'guarantee'")
        kinds = page.locator("#fund-list li p.muted").all_inner_texts()
        assert kinds and all(k.startswith("Guarantee") for k in kinds), kinds
        assert page.locator("#fund-list li", has_text=SCHEME_TITLE).count() == 1
        assert run_axe(page) == []
        # and beside the matching work package, in its detail
        page.get_by_role("tab", name="Opportunities").click()
        page.locator("#opps-search").click()
        page.locator("ul.cards button", has_text=opp["title"]).first.click()
        page.locator("#opp-schemes li", has_text=SCHEME_TITLE).wait_for()
        assert run_axe(page) == []
        page.get_by_role("tab", name="Funding").click()
        card.wait_for()
        page.set_viewport_size({"width": 390, "height": 844})  # a phone
        card.scroll_into_view_if_needed()
        screenshot(page, "funding_schemes_for_me_en_390")
        assert run_axe(page) == []
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()
    # beside the matching work package
    beside = live_server.api().call("GET", f"/api/v1/opportunities/{opp['id']}/schemes")
    assert [s["id"] for s in beside] == [scheme["id"]]

    # the planner awards the work package to the SME (and a part to the main contractor)
    planner = live_server.api("planner")
    planner.call(
        "POST",
        f"/api/v1/opportunities/{opp['id']}/awards",
        json={"supplier_id": org["id"], "value_amount": 90000, "awarded_on": "2030-01-15"},
    )
    builder = live_server.api("builder15")
    builder_org = builder.call("GET", "/api/v1/organisations/me")
    planner.call(
        "POST",
        f"/api/v1/opportunities/{opp['id']}/awards",
        json={"supplier_id": builder_org["id"], "value_amount": 30000, "awarded_on": "2030-01-20"},
    )
    kpis = live_server.api().call(
        "GET", "/api/v1/awards/kpis", params={"proposal_id": proposal["id"]}
    )
    assert kpis["sme_value"] >= 90000 and kpis["smes_engaged"] >= 0
    assert kpis["local_sme_value"] >= 90000  # the SME is based at the work's location

    package = live_server.api().call(
        "GET", f"/api/v1/opportunities/{opp['id']}/release-package.json"
    )
    assert_valid_package(package)
    (release,) = package["releases"]
    suppliers = {p["name"]: p for p in release["parties"] if "supplier" in p["roles"]}
    assert suppliers["Leafy Roofs E2E"]["details"] == {"scale": "micro"}
    project = live_server.api().call("GET", f"/api/v1/proposals/{proposal['id']}/oc4ids.json")
    assert_valid_oc4ids(project)
    processes = {p["id"]: p for p in project["projects"][0]["contractingProcesses"]}
    summary = processes[opp["ocid"]]["summary"]
    assert summary["status"] == "active"
    assert "Leafy Roofs E2E" in {s["name"] for s in summary["suppliers"]}

    # the planner sees the KPIs in the Funding tab
    page = new_page(browser, live_server, "planner")
    try:
        open_app(page, live_server)
        page.get_by_role("tab", name="Funding").click()
        page.locator("#fund-kpi-sme").wait_for()
        assert float(page.locator("#fund-kpi-sme").get_attribute("value") or 0) > 0
        assert run_axe(page) == []
    finally:
        page.context.close()

    # the contractor posts a sub-package; a second SME registers interest in it
    sub = builder.call(
        "POST",
        f"/api/v1/opportunities/{opp['id']}/sub-packages",
        json={
            "title": "Roof-top electrical connections (e2e)",
            "cpv_codes": ["45310000"],
            "value_amount": 12000,
            "status": "active",
            "delivery_location": opp["delivery_location"],
        },
    )
    sparks = live_server.api("sparksme15")
    sparks.call("PUT", f"/api/v1/opportunities/{sub['id']}/interest", json={"message": "We can."})
    sub_package = live_server.api().call(
        "GET", f"/api/v1/opportunities/{sub['id']}/release-package.json"
    )
    assert_valid_package(sub_package)
    (sub_release,) = sub_package["releases"]
    assert [p["name"] for p in sub_release["parties"] if "interestedParty" in p["roles"]] == [
        "Second Sparks E2E"
    ]
    assert sub_release["relatedProcesses"][0]["identifier"] == opp["ocid"]
