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
