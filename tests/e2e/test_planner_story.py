"""A planner drafts a scheme, saves the draft (and stays in the editor), gives a block a height
and then storeys (the height is kept and the storey height shown), publishes, and can comment at
once (live state, no reload); the saved proposal offers its CSV exports."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import new_page, open_app, run_axe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SITE = "-0.0986, 51.5204\n-0.0974, 51.5204\n-0.0974, 51.5212\n-0.0986, 51.5212"
BLOCK = "-0.0984, 51.5206\n-0.0978, 51.5206\n-0.0978, 51.5210\n-0.0984, 51.5210"


def test_planner_drafts_saves_publishes_and_exports(browser, live_server) -> None:
    page = new_page(browser, live_server, "planner")
    page.set_viewport_size({"width": 1280, "height": 720})
    try:
        open_app(page, live_server)
        page.get_by_role("tab", name="Planner").click()
        page.get_by_label("Title").fill("Cloth Fair Yard (story)")
        page.get_by_label("Reference", exact=True).fill("E2E/STORY")
        page.get_by_label('Points as "longitude, latitude", one a line').fill(SITE)
        page.get_by_role("button", name="Use these points").click()
        page.get_by_text("Site boundary: 4 points").wait_for()
        page.locator("#planner-add-block").click()
        page.get_by_label('Points as "longitude, latitude", one a line').fill(BLOCK)
        page.get_by_role("button", name="Use these points").click()
        page.get_by_text("Block 1: 4 points").wait_for()

        # 21 m, then 6 storeys: the height stays 21 m and the storey height is shown
        height = page.locator("#block-0-height")
        height.fill("21")
        height.dispatch_event("change")
        storeys = page.locator("#block-0-storeys")
        storeys.fill("6")
        storeys.dispatch_event("change")
        assert page.locator("#block-0-height").input_value() == "21"
        note = page.locator("#block-0-height-note")
        assert note.inner_text() == "21 m over 6 storeys: 3.5 m a storey"

        # saving a draft keeps the planner in the editor, with no error
        page.locator("#planner-save").click()
        page.locator("p.status", has_text="Proposal saved.").wait_for()
        page.get_by_role("heading", name="Editing: Cloth Fair Yard (story)").wait_for()
        assert page.get_by_role("tab", name="Planner").get_attribute("aria-selected") == "true"
        assert page.locator("p.status").inner_text() == "Proposal saved."
        found = live_server.api("planner").call(
            "GET", "/api/v1/proposals", params={"q": "E2E/STORY"}
        )["items"]
        assert len(found) == 1 and found[0]["stage"] == "draft"
        full = live_server.api("planner").call("GET", f"/api/v1/proposals/{found[0]['id']}")
        assert [
            (f["properties"]["height_m"], f["properties"].get("storeys"))
            for f in full["massing"]["features"]
        ] == [(21.0, 6)]

        # the exports: comments as CSV, downloadable with the planner's session
        link = page.get_by_role("link", name="Published comments, all proposals (anonymised)")
        r = page.request.get(f"{live_server.url}/{link.get_attribute('href')}")
        assert r.ok and r.headers["content-type"].startswith("text/csv")
        screenshot(page, "planner_story_draft_en_1280")
        assert run_axe(page) == []

        page.locator("#planner-publish").click()
        page.get_by_role("heading", name="Cloth Fair Yard (story)", exact=True).wait_for()
        # comments open at once (the consultation started with publishing): no reload
        page.get_by_label("Your comment").wait_for()
        assert page.get_by_text("Comments are closed").count() == 0
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()
