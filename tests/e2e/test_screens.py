"""Every user task's screen in the five languages at desktop and phone sizes: screenshots into
tests/e2e/artifacts/ (git-ignored, to be looked at), no text overflowing its box, axe at 0
serious/critical.

One browser, one page per language (``?lang=``; each language its own test, within the
per-test timeout on a loaded machine), one account holding every role, the viewport resized in
place: the 3D city loads five times for the fifty screens.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import (
    ARTIFACTS,
    draw_at_half_resolution,
    grant_roles,
    new_page,
    register,
    run_axe,
    settle,
    wait_for_city,
)
from tests.e2e.test_citizen_story import FIND_BUILDING_JS
from tests.e2e.test_flows import canvas_point, proposal_hash

pytestmark = [pytest.mark.browser, pytest.mark.slow]


LOCALES = ("en", "et", "hu", "it", "sv")
SIZES = ((1280, 720), (390, 844))

#: Text boxes whose content is wider than the box and not meant to scroll: cut off or spilling.
#: Scroll containers (overflow auto/scroll) are left out, and so is the 3D view itself.
OVERFLOW_JS = """() => {
  const roots = document.querySelectorAll('#panel, header.top, .map-controls, .map-help, .map-legend, .building-card')
  const found = []
  for (const root of roots) {
    for (const el of [root, ...root.querySelectorAll('*')]) {
      if (!(el instanceof HTMLElement) || el.closest('svg')) continue
      const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())
      if (!text) continue
      const style = getComputedStyle(el)
      if (style.visibility === 'hidden' || style.display === 'none' || el.offsetParent === null && style.position !== 'fixed') continue
      if (['auto', 'scroll'].includes(style.overflowX)) continue
      if (el.classList.contains('visually-hidden') || el.closest('.visually-hidden')) continue
      if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) {
        found.push({ tag: el.tagName.toLowerCase(), id: el.id, cls: el.className, text: el.textContent.trim().slice(0, 60), scroll: el.scrollWidth, client: el.clientWidth })
      }
    }
  }
  return found
}"""


def _account(live_server) -> None:
    if "everyone" not in live_server.accounts:
        acc = register(live_server.url, "everyone", org="Every Role Builders E2E")
        grant_roles(live_server.db_url, acc.id, ("planner", "moderator", "admin"))
        live_server.accounts["everyone"] = acc


def _tab(page, tab_id: str) -> None:
    page.locator(f"#tab-{tab_id}").click()
    page.locator(f"#tabpanel-{tab_id}").wait_for()


def _citizen(page, live_server) -> None:
    """A proposal open with its comments and form, and a building's card beside its point."""
    _tab(page, "proposals")
    page.locator("section.comments").first.wait_for()
    card = page.locator("#building-card")
    if card.count() == 0:
        pos = page.evaluate(FIND_BUILDING_JS)
        assert pos is not None, "no building in view to click"
        page.mouse.click(*canvas_point(page, pos["fx"], pos["fy"]))
        card.wait_for()


def _sme(page, live_server) -> None:
    _tab(page, "opportunities")
    if page.locator("article.detail").count():
        return  # the work package opened at the other size is still shown
    page.locator("#opps-search").click()
    page.locator("ul.cards button").first.wait_for()
    page.locator("ul.cards button").first.click()
    page.locator("article.detail").first.wait_for()


def _planner(page, live_server) -> None:
    _tab(page, "planner")


def _moderator(page, live_server) -> None:
    _tab(page, "moderation")
    page.locator(".mod-item, .mod-hidden, #tabpanel-moderation p.muted").first.wait_for()


def _admin(page, live_server) -> None:
    _tab(page, "admin")
    page.locator("li.admin-user").first.wait_for()


TASKS: tuple[tuple[str, Callable[[Any, Any], None]], ...] = (
    ("citizen", _citizen),
    ("sme", _sme),
    ("planner", _planner),
    ("moderator", _moderator),
    ("admin", _admin),
)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_task_screen_fits_and_passes_axe(browser, live_server, locale) -> None:
    _account(live_server)
    page = new_page(browser, live_server, "everyone")
    # only the page around the 3D view is checked here (text boxes, axe), never its pixels
    draw_at_half_resolution(page)
    problems: dict[str, Any] = {}
    timings: list[float] = []
    try:
        page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
        # help=1: the first-visit help is part of what a newcomer sees
        page.goto(f"{live_server.url}/?test=1&lang={locale}&help=1{proposal_hash(live_server)}")
        wait_for_city(page)
        settle(page)
        assert page.evaluate("() => document.documentElement.lang") == locale
        assert page.evaluate("() => window.__civictwin.viewer.resolutionScale") == 0.5
        help_box = page.locator("#map-help")
        help_box.wait_for()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"screen_help_{locale}_1280.png"))
        page.locator("#map-help-close").click()
        help_box.wait_for(state="detached")
        for task, show in TASKS:
            for width, height in SIZES:
                page.set_viewport_size({"width": width, "height": height})
                show(page, live_server)
                # each screen as it opens: the panel at its top (a target half under the sticky
                # panel head, as after scrolling, is what axe's target-size rule flags)
                page.evaluate(
                    "() => { const p = document.getElementById('panel'); if (p) p.scrollTop = 0 }"
                )
                settle(page)
                name = f"screen_{task}_{locale}_{width}"
                page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
                overflow = page.evaluate(OVERFLOW_JS)
                t0 = time.monotonic()
                axe = run_axe(page)
                timings.append(time.monotonic() - t0)
                if overflow or axe:
                    problems[name] = {"overflow": overflow, "axe": axe}
            if task == "citizen":
                # the card closes with Escape and gives the focus back to the 3D view
                page.locator("#building-card-h").focus()
                page.keyboard.press("Escape")
                page.locator("#building-card").wait_for(state="detached")
                assert page.evaluate("() => document.activeElement.id") == "map"
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()
        if timings:
            print(f"axe: {len(timings)} runs, {sum(timings):.1f} s")
    assert problems == {}
