"""The city loads offline, buildings show their metadata, deep links restore the camera, axe passes."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import run_axe, screenshot, settle, wait_for_city

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def open_app(page, live_server, query: str = "test=1", hash_: str = "") -> list[str]:
    """Open the app in test mode; returns the list of every URL the page requested."""
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{live_server.url}/?{query}{hash_}")
    wait_for_city(page)
    settle(page)
    return requested


def test_city_tileset_loads_and_nothing_leaves_the_deployment(page, live_server):
    requested = open_app(page, live_server)
    state = page.evaluate(
        """() => {
            const { viewer, tileset } = window.__civictwin
            return {
                tilesLoaded: tileset.tilesLoaded,
                url: tileset.resource.url,
                globeLayers: viewer.scene.imageryLayers.length,
                imagery: viewer.scene.imageryLayers.get(0).imageryProvider.url,
                msaa: viewer.scene.msaaSamples,
                sky: viewer.scene.skyAtmosphere === undefined,
                fog: viewer.scene.fog.enabled,
            }
        }"""
    )
    screenshot(page, "city_loaded")
    assert state["tilesLoaded"] is True
    assert state["url"].endswith("tiles/london/tileset.json")
    assert "NaturalEarthII" in state["imagery"]
    assert state["msaa"] == 1 and state["sky"] and state["fog"] is False
    outside = [u for u in requested if not u.startswith(live_server.url) and not u.startswith("data:") and not u.startswith("blob:")]
    assert outside == [], f"requests left the deployment: {outside[:5]}"
    assert any(u.endswith("buildings.glb") for u in requested)
    assert page.js_errors == []


def test_clicking_a_building_shows_its_metadata(page, live_server):
    open_app(page, live_server)
    # Find a screen position over a building by sampling the canvas (picking is the app's own code).
    pos = page.evaluate(
        """() => {
            const { viewer } = window.__civictwin
            const canvas = viewer.canvas
            for (let y = 0.5; y < 0.95; y += 0.05) for (let x = 0.3; x < 0.7; x += 0.05) {
                const p = { x: canvas.clientWidth * x, y: canvas.clientHeight * y }
                const picked = viewer.scene.pick(new p.constructor() && { x: p.x, y: p.y })
                if (picked && picked.getProperty) return { ...p, id: picked.getProperty('building_id') }
            }
            return null
        }"""
    )
    assert pos is not None, "no building under any sampled point"
    box = page.locator(".map canvas").bounding_box()
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    panel = page.locator("section.building")
    panel.get_by_text(pos["id"]).wait_for()
    text = panel.inner_text()
    assert "Height" in text and "Test House" in text and " m" in text
    settle(page)
    screenshot(page, "building_selected")


def test_deep_link_restores_the_camera(page, live_server):
    open_app(page, live_server, hash_="#cam=-0.087000,51.514000,300.0,30.0,-40.0,0.0")
    cam = page.evaluate("() => window.__civictwin.mapView.getCamera()")
    assert cam["position"]["lon"] == pytest.approx(-0.087, abs=1e-5)
    assert cam["position"]["lat"] == pytest.approx(51.514, abs=1e-5)
    assert cam["position"]["height"] == pytest.approx(300, abs=1)
    assert cam["heading"] == pytest.approx(30, abs=0.5)
    assert cam["pitch"] == pytest.approx(-40, abs=0.5)


def test_language_switch_translates_and_localises(page, live_server):
    open_app(page, live_server)
    page.get_by_label("Language").select_option("it")
    page.get_by_role("tab", name="Proposte").wait_for()
    assert page.evaluate("document.documentElement.lang") == "it"
    assert page.get_by_text("© OpenStreetMap contributors, ODbL").is_visible()
    page.get_by_label("Lingua").select_option("hu")
    page.get_by_role("tab", name="Javaslatok").wait_for()
    screenshot(page, "language_hu")
    # the choice persists across a reload
    page.reload()
    page.get_by_role("tab", name="Javaslatok").wait_for()


@pytest.mark.parametrize("tab", ["Proposals", "Opportunities", "Account"])
def test_axe_reports_no_serious_violations(page, live_server, tab):
    open_app(page, live_server)
    page.get_by_role("tab", name=tab).click()
    if tab == "Opportunities":
        page.get_by_role("button", name="Search").click()
    page.locator("details.sun summary").click()
    settle(page)
    screenshot(page, f"axe_{tab.lower()}")
    violations = run_axe(page)
    assert violations == [], violations


def test_keyboard_reaches_tabs_and_map(page, live_server):
    open_app(page, live_server)
    page.get_by_role("tab", name="Proposals").focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.textContent") == "Opportunities"
    assert page.get_by_role("tab", name="Opportunities").get_attribute("aria-selected") == "true"
    before = page.evaluate("() => window.__civictwin.mapView.getCamera().position.height")
    page.locator(".map canvas").focus()
    page.keyboard.press("-")
    after = page.evaluate("() => window.__civictwin.mapView.getCamera().position.height")
    assert after > before


def test_phone_sized_screen_stacks_map_and_panel(browser, live_server):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB", is_mobile=True, has_touch=True)
    try:
        page = ctx.new_page()
        page.goto(f"{live_server.url}/?test=1")
        wait_for_city(page)
        settle(page)
        map_box = page.locator(".map").bounding_box()
        panel_box = page.locator("#panel").bounding_box()
        screenshot(page, "phone")
        assert panel_box["y"] >= map_box["y"] + map_box["height"] - 1
        assert panel_box["width"] <= 390
        assert page.get_by_text("© OpenStreetMap contributors, ODbL").is_visible()
    finally:
        ctx.close()
