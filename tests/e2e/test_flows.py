"""The main flows end to end on the real backend: before/after, a 3D comment arriving live in a
second browser, an SME finding work and registering interest, a planner drawing and publishing a
scheme, moderation, analytics, and axe on every screen."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import (
    metres_between,
    new_page,
    open_app,
    run_axe,
    screenshot,
    settle,
    site_centre,
    wait_for_massing_drawn,
    wait_for_tiles,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FEATURE_JS = """(id) => {
    const { tileset } = window.__civictwin
    const found = []
    const walk = (tile) => {
        const c = tile.content
        if (c && c.featuresLength) for (let i = 0; i < c.featuresLength; i++) {
            const f = c.getFeature(i)
            if (f.getProperty('building_id') === id) found.push(f.show)
        }
        for (const child of tile.children) walk(child)
    }
    walk(tileset.root)
    return found
}"""


def proposal_hash(live_server) -> str:
    return f"#proposal={live_server.seed['proposal']['id']}"


def canvas_point(page, fx: float, fy: float) -> tuple[float, float]:
    box = page.locator(".map canvas").bounding_box()
    return box["x"] + box["width"] * fx, box["y"] + box["height"] * fy


def test_before_after_hides_the_replaced_building_and_shows_the_massing(page, live_server):
    p = live_server.seed["proposal"]
    replaced = live_server.seed["building"]["properties"]["building_id"]
    assert replaced in p["replaces"], p["replaces"]
    assert p["massing_tileset_url"]
    open_app(page, live_server, hash_=proposal_hash(live_server))
    page.get_by_role("heading", name=p["title"]).wait_for()
    page.wait_for_function("() => !!window.__civictwin.massing")
    # the deep link flies to the site and the scheme's block is requested and drawn
    state = wait_for_massing_drawn(page)
    assert metres_between(state["camera"][:2], site_centre(p)) < 600, state
    wait_for_tiles(page, "tileset")
    settle(page)
    screenshot(page, "proposal_after")
    shown = page.evaluate(FEATURE_JS, replaced)
    assert shown and not any(shown), "the replaced building is still drawn"
    assert page.evaluate("() => window.__civictwin.massing.show") is True

    page.get_by_label("Before (existing buildings)").check()
    settle(page)
    screenshot(page, "proposal_before")
    assert all(page.evaluate(FEATURE_JS, replaced))
    assert page.evaluate("() => window.__civictwin.massing.show") is False
    page.get_by_label("After (with the scheme)").check()
    # the style is applied to the features on the next rendered frame
    page.wait_for_function(
        f"(id) => {{ const s = ({FEATURE_JS})(id); return s.length > 0 && !s.some(Boolean) }}",
        arg=replaced,
        timeout=10_000,
    )
    assert page.evaluate("() => window.__civictwin.massing.show") is True
    assert page.js_errors == []


def test_selecting_from_the_list_flies_to_the_site_and_draws_the_massing(page, live_server):
    p = live_server.seed["proposal"]
    open_app(page, live_server)
    page.get_by_role("button", name=p["title"]).click()
    page.get_by_role("heading", name=p["title"]).wait_for()
    state = wait_for_massing_drawn(page)
    assert metres_between(state["camera"][:2], site_centre(p)) < 600, state
    assert page.evaluate("() => window.__civictwin.mapView.getCamera().position.height") < 1000, (
        "the camera did not come down to the site"
    )
    assert page.js_errors == []


def test_comment_anchored_in_3d_arrives_live_in_another_browser(browser, live_server):
    pid = live_server.seed["proposal"]["id"]
    watcher = new_page(browser)
    author = new_page(browser, live_server, "citizen")
    try:
        open_app(watcher, live_server, hash_=proposal_hash(live_server))
        watcher.locator("section.comments").wait_for()
        open_app(author, live_server, hash_=proposal_hash(live_server))
        author.get_by_label("Your comment").fill("Please keep the plane tree on the corner.")
        author.get_by_label("Support").check()
        author.get_by_label("Design").check()
        author.locator("#pick-anchor").click()
        author.get_by_text("Click a building, the scheme or the ground").wait_for()
        # click a building in the 3D view (found by the scene's own picking)
        pos = author.evaluate(
            """() => {
                const { viewer } = window.__civictwin
                const c = viewer.canvas
                for (let y = 0.35; y < 0.9; y += 0.05) for (let x = 0.2; x < 0.8; x += 0.05) {
                    const p = { x: c.clientWidth * x, y: c.clientHeight * y }
                    const f = viewer.scene.pick(p)
                    // a building, not the ground layer's streets and water (no building_id)
                    if (f && f.getProperty && f.getProperty('building_id')) return { fx: x, fy: y }
                }
                return null
            }"""
        )
        assert pos is not None
        author.mouse.click(*canvas_point(author, pos["fx"], pos["fy"]))
        author.get_by_text("Placed at").wait_for()
        author.get_by_role("button", name="Post comment").click()
        # the second browser gets it over server-sent events, without reloading
        watcher.locator("section.comments").get_by_text(
            "Please keep the plane tree on the corner."
        ).wait_for(timeout=20_000)
        settle(watcher)
        screenshot(watcher, "comment_live")
        comments = live_server.api().call(
            "GET", f"/api/v1/proposals/{pid}/comments", params={"limit": 100}
        )["items"]
        mine = next(c for c in comments if c["body"].startswith("Please keep the plane tree"))
        assert mine["anchor"]["point"] and mine["anchor"]["camera"]
        assert mine["anchor"]["building_id"]
        assert mine["sentiment"] == "supportive" and mine["topics"] == ["design"]
        # reaction from the watcher's side is refused without an account: the button is disabled
        assert watcher.locator("section.comments button.react-agree").first.is_disabled()
    finally:
        watcher.context.close()
        author.context.close()


def test_sme_filters_by_sector_registers_interest_and_saves_the_search(browser, live_server):
    page = new_page(browser, live_server, "sme")
    try:
        open_app(page, live_server)
        page.get_by_role("tab", name="Opportunities").click()
        page.get_by_label("Sector (CPV code or name)").fill("4526")
        page.locator(".cpv-matches [role=option]").first.wait_for()
        page.locator(".cpv-matches [role=option]", has_text="45261215").first.click()
        page.locator(".chips").get_by_text("45261215").wait_for()
        page.get_by_label("Suitable for SMEs only").check()
        page.get_by_label("Minimum value").fill("50000")
        page.locator("#opps-search").click()
        card = page.locator("ul.cards button", has_text="Green roof and rooftop solar")
        card.wait_for()
        screenshot(page, "sme_results")
        card.click()
        page.get_by_role("button", name="Register interest").click()
        page.get_by_role("button", name="Withdraw interest").wait_for()
        interests = live_server.api("sme").call("GET", "/api/v1/organisations/me/interests")
        assert [i["opportunity_id"] for i in interests if not i["withdrawn"]] == [
            live_server.seed["opportunity"]["id"]
        ]
        settle(page)
        screenshot(page, "sme_interest")
        page.get_by_role("button", name="Back to the results").click()
        page.get_by_text("Save this search for alerts").click()
        page.get_by_label("Name of the saved search").fill("Roofs near me")
        page.get_by_role("button", name="Save", exact=True).click()
        page.get_by_role("list", name="Your saved searches").get_by_text("Roofs near me").wait_for()
        saved = live_server.api("sme").call("GET", "/api/v1/saved-searches")
        # this account's other tests may have saved searches of their own: this one by its name
        mine = [s for s in saved if s["name"] == "Roofs near me"]
        assert len(mine) == 1, saved
        assert [c[:8] for c in mine[0]["query"]["cpv"]] == ["45261215"]
        assert mine[0]["query"]["sme_suitable"] is True
        # its alerts: weekly, then paused, from the row's own control
        alerts = page.get_by_label("Alerts for Roofs near me")
        assert alerts.input_value() == "daily"
        alerts.select_option(label="Alerts: weekly")
        page.get_by_text("Alerts for Roofs near me: Alerts: weekly").wait_for(state="attached")
        alerts.select_option(label="Alerts paused")
        page.get_by_text("Alerts for Roofs near me: Alerts paused").wait_for(state="attached")
        saved = live_server.api("sme").call("GET", "/api/v1/saved-searches")
        got = next(s for s in saved if s["id"] == mine[0]["id"])
        assert (got["frequency"], got["paused"]) == ("weekly", True)
        # matches for the organisation (sector 4526, located at the site)
        page.locator("#opps-matches").click()
        page.locator("ul.cards button", has_text="Green roof and rooftop solar").wait_for()
    finally:
        page.context.close()


def test_planner_draws_a_scheme_with_two_blocks_and_publishes_it(browser, live_server):
    page = new_page(browser, live_server, "planner")
    try:
        # straight down over a quiet block, so a clicked roof has the lon/lat of the ground below
        open_app(page, live_server, hash_="#cam=-0.098000,51.521000,260.0,0.0,-89.9,0.0")
        page.get_by_role("tab", name="Planner").click()
        page.get_by_label("Title").fill("Smithfield Yard (drawn in the test)")
        page.get_by_label("Reference", exact=True).fill("E2E/0002")
        page.locator("#planner-draw").click()
        for fx, fy in [(0.15, 0.15), (0.85, 0.15), (0.85, 0.85), (0.15, 0.85), (0.5, 0.5)]:
            page.mouse.click(*canvas_point(page, fx, fy))
        page.get_by_text("Site boundary: 5 points").wait_for()
        page.locator("#planner-undo").click()
        page.get_by_text("Site boundary: 4 points").wait_for()
        page.locator("#planner-add-block").click()
        for fx, fy in [(0.25, 0.25), (0.45, 0.25), (0.45, 0.45), (0.25, 0.45)]:
            page.mouse.click(*canvas_point(page, fx, fy))
        page.get_by_text("Block 1: 4 points").wait_for()
        page.locator("#planner-add-block").click()
        for fx, fy in [(0.55, 0.55), (0.75, 0.55), (0.75, 0.75), (0.55, 0.75)]:
            page.mouse.click(*canvas_point(page, fx, fy))
        page.get_by_text("Block 2: 4 points").wait_for()
        storeys = page.locator("#block-1-storeys")
        storeys.fill("10")
        storeys.dispatch_event("change")
        settle(page)
        screenshot(page, "planner_draft")
        page.locator("#planner-publish").click()
        page.get_by_role("heading", name="Smithfield Yard (drawn in the test)").wait_for(
            timeout=60_000
        )
        found = live_server.api().call("GET", "/api/v1/proposals", params={"q": "E2E/0002"})[
            "items"
        ]
        assert len(found) == 1 and found[0]["stage"] == "consultation"
        full = live_server.api().call("GET", f"/api/v1/proposals/{found[0]['id']}")
        heights = sorted(f["properties"]["height_m"] for f in full["massing"]["features"])
        assert heights == [12.0, 30.0]
        assert full["massing_tileset_url"]
        page.wait_for_function("() => !!window.__civictwin.massing")
        wait_for_tiles(page, "massing")
        settle(page)
        screenshot(page, "planner_published")
    finally:
        page.context.close()


SCREENS = [
    "Proposals",
    "proposal",
    "Opportunities",
    "Planner",
    "Moderation",
    "Analytics",
    "Account",
]


def test_axe_on_every_screen_and_moderation_and_analytics_work(browser, live_server):
    page = new_page(browser, live_server, "staff")
    try:
        open_app(page, live_server)
        found: dict[str, list[dict]] = {}
        for screen in SCREENS:
            if screen == "proposal":
                page.locator(
                    "ul.cards button", has_text=live_server.seed["proposal"]["title"]
                ).click()
                page.locator("section.comments").wait_for()
            else:
                page.get_by_role("tab", name=screen).click()
            if screen == "Opportunities":
                page.locator("#opps-search").click()
                page.locator("ul.cards").wait_for()
            if screen == "Moderation":
                page.locator(".mod-item").first.wait_for()
            if screen == "Analytics":
                page.locator("figure.chart-figure").first.wait_for()
                page.get_by_label("Show the comment heat map in 3D").check()
            page.locator("details.sun summary").click()
            settle(page)
            screenshot(page, f"axe_{screen.lower()}")
            found[screen] = run_axe(page)
            page.locator("details.sun summary").click()
        assert {k: v for k, v in found.items() if v} == {}
        # moderation: hide the reported spam with a reason; it leaves the public thread
        spam = live_server.seed["spam_comment"]
        page.get_by_role("tab", name="Moderation").click()
        item = page.locator(".mod-item", has_text="Buy cheap watches")
        item.get_by_label("Reason for the decision").fill("Advertising")
        item.get_by_role("button", name="Hide").click()
        page.locator("p.status", has_text="Decision recorded.").wait_for()
        settle(page)
        screenshot(page, "moderation_done")
        pid = live_server.seed["proposal"]["id"]
        bodies = [
            c["body"]
            for c in live_server.api().call("GET", f"/api/v1/proposals/{pid}/comments")["items"]
        ]
        assert spam["body"] not in bodies
    finally:
        page.context.close()
