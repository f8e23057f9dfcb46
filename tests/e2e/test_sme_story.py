"""An SME sees a proposal's work packages on its page, and runs a saved search again."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import new_page, open_app, run_axe, screenshot
from tests.e2e.test_flows import proposal_hash

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_proposal_page_lists_its_work_packages(browser, live_server) -> None:
    page = new_page(browser, live_server, "sme")
    try:
        open_app(page, live_server, hash_=proposal_hash(live_server))
        listed = page.locator("ul.work-packages li", has_text="Green roof and rooftop solar")
        listed.wait_for()
        assert "open for tenders" in listed.inner_text() or "planned" in listed.inner_text()
        page.set_viewport_size({"width": 1280, "height": 720})
        listed.scroll_into_view_if_needed()
        screenshot(page, "proposal_work_packages_en_1280")
        assert run_axe(page) == []
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()


def test_a_saved_search_can_be_run_again(browser, live_server) -> None:
    page = new_page(browser, live_server, "sme")
    try:
        open_app(page, live_server)
        page.get_by_role("tab", name="Opportunities").click()
        page.get_by_label("Suitable for SMEs only").check()
        page.locator("#opps-search").click()
        page.locator("ul.cards button").first.wait_for()
        page.locator("details.saved-searches > summary").click()
        page.locator("#opps-search-name").fill("SME work (story)")
        page.locator("details.saved-searches").get_by_role(
            "button", name="Save", exact=True
        ).click()
        run = page.get_by_role("button", name="Run the saved search SME work (story)")
        run.wait_for()
        # a fresh page has no results: the saved search brings them back
        page.reload()
        page.get_by_role("tab", name="Opportunities").click()
        page.locator("details.saved-searches > summary").click()
        run.wait_for()
        run.click()
        page.locator("ul.cards button", has_text="Green roof and rooftop solar").wait_for()
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()


def test_award_kpis_and_a_sub_package_a_second_sme_registers_for(browser, live_server) -> None:
    """A planner records the award to an interested SME and sees the KPIs move; that SME, a
    contractor, posts a sub-package under the work package it won; a second SME registers."""
    from datetime import date

    from tests.e2e.conftest import grant_roles, register

    base, acc = live_server.url, live_server.accounts
    acc["winner"] = register(base, "winner", org="Podium Landscapes E2E")
    acc["sme2"] = register(base, "sme2", org="Lantern Planting E2E")
    grant_roles(live_server.db_url, acc["winner"].id, ("contractor",))
    proposal = live_server.seed["proposal"]
    opp = live_server.api("planner").call(
        "POST",
        "/api/v1/opportunities",
        json={
            "proposal_id": proposal["id"],
            "title": "Podium landscaping (award story)",
            "cpv_codes": ["45112710"],
            "value_max": 120000,
            "currency": "GBP",
            "sme_suitable": True,
            "status": "active",
            "delivery_location": live_server.seed["opportunity"]["delivery_location"],
        },
    )
    live_server.api("winner").call("PUT", f"/api/v1/opportunities/{opp['id']}/interest", json={})

    page = new_page(browser, live_server, "planner")
    try:
        open_app(page, live_server, hash_=proposal_hash(live_server))
        page.get_by_role("tab", name="Planner").click()
        page.get_by_role("button", name=f"Edit “{proposal['title']}”").click()
        form = page.locator("li.award", has_text="Podium landscaping (award story)")
        kpis = page.locator("section.kpis", has_text="this development")
        # awards / work packages so far (other stories may have awarded others of this scheme)
        counted = kpis.locator("#award-kpi-awards")
        counted.filter(has_text=" / ").wait_for()
        awarded, packages = (int(x) for x in counted.inner_text().split(" / "))
        form.get_by_role("button", name="Record the award").click()
        form.locator(".error", has_text="Enter the value of the award.").wait_for()
        form.get_by_label("Supplier organisation").select_option(label="Podium Landscapes E2E")
        form.get_by_label("Value (GBP)").fill("95000")
        form.get_by_label("Date of the award").fill(str(date.today()))
        form.get_by_label("Supplier size").select_option("small")
        form.get_by_role("button", name="Record the award").click()
        form.get_by_text("Podium Landscapes E2E (Small), £95,000").wait_for()
        assert form.locator(".error").count() == 0
        counted.filter(has_text=f"{awarded + 1} / {packages}").wait_for()
        assert page.locator("#award-kpi-sme").get_attribute("value") not in (None, "0")
        for w, h in ((1280, 720), (390, 844)):
            page.set_viewport_size({"width": w, "height": h})
            # below the panel's sticky head (the award's scroll-margin)
            form.evaluate("e => e.scrollIntoView({block: 'start'})")
            screenshot(page, f"award_recorded_en_{w}")
        assert run_axe(page) == []
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()

    def open_work_package(page, title: str) -> None:
        open_app(page, live_server)
        page.get_by_role("tab", name="Opportunities").click()
        page.locator("#opps-search").click()
        page.locator("ul.cards button", has_text=title).click()
        page.get_by_role("heading", name=title).wait_for()

    page = new_page(browser, live_server, "winner")
    try:
        open_work_package(page, "Podium landscaping (award story)")
        sub = page.locator("form.sub-form")
        sub.get_by_role("button", name="Post the sub-package").click()
        sub.locator("#sub-title-error").wait_for()
        sub.get_by_label("Title of the sub-package").fill("Planting of the podium beds")
        # the sectors from the CPV combobox: the code typed, its match picked with Enter
        cpv = sub.get_by_role("combobox", name="Sectors of the work (CPV code or name)")
        cpv.fill("77310000")
        sub.get_by_role("option", name="77310000-6", exact=False).first.wait_for()
        cpv.press("Enter")
        sub.locator(".chips li", has_text="77310000-6").wait_for()
        sub.get_by_label("Value (GBP)").fill("30000")
        sub.get_by_role("button", name="Post the sub-package").click()
        page.locator("ul.sub-list button", has_text="Planting of the podium beds").wait_for()
        page.set_viewport_size({"width": 390, "height": 844})
        page.locator("section.sub-packages").evaluate("e => e.scrollIntoView({block: 'start'})")
        screenshot(page, "sub_package_posted_en_390")
        assert run_axe(page) == []
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()

    page = new_page(browser, live_server, "sme2")
    try:
        open_work_package(page, "Podium landscaping (award story)")
        assert page.locator("form.sub-form").count() == 0  # not the winner's
        page.locator("ul.sub-list button", has_text="Planting of the podium beds").click()
        page.get_by_role("heading", name="Planting of the podium beds").wait_for()
        page.locator("#opp-interest").click()
        page.locator("p.interest-status", has_text="Your interest is registered.").wait_for()
        page.set_viewport_size({"width": 1280, "height": 720})
        screenshot(page, "sub_package_interest_en_1280")
        assert run_axe(page) == []
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()
    subs = live_server.api().call("GET", f"/api/v1/opportunities/{opp['id']}/sub-packages")
    assert [s["title"] for s in subs] == ["Planting of the podium beds"]
    mine = live_server.api("sme2").call("GET", "/api/v1/organisations/me/interests")
    assert [i["opportunity_id"] for i in mine if not i["withdrawn"]] == [subs[0]["id"]]
