"""The London city loads offline from the real backend; buildings have metadata and a list; deep links,
language and keyboard work."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import open_app, screenshot, settle, wait_for_tiles

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_city_tileset_loads_and_nothing_leaves_the_deployment(page, live_server):
    requested = open_app(page, live_server)
    state = page.evaluate(
        """() => {
            const { viewer, tileset } = window.__civictwin
            return {
                tilesLoaded: tileset.tilesLoaded,
                url: tileset.resource.url,
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
    outside = [
        u
        for u in requested
        if not u.startswith(live_server.url) and not u.startswith(("data:", "blob:"))
    ]
    assert outside == [], f"requests left the deployment: {outside[:5]}"
    assert any(u.endswith(".glb") for u in requested)
    assert page.get_by_text("© OpenStreetMap contributors, ODbL").is_visible()
    assert page.js_errors == []


def test_clicking_a_building_shows_its_metadata_and_the_list_offers_the_same(page, live_server):
    open_app(page, live_server)
    pos = page.evaluate(
        """() => {
            const { viewer } = window.__civictwin
            const canvas = viewer.canvas
            for (let y = 0.5; y < 0.95; y += 0.05) for (let x = 0.3; x < 0.7; x += 0.05) {
                const p = { x: canvas.clientWidth * x, y: canvas.clientHeight * y }
                const picked = viewer.scene.pick(p)
                // a building, not the ground layer's streets and water (no building_id)
                const id = picked && picked.getProperty ? picked.getProperty('building_id') : undefined
                if (id) return { ...p, id }
            }
            return null
        }"""
    )
    assert pos is not None, "no building under any sampled point"
    box = page.locator(".map canvas").bounding_box()
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    panel = page.locator("section.building")
    panel.get_by_text(pos["id"]).wait_for()
    assert "Height" in panel.inner_text()
    settle(page)
    screenshot(page, "building_selected")
    # the accessible equivalent: a list of the buildings in view, from /api/v1/buildings?bbox=
    page.locator("#buildings-near summary").click()
    first = page.locator(".building-list button").first
    first.wait_for()
    label = first.inner_text()
    first.click()
    assert label.split(" ")[0] in panel.inner_text() or "Building id" in panel.inner_text()
    assert page.evaluate(
        "() => !!window.__civictwin.tileset.style"
    )  # the chosen one is marked in 3D


def test_deep_link_restores_the_camera(page, live_server):
    open_app(page, live_server, hash_="#cam=-0.100000,51.517000,400.0,30.0,-40.0,0.0")
    cam = page.evaluate("() => window.__civictwin.mapView.getCamera()")
    assert cam["position"]["lon"] == pytest.approx(-0.1, abs=1e-5)
    assert cam["position"]["lat"] == pytest.approx(51.517, abs=1e-5)
    assert cam["position"]["height"] == pytest.approx(400, abs=1)
    assert cam["heading"] == pytest.approx(30, abs=0.5)
    assert cam["pitch"] == pytest.approx(-40, abs=0.5)


def test_language_switch_translates_and_persists(page, live_server):
    open_app(page, live_server)
    page.get_by_label("Language").select_option("it")
    page.get_by_role("tab", name="Proposte").wait_for()
    assert page.evaluate("document.documentElement.lang") == "it"
    page.get_by_label("Lingua").select_option("sv")
    page.get_by_role("tab", name="Förslag").wait_for()
    page.get_by_label("Språk").select_option("et")
    page.get_by_label("Keel").select_option("hu")
    page.get_by_role("tab", name="Javaslatok").wait_for()
    screenshot(page, "language_hu")
    page.reload()
    page.get_by_role("tab", name="Javaslatok").wait_for()


def test_keyboard_reaches_tabs_and_map(page, live_server):
    open_app(page, live_server)
    page.get_by_role("tab", name="Proposals").focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.textContent") == "Opportunities"
    before = page.evaluate("() => window.__civictwin.mapView.getCamera().position.height")
    page.locator(".map canvas").focus()
    page.keyboard.press("-")
    after = page.evaluate("() => window.__civictwin.mapView.getCamera().position.height")
    assert after > before


def test_shadows_on_the_ground_have_no_band(browser, live_server):
    """Sun study with shadows: screenshot for the eye (the diagonal band artifact is gone)."""
    ctx = browser.new_context(viewport={"width": 640, "height": 360}, locale="en-GB")
    try:
        page = ctx.new_page()
        page.goto(
            f"{live_server.url}/?test=1&shadows=1#cam=-0.101000,51.514500,350.0,20.0,-35.0,0.0"
        )
        wait_for_tiles(page)
        settle(page)
        assert page.evaluate("() => window.__civictwin.viewer.scene.shadowMap.enabled") is True
        screenshot(page, "shadows")
    finally:
        ctx.close()
