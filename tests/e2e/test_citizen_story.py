"""A citizen's way through a proposal: signed out, "Sign in to use this." leads to the Account
tab; signed in, a comment anchored on a building in 3D names the building (its name or address,
a scheme's block by number), never an internal id; the status line goes after a few seconds."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import new_page, open_app, run_axe, screenshot
from tests.e2e.test_flows import canvas_point, proposal_hash

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIND_BUILDING_JS = """() => {
    const { viewer } = window.__civictwin
    const c = viewer.canvas
    for (let y = 0.35; y < 0.9; y += 0.05) for (let x = 0.2; x < 0.8; x += 0.05) {
        const f = viewer.scene.pick({ x: c.clientWidth * x, y: c.clientHeight * y })
        if (f && f.getProperty) return { fx: x, fy: y, id: String(f.getProperty('building_id')) }
    }
    return null
}"""


def test_signed_out_prompt_links_to_the_account_tab(browser, live_server) -> None:
    page = new_page(browser)
    try:
        open_app(page, live_server, hash_=proposal_hash(live_server))
        prompt = page.locator("section.comments .sign-in-prompt")
        assert prompt.inner_text().startswith("Sign in to use this.")
        prompt.get_by_role("link", name="Sign in or register").click()
        assert page.get_by_role("tab", name="Account").get_attribute("aria-selected") == "true"
        assert page.evaluate("() => !!document.activeElement.closest('#tabpanel-account')")
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()


def test_a_3d_comment_names_its_building_and_the_status_line_goes(browser, live_server) -> None:
    page = new_page(browser, live_server, "citizen")
    try:
        open_app(page, live_server, hash_=proposal_hash(live_server))
        page.get_by_label("Your comment").fill("The shopfront should keep its awning.")
        page.locator("#pick-anchor").click()
        pos = page.evaluate(FIND_BUILDING_JS)
        assert pos is not None
        page.mouse.click(*canvas_point(page, pos["fx"], pos["fy"]))
        placed = page.get_by_text("Placed at")
        placed.wait_for()
        text = placed.inner_text()
        assert pos["id"] not in text, text
        assert any(w in text for w in (" on ", "on a building", "on block ")), text
        page.get_by_role("button", name="Post comment").click()
        status = page.locator("p.status")
        status.filter(has_text="Your comment was posted.").wait_for()
        # the status line clears itself (and lets clicks through meanwhile)
        assert status.evaluate("(el) => getComputedStyle(el).pointerEvents") == "none"
        page.wait_for_function(
            "() => document.querySelector('p.status').textContent === ''", timeout=15_000
        )
        for locale, lang in (("en", "English"), ("hu", "Magyar")):
            page.locator("#lang").select_option(label=lang)
            page.set_viewport_size({"width": 390, "height": 844})
            screenshot(page, f"citizen_proposal_{locale}_390")
            assert run_axe(page) == []
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()
