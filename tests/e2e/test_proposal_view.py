"""A proposal opens as its own view and the way back keeps the list (issue 11 points 6 and 10).

On the real app with the 3D view: opening a proposal from the list puts focus on its title and
shows its sections; going back shows the list with the typed filter still there and focus on the
card the proposal was opened from, never on the page body.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import new_page, open_app, run_axe

pytestmark = [pytest.mark.browser]

ACTIVE_ID = "() => document.activeElement && document.activeElement.id"


def test_focus_follows_open_and_back_and_the_list_is_kept(browser, live_server) -> None:
    page = new_page(browser)
    try:
        open_app(page, live_server)
        pid = live_server.seed["proposal"]["id"]
        page.locator("#proposals-q").fill("Lantern")
        page.locator("form.filters button[type=submit]").click()
        card = page.locator(f"#proposal-card-{pid}")
        card.click()
        page.wait_for_function("() => document.activeElement?.id === 'proposal-h'")
        sections = page.locator("nav.sections button").all_inner_texts()
        assert sections[:4] == ["Overview", "Documents", "Have your say", "Work packages"]
        assert page.locator("#bar-comment-here").is_visible()
        assert run_axe(page) == []
        page.locator("#proposal-back").click()
        page.wait_for_function(f"() => document.activeElement?.id === 'proposal-card-{pid}'")
        assert page.locator("#proposals-q").input_value() == "Lantern"
        assert page.evaluate(ACTIVE_ID) == f"proposal-card-{pid}"
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()
