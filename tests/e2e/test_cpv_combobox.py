"""The CPV picker is a keyboard combobox: "electr" + Enter (typed fast, before any list shows)
picks an electrical sector, not "Petroleum products ... electricity"; the arrow keys move the
active option and Enter picks it."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import new_page, open_app, run_axe

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_electr_enter_picks_an_electrical_cpv(browser, live_server) -> None:
    page = new_page(browser, live_server, "sme")
    try:
        open_app(page, live_server)
        page.get_by_role("tab", name="Opportunities").click()
        box = page.get_by_role("combobox", name="Sector (CPV code or name)")
        box.press_sequentially("electr", delay=20)
        box.press("Enter")
        chip = page.locator(".chips li").first
        chip.wait_for()
        text = chip.inner_text()
        assert "lectric" in text and "Petroleum" not in text, text
        assert box.input_value() == ""

        # arrows: the second option becomes active (announced through aria-activedescendant)
        box.press_sequentially("roof", delay=20)
        page.locator(".cpv-matches [role=option]").nth(1).wait_for()
        assert box.get_attribute("aria-expanded") == "true"
        second = page.locator(".cpv-matches [role=option]").nth(1).inner_text()
        box.press("ArrowDown")
        box.press("ArrowDown")
        active = box.get_attribute("aria-activedescendant")
        assert active and page.locator(f"#{active}").inner_text() == second
        assert run_axe(page) == []
        box.press("Enter")
        page.locator(".chips li", has_text=second.split(" ")[0]).wait_for()
        assert page.evaluate("() => document.activeElement.id") == box.get_attribute("id")
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()
