"""The README's screenshot, taken from the seeded demo by the browser: the Charterhouse Street
Tower in its open consultation, with shadows on a winter afternoon. Overwritten on every run so
the picture always shows the product as it is."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import (
    ROOT,
    metres_between,
    settle,
    site_centre,
    wait_for_city,
    wait_for_globe,
    wait_for_massing_drawn,
    wait_for_tiles,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DEMO_PNG = ROOT / "docs" / "images" / "demo.png"
TOWER = "DEMO/2026/0001"


def test_demo_screenshot_of_the_tower_with_winter_afternoon_shadows(browser, demo_server):
    url, proposals = demo_server
    tower = proposals[TOWER]
    ctx = browser.new_context(
        viewport={"width": 1200, "height": 700}, locale="en-GB", timezone_id="Europe/London"
    )
    try:
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{url}/?test=1&shadows=1#proposal={tower['id']}")
        wait_for_city(page)
        page.get_by_role("heading", name=tower["title"]).wait_for()
        state = wait_for_massing_drawn(page)
        assert metres_between(state["camera"][:2], site_centre(tower)) < 600, state

        # a winter early afternoon: the sun low in the south, the tower's shadow long to the north
        page.locator("details.sun > summary").click()
        page.get_by_label("Date", exact=True).fill("2026-12-15")
        page.get_by_label("Time of day", exact=True).fill("780")
        assert page.locator("details.sun output").inner_text() == "13:00"
        assert page.evaluate("() => window.__civictwin.viewer.scene.shadowMap.enabled") is True
        page.locator("details.sun > summary").click()
        # opening the sun control scrolled the panel: back to the scheme's details
        page.locator("#panel").evaluate("(el) => { el.scrollTop = 0 }")

        wait_for_tiles(page, "tileset")
        wait_for_massing_drawn(page)
        wait_for_globe(page)
        settle(page)
        page.get_by_role("heading", name=tower["title"]).wait_for()
        assert page.get_by_text("© OpenStreetMap contributors").first.is_visible()
        DEMO_PNG.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DEMO_PNG))
        assert DEMO_PNG.stat().st_size > 50_000
        assert errors == []
    finally:
        ctx.close()
