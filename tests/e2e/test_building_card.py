"""Clicking a building shows its card beside the point, anchored to it as the camera moves;
focus moves into it; "Comment on this building" opens the proposal's form anchored there and
the form names the building (never its internal id); Escape closes the card and gives the
focus back to the 3D view."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import new_page, open_app, run_axe, screenshot, settle
from tests.e2e.test_flows import canvas_point, proposal_hash

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: a building near the middle of the view (so the card has room on both sides)
FIND_CENTRAL_BUILDING_JS = """() => {
    const { viewer } = window.__civictwin
    const c = viewer.canvas
    for (let r = 0; r < 0.3; r += 0.03) for (const [dx, dy] of [[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [-1, -1], [1, -1], [-1, 1]]) {
        const x = 0.45 + dx * r, y = 0.5 + dy * r
        const f = viewer.scene.pick({ x: c.clientWidth * x, y: c.clientHeight * y })
        if (f && f.getProperty) return { fx: x, fy: y, id: String(f.getProperty('building_id')) }
    }
    return null
}"""


def test_building_card_in_place_comment_on_it_and_escape(browser, live_server) -> None:
    page = new_page(browser, live_server, "citizen")
    try:
        # a desktop view: the card needs room beside its point to show that it follows it
        page.set_viewport_size({"width": 1280, "height": 720})
        open_app(page, live_server, hash_=proposal_hash(live_server))
        pos = page.evaluate(FIND_CENTRAL_BUILDING_JS)
        assert pos is not None
        x, y = canvas_point(page, pos["fx"], pos["fy"])
        page.mouse.click(x, y)
        card = page.locator("#building-card")
        card.wait_for()
        # beside the clicked point, inside the view, and with the focus in it
        box = card.bounding_box()
        assert box is not None
        assert abs(box["x"] - x) < 330 and abs(box["y"] - y) < 330, (box, x, y)
        assert page.evaluate("() => !!document.activeElement.closest('#building-card')")
        title = card.locator("h2").inner_text()
        assert pos["id"] not in title
        # the card follows its point when the camera moves
        moved = page.evaluate(
            """async () => {
                const v = window.__civictwin.viewer
                const card = document.getElementById('building-card')
                const x0 = card.getBoundingClientRect().left
                for (let i = 0; i < 20; i++) {
                    v.camera.moveRight(30)
                    v.scene.requestRender()
                    await new Promise((r) => setTimeout(r, 250))
                    const x = card.getBoundingClientRect().left
                    if (Math.abs(x - x0) > 3) return x - x0
                }
                return 0
            }"""
        )
        assert moved != 0
        screenshot(page, "building_card_en_1280")
        assert run_axe(page) == []
        card.get_by_role("button", name="Comment on this building").click()
        placed = page.get_by_text("Placed at")
        placed.wait_for()
        text = placed.inner_text()
        assert pos["id"] not in text, text
        assert any(w in text for w in (" on ", "on a building", "on block ")), text
        assert page.evaluate("() => document.activeElement.id") == "comment-body-new"
        page.locator("#building-card-h").focus()
        page.keyboard.press("Escape")
        card.wait_for(state="detached")
        settle(page)
        assert page.evaluate("() => document.activeElement.id") == "map"
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()
