"""Design variants in 3D (issue 14): a citizen shows each of a scheme's variants in the scene
(two drawn from blocks, one from an uploaded glb), the action bar naming the one shown, comments
on variant B and sees the comment listed as on it, then compares two side by side in one scene at
a divider moved with the keyboard, and the scene goes back to the scheme's own massing, then to
the city, on the way out."""

from __future__ import annotations

import pytest
from pyproj import Transformer

from tests.e2e.conftest import (
    LiveServer,
    glb_box,
    new_page,
    open_app,
    rect,
    run_axe,
    screenshot,
    site_centre,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STATE_JS = "() => window.__civictwin.variants()"
#: for each ECEF point: is the shown variant's model what the view picks at its screen position
PICK_JS = """(pts) => {
  const w = window.__civictwin.viewer
  const model = window.__civictwin.mapView.variants.sides.left.model
  return pts.map((p) => {
    const c = w.scene.cartesianToCanvasCoordinates(p)
    const k = c && w.scene.pick(c)
    return !!k && k.primitive === model
  })
}"""
LOOK_DOWN_JS = """(c) => {
  const w = window.__civictwin.viewer
  w.camera.setView({ destination: c, orientation: { heading: 0, pitch: -Math.PI / 2, roll: 0 } })
  w.scene.requestRender()
}"""


def _block(w: float, s: float, e: float, n: float, height: float, name: str) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": rect(w, s, e, n)},
        "properties": {"name": name, "height_m": height},
    }


#: scroll a panel element to just below the panel's head (sticky from 601 px wide), not under it
BELOW_HEAD_JS = """(e) => {
  const panel = e.closest('.panel')
  const head = panel.querySelector('.panel-head')
  e.scrollIntoView({ block: 'start' })
  if (getComputedStyle(head).position === 'sticky') panel.scrollBy(0, -head.offsetHeight - 8)
}"""


def _look_down_and_pick(page, points: dict[str, tuple[float, float]], centre: tuple[float, float]):
    """From 400 m straight above ``centre``: is the shown (left) variant what the view picks at
    each lon/lat (1 m up)?"""
    to_ecef = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
    camera = to_ecef.transform(centre[0], centre[1], 400.0)
    page.evaluate(LOOK_DOWN_JS, dict(zip("xyz", camera, strict=True)))
    page.wait_for_timeout(1500)
    ecef = [
        dict(zip("xyz", to_ecef.transform(lo, la, 1.0), strict=True)) for lo, la in points.values()
    ]
    return dict(zip(points, page.evaluate(PICK_JS, ecef), strict=True))


def _click(page, selector: str) -> None:
    """Press a control of the panel from the keyboard: in the test's small window the panel's
    sticky head (tabs and action bar) covers most of it, so a pointer click may land on the head."""
    page.locator(selector).press("Enter")


def _wait_state(page, condition: str) -> dict:
    """Wait until the test hook's variant state satisfies a JS condition on ``s``."""
    page.wait_for_function(
        f"() => {{ const s = window.__civictwin.variants(); return {condition} }}"
    )
    return page.evaluate(STATE_JS)


def test_a_citizen_shows_each_variant_and_compares_them_at_a_divider(
    browser, live_server: LiveServer
) -> None:
    planner = live_server.api("planner")
    lon, lat = site_centre(live_server.seed["proposal"])
    x, d = lon - 0.0025, 0.0003
    p = planner.call(
        "POST",
        "/api/v1/proposals",
        json={
            "reference": "E2E/VARIANTS",
            "title": "Variant Yard (test scheme)",
            "site_address": "Variant Yard, London EC1",
            "site_boundary": {
                "type": "MultiPolygon",
                "coordinates": [rect(x, lat, x + d, lat + d)],
            },
        },
    )
    pid = p["id"]
    one = {
        "type": "FeatureCollection",
        "features": [_block(x, lat, x + d, lat + d, 40.0, "Tower")],
    }
    two = {
        "type": "FeatureCollection",
        "features": [
            _block(x, lat, x + d / 2, lat + d, 18.0, "West wing"),
            _block(x + d / 2, lat, x + d, lat + d / 2, 12.0, "East wing"),
        ],
    }
    va = planner.call(
        "POST",
        f"/api/v1/proposals/{pid}/variants",
        json={"name": "A: one tower", "description": "Forty metres.", "massing": one},
    )["id"]
    vb = planner.call(
        "POST",
        f"/api/v1/proposals/{pid}/variants",
        json={"name": "B: two wings", "description": "Lower, stepped.", "massing": two},
    )["id"]
    # variant C: an uploaded glb, a 10 m x 10 m box 30 m tall, placed at the site's centre
    box = planner.client.put(
        f"/api/v1/proposals/{pid}/model",
        params={"lon": x + d / 2, "lat": lat + d / 2, "height_m": 0, "heading_deg": 0, "scale": 1},
        content=glb_box((-5.0, 0.0, -5.0), (5.0, 30.0, 5.0)),
        headers={"X-CSRF-Token": planner.csrf, "Content-Type": "model/gltf-binary"},
    )
    assert box.status_code == 200, box.text
    vc = planner.call(
        "POST",
        f"/api/v1/proposals/{pid}/variants",
        json={
            "name": "C: one block",
            "description": "The architect's model.",
            "model_document_id": box.json()["model"]["document_id"],
        },
    )["id"]
    planner.call("POST", f"/api/v1/proposals/{pid}/publish")

    # seeing variants needs no account (tests/backend); commenting on one does
    page = new_page(browser, live_server, "citizen")
    try:
        open_app(page, live_server, hash_=f"#proposal={pid}")
        section = page.locator("#proposal-variants")
        section.wait_for()
        assert page.evaluate(STATE_JS).get("left") is None  # the scheme's own massing first

        # one variant at a time: its blocks, drawn as a model, named in the section
        _click(page, f"#variant-show-{va}")
        s = _wait_state(page, f"s.left && s.left.id === {va} && s.left.ready")
        assert s["left"]["blocks"] == 1 and s.get("right") is None and s["proposalId"] == pid
        assert "A: one tower" in page.locator("#variant-shown").inner_text()
        assert page.locator(f"#variant-show-{va}").get_attribute("aria-pressed") == "true"
        _click(page, f"#variant-show-{vb}")
        s = _wait_state(page, f"s.left && s.left.id === {vb} && s.left.ready")
        assert s["left"]["blocks"] == 2 and s["left"]["source"] == "blocks"
        assert "B: two wings" in page.locator("#variant-shown").inner_text()
        # the action bar at the top of the panel says what is on screen
        bar = page.locator("#bar-variant")
        assert bar.inner_text() == "Showing: B: two wings — Lower, stepped"

        # a comment on B: the form is about the variant shown until the person picks
        assert page.locator("#comment-variant").input_value() == str(vb)
        assert page.get_by_label("About", exact=True).input_value() == str(vb)
        page.locator("#comment-body-new").fill("The two wings keep the light on the yard.")
        _click(page, "form.comment-form button[type=submit]")
        posted = page.locator(".comment", has_text="The two wings keep the light")
        assert "· on variant B: two wings" in posted.locator(".meta").inner_text()
        for width, height in ((1280, 720), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            posted.evaluate(BELOW_HEAD_JS)
            screenshot(page, f"variants_comment_en_{width}")
        page.set_viewport_size({"width": 1280, "height": 720})

        # the wings where they were drawn: seen from straight above, the west half and the
        # south-east quarter are the model, the north-east quarter is not (a model read with the
        # wrong axes stood turned by 90 degrees)
        quarters = {
            "west, south": (x + 0.25 * d, lat + 0.25 * d),
            "west, north": (x + 0.25 * d, lat + 0.75 * d),
            "south-east": (x + 0.75 * d, lat + 0.25 * d),
            "north-east": (x + 0.75 * d, lat + 0.75 * d),
        }
        hits = _look_down_and_pick(page, quarters, (x + d / 2, lat + d / 2))
        assert hits == {
            "west, south": True,
            "west, north": True,
            "south-east": True,
            "north-east": False,
        }, hits

        # C, an uploaded glb: drawn where it was placed, the box and not the site's corner
        _click(page, f"#variant-show-{vc}")
        s = _wait_state(page, f"s.left && s.left.id === {vc} && s.left.ready")
        assert s["left"]["source"] == "model" and s["left"]["blocks"] == 0
        assert bar.inner_text() == "Showing: C: one block — The architect's model"
        hits = _look_down_and_pick(
            page,
            {"centre": (x + d / 2, lat + d / 2), "corner": (x + 0.05 * d, lat + 0.05 * d)},
            (x + d / 2, lat + d / 2),
        )
        assert hits == {"centre": True, "corner": False}, hits

        # side by side: A on the left, B on the right, one scene, one camera
        page.locator("#variant-compare-left").select_option(str(va))
        page.locator("#variant-compare-right").select_option(str(vb))
        _click(page, "#variant-compare-open")
        s = _wait_state(
            page,
            f"s.left && s.right && s.left.id === {va} && s.right.id === {vb}"
            " && s.left.ready && s.right.ready",
        )
        divider = page.get_by_role("slider")
        divider.wait_for()
        start = s["split"]
        assert 0.05 <= start <= 0.95
        text = divider.get_attribute("aria-valuetext") or ""
        assert "A: one tower" in text and "B: two wings" in text, text
        divider.focus()
        page.keyboard.press("ArrowRight")
        s = page.evaluate(STATE_JS)
        assert s["split"] == pytest.approx(min(start + 0.02, 0.95), abs=1e-6)
        assert divider.get_attribute("aria-valuenow") == str(round(s["split"] * 100))
        page.keyboard.press("Home")
        assert page.evaluate(STATE_JS)["split"] == pytest.approx(0.05, abs=1e-6)
        page.keyboard.press("PageUp")
        page.keyboard.press("PageUp")
        page.keyboard.press("PageUp")
        assert page.evaluate(STATE_JS)["split"] == pytest.approx(0.35, abs=1e-6)
        for width, height in ((1280, 720), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.locator(".variant-3d").evaluate(BELOW_HEAD_JS)
            screenshot(page, f"variants_split_en_{width}")
        assert run_axe(page) == []

        # back to the scheme's own massing, then out of the proposal: nothing of the variants stays
        page.set_viewport_size({"width": 1280, "height": 720})
        assert bar.inner_text() == "Showing: A: one tower | B: two wings"
        _click(page, "#variant-show-own")
        _wait_state(page, "!s.left && !s.right")
        assert page.get_by_role("slider").count() == 0 or not divider.is_visible()
        assert bar.count() == 0  # the scheme's own massing: the bar names no variant

        # in Italian: the bar and the comment's variant in the page's language
        _click(page, f"#variant-show-{vb}")
        _wait_state(page, f"s.left && s.left.id === {vb} && s.left.ready")
        page.get_by_label("Language").select_option("it")
        assert bar.inner_text() == "In vista: B: two wings — Lower, stepped"
        assert "· sulla variante B: two wings" in posted.locator(".meta").inner_text()
        for width, height in ((1280, 720), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            posted.evaluate(BELOW_HEAD_JS)
            screenshot(page, f"variants_comment_it_{width}")
        page.set_viewport_size({"width": 1280, "height": 720})
        page.get_by_label("Lingua").select_option("en")
        _click(page, f"#variant-show-{va}")
        _wait_state(page, f"s.left && s.left.id === {va}")
        page.locator("#proposal-back").click()
        page.locator(".cards .card").first.wait_for()
        _wait_state(page, "!s.left && !s.right")
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()
