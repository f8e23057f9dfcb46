"""The sun study reads the SITE's clock (the deployment's time zone, Europe/London by default),
whatever the visitor's own zone; it sits in the panel's action bar beside before/after; and a
browser without a GPU (SwiftShader here) draws the 3D view light by itself."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import run_axe, screenshot, settle, wait_for_city

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CLOCK_JS = """() => {
    const t = window.__civictwin.viewer.clock.currentTime
    return t.constructor.toDate(t).toISOString()
}"""


STATUS_LOG_JS = """(() => {
  window.__statusTexts = []
  new MutationObserver(() => {
    for (const el of document.querySelectorAll('[role=status]')) {
      const text = el.textContent || ''
      if (text && window.__statusTexts.at(-1) !== text) window.__statusTexts.push(text)
    }
  }).observe(document, { subtree: true, childList: true, characterData: true })
})()"""


def sun_page(browser, live_server, viewport, locale="en-GB", tz="America/New_York"):
    ctx = browser.new_context(viewport=viewport, locale=locale, timezone_id=tz)
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.js_errors = errors  # type: ignore[attr-defined]
    return ctx, page


def test_sun_at_15_on_21_december_in_new_york_shows_london_15(browser, live_server) -> None:
    proposal = live_server.seed["proposal"]
    ctx, page = sun_page(browser, live_server, {"width": 1280, "height": 720})
    try:
        page.goto(f"{live_server.url}/?test=1#proposal={proposal['id']}")
        wait_for_city(page)
        page.get_by_role("heading", name=proposal["title"]).wait_for()
        # the browser really is in New York: 21 December is winter time there, UTC-5
        assert page.evaluate("() => new Date('2026-12-21T15:00:00Z').getTimezoneOffset()") == 300
        bar = page.get_by_role("region", name="Actions for the view")
        # before/after and the sun study sit together in the bar
        assert bar.get_by_role("group", name="Show the scheme").is_visible()
        bar.locator("details.sun > summary").click()
        assert "Europe/London" in bar.locator("#sun-zone").inner_text()
        bar.get_by_role("button", name="21 December").click()
        bar.get_by_role("button", name="15:00").click()
        year = page.evaluate("() => document.getElementById('sun-date').value.slice(0, 4)")
        assert page.locator("#sun-date").input_value() == f"{year}-12-21"
        assert bar.locator("details.sun output").inner_text() == "15:00"
        assert page.evaluate(CLOCK_JS) == f"{year}-12-21T15:00:00.000Z"
        assert bar.get_by_role("button", name="21 December").get_attribute("aria-pressed") == "true"

        # 21 June at 15:00 in London is 14:00 UTC (summer time)
        bar.get_by_role("button", name="21 June").click()
        assert page.evaluate(CLOCK_JS) == f"{year}-06-21T14:00:00.000Z"
        # typing a date and a time reads them on the site's clock too
        page.get_by_label("Date", exact=True).fill("2026-03-21")
        page.get_by_label("Time of day", exact=True).fill("540")
        assert page.evaluate(CLOCK_JS) == "2026-03-21T09:00:00.000Z"

        # the day animation moves the sun on until paused
        bar.get_by_role("button", name="Play the day").click()
        page.wait_for_function(
            "() => document.querySelector('details.sun output').textContent > '09:30'"
        )
        bar.get_by_role("button", name="Pause").click()
        stopped = bar.locator("details.sun output").inner_text()
        page.wait_for_timeout(800)
        assert bar.locator("details.sun output").inner_text() == stopped
        # London keeps GMT until the end of March: the clock shows UTC
        assert page.evaluate(CLOCK_JS) == f"2026-03-21T{stopped}:00.000Z"
        settle(page)
        screenshot(page, "sun_study_en_1280")
        assert run_axe(page) == []
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        ctx.close()


@pytest.mark.parametrize("locale", ["en-GB", "hu-HU"])
def test_sun_bar_on_a_phone(browser, live_server, locale) -> None:
    proposal = live_server.seed["proposal"]
    ctx, page = sun_page(browser, live_server, {"width": 390, "height": 844}, locale=locale)
    try:
        page.goto(f"{live_server.url}/?test=1#proposal={proposal['id']}")
        wait_for_city(page)
        page.get_by_role("heading", name=proposal["title"]).wait_for()
        page.locator("details.sun > summary").click()
        page.locator("details.sun .chips button").first.click()
        # the bar stays in view and within the phone's width
        box = page.locator(".action-bar").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        screenshot(page, f"sun_study_{locale[:2]}_390")
        assert run_axe(page) == []
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        ctx.close()


def test_software_webgl_switches_to_light_mode_by_itself(browser, live_server) -> None:
    ctx, page = sun_page(browser, live_server, {"width": 640, "height": 360}, tz="Europe/London")
    # every text the status line shows, from the start: the notice is announced once and the
    # line is cleared or replaced after a few seconds, which a busy machine can outlast
    page.add_init_script(STATUS_LOG_JS)
    try:
        page.goto(f"{live_server.url}/")
        page.wait_for_selector("html.light-mode", state="attached")
        assert (
            page.evaluate("() => document.documentElement.classList.contains('test-mode')") is False
        )
        page.wait_for_function(
            "() => (window.__statusTexts || []).some((t) => t.includes('No graphics card found'))"
        )
        page.goto(f"{live_server.url}/?light=0")
        page.locator("#panel").wait_for()
        page.wait_for_timeout(500)
        assert (
            page.evaluate("() => document.documentElement.classList.contains('light-mode')")
            is False
        )
    finally:
        ctx.close()
