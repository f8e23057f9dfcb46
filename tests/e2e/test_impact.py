"""A planner's scheme is studied in the background; the proposal page's Impact section shows the
summary in words and the colours in 3D; after the planner raises the block, both update."""

from __future__ import annotations

import math
import time
from typing import Any

import pytest

from tests.e2e.conftest import (
    glb_box,
    new_page,
    open_app,
    rect,
    run_axe,
    settle,
    wait_for_city,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# an open corner of Smithfield: a small block keeps the study small (the full city is the bench's)
SITE = rect(-0.1010, 51.5192, -0.1004, 51.5196)
BLOCK = rect(-0.1009, 51.5193, -0.1005, 51.5195)


def _massing(height_m: float) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": BLOCK},
                "properties": {"height_m": height_m, "name": "Block A"},
            }
        ],
    }


def _study(api: Any, pid: int, timeout_s: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        status = api.call("GET", f"/api/v1/proposals/{pid}/impact")
        job = status["job"]
        if job and job["status"] == "done" and status["result"]["current"]:
            return status
        assert job and job["status"] in ("queued", "running"), job
        assert time.monotonic() < deadline, job
        time.sleep(1)


_POINTS_JS = """() => {
    if (!window.__civictwin || !window.__civictwin.viewer) return []
    const prims = window.__civictwin.viewer.scene.primitives
    for (let i = 0; i < prims.length; i++) {
        const p = prims.get(i)
        if (p && typeof p.length === 'number' && p.length && p.get(0).pixelSize !== undefined
            && p.get(0).id && p.get(0).id.tag === 'impact-point') {
            const colours = []
            for (let j = 0; j < p.length; j++) {
                const c = p.get(j).color
                colours.push([p.get(j).id.index, Math.round(c.red * 255), Math.round(c.green * 255)])
            }
            return colours
        }
    }
    return []
}"""


# the zone's polygons as drawn: the entities of the 'impact-zone' data source, with the band
# in their name and no height of their own (so Cesium clamps them to the ground)
_ZONE_JS = """() => {
    const v = window.__civictwin && window.__civictwin.viewer
    if (!v) return null
    const ds = v.dataSources.getByName('impact-zone')[0]
    if (!ds) return null
    return ds.entities.values.map((e) => ({
        name: e.name,
        clamped: e.polygon.height === undefined && e.polygon.extrudedHeight === undefined,
        rings: e.polygon.hierarchy.getValue().positions.length,
    }))
}"""


def test_raising_a_block_updates_the_impact_summary_and_colours(browser, live_server) -> None:
    api = live_server.api("planner")
    proposal = api.call(
        "POST",
        "/api/v1/proposals",
        json={
            "reference": "E2E/IMPACT",
            "title": "Smithfield corner (impact)",
            "site_boundary": {"type": "Polygon", "coordinates": SITE},
        },
    )
    pid = proposal["id"]
    api.call("PUT", f"/api/v1/proposals/{pid}/massing", json=_massing(12.0))
    api.call("POST", f"/api/v1/proposals/{pid}/publish")
    low = _study(api, pid)
    low_points = api.call(
        "GET", f"/api/v1/proposals/{pid}/impact/points", params={"analysis": "vsc"}
    )

    page = new_page(browser, live_server, "citizen")
    try:
        open_app(page, live_server, hash_=f"#proposal={pid}")
        section = page.locator("#proposal-impact")
        summary = section.locator("#impact-summary li").first
        summary.wait_for()
        vsc = low["result"]["facts"][0]
        text = summary.inner_text()
        assert f"{vsc['failing']} of {vsc['points']} façade points" in text, text
        assert "daylight (VSC) test" in text
        assert section.get_by_text("BRE 209 threshold: 27 %").is_visible()
        page.wait_for_function(f"() => ({_POINTS_JS})().length === {len(low_points['features'])}")
        before = {i: (r, g) for i, r, g in page.evaluate(_POINTS_JS)}
        assert len(before) == len(low_points["features"]) > 0
        assert not run_axe(page), "axe: serious/critical violations on the Impact section"

        # a point's values, from the keyboard list
        section.locator(".impact-worst button").first.click()
        section.locator("#impact-point dl").wait_for()
        assert "After" in section.locator("#impact-point").inner_text()

        # the planner raises the block to 40 m: a new study runs; the page shows its results
        api.call("PUT", f"/api/v1/proposals/{pid}/massing", json=_massing(40.0))
        high = _study(api, pid)
        assert high["job"]["id"] != low["job"]["id"]
        high_points = api.call(
            "GET", f"/api/v1/proposals/{pid}/impact/points", params={"analysis": "vsc"}
        )
        page.reload()
        wait_for_city(page)
        section = page.locator("#proposal-impact")
        hv = high["result"]["facts"][0]
        section.locator("#impact-summary li").first.wait_for()
        page.wait_for_function(
            f"() => document.querySelector('#impact-summary li').textContent"
            f".includes('{hv['failing']} of {hv['points']} façade points')"
        )
        page.wait_for_function(f"() => ({_POINTS_JS})().length === {len(high_points['features'])}")
        settle(page)
        after = {i: (r, g) for i, r, g in page.evaluate(_POINTS_JS)}
        # a taller block: a wider study (more façade points) and at least one point redder
        assert len(after) > len(before)
        lost = [
            f["id"]
            for f in high_points["features"]
            if f["properties"]["difference"] < -5 and f["properties"]["after"] < 27
        ]
        assert lost, "a 40 m block should take daylight from some neighbour"
        assert all(after[i][0] > after[i][1] for i in lost)  # below 27 %: red over green

        # the zone of theoretical visibility: areas in the page, polygons on the ground when asked
        zone = api.call("GET", f"/api/v1/proposals/{pid}/impact/zone")["features"]
        parts = [
            (f["properties"]["share_seen_above"], len(poly[0]))
            for f in zone
            for poly in f["geometry"]["coordinates"]
        ]
        assert parts, "a 40 m block should be seen from some open ground around it"
        rows = section.locator("#impact-zone tbody tr")
        rows.first.wait_for()
        assert rows.count() == len(zone) == 3
        assert "m²" in rows.first.inner_text()
        assert page.evaluate(_ZONE_JS) == []  # not drawn until asked
        section.get_by_label("Show the zone on the ground in 3D").check()
        page.wait_for_function(f"() => ({_ZONE_JS})().length === {len(parts)}")
        drawn = page.evaluate(_ZONE_JS)
        assert all(d["clamped"] for d in drawn)
        # each band's polygons, in order, with the API's outer rings
        assert [(float(d["name"].split("> ")[1]), d["rings"]) for d in drawn] == parts
        section.get_by_label("Show the zone on the ground in 3D").uncheck()
        page.wait_for_function(f"() => ({_ZONE_JS})().length === 0")
    finally:
        page.context.close()


_OUTLINE_JS = """() => {
    const v = window.__civictwin && window.__civictwin.viewer
    const ds = v && v.dataSources.getByName('impact-outline')[0]
    if (!ds) return null
    return ds.entities.values.map((e) => e.polyline.positions.getValue().length)
}"""

_CAMERA_JS = """() => {
    const c = window.__civictwin.viewer.camera
    const p = c.positionCartographic
    return [p.longitude * 180 / Math.PI, p.latitude * 180 / Math.PI, p.height,
            c.heading * 180 / Math.PI, c.pitch * 180 / Math.PI]
}"""


def test_a_protected_view_opens_as_a_camera_with_the_scheme_outlined(browser, live_server) -> None:
    api = live_server.api("planner")
    pid = api.call(
        "POST",
        "/api/v1/proposals",
        json={
            "reference": "E2E/IMPACT-VIEW",
            "title": "Smithfield corner (view)",
            "site_boundary": {"type": "Polygon", "coordinates": SITE},
            "tileset": "london",  # the open corner replaces no building that would place it
        },
    )["id"]
    api.call("PUT", f"/api/v1/proposals/{pid}/massing", json=_massing(12.0))
    # a view from 150 m south, at eye height, towards the block's middle
    eye, target = [-0.1007, 51.51805, 1.6], [-0.1007, 51.5194, 6.0]
    api.call(
        "POST",
        f"/api/v1/proposals/{pid}/impact/viewpoints",
        json={"name": "From Charterhouse Street", "eye": eye, "target": target},
    )
    page = new_page(browser, live_server, "planner")
    try:
        open_app(page, live_server, hash_=f"#proposal={pid}")
        views = page.locator("#impact-views")
        button = views.get_by_role("button", name="Look along this view: From Charterhouse Street")
        button.wait_for()
        assert button.get_attribute("aria-pressed") == "false"
        assert page.evaluate(_OUTLINE_JS) == []
        button.click()
        # the camera at the eye, facing the target (due north, looking slightly up)
        deadline = time.monotonic() + 30
        while True:
            lon, lat, height, heading, pitch = page.evaluate(_CAMERA_JS)
            if abs(lon - eye[0]) < 1e-5 and abs(lat - eye[1]) < 1e-5 and abs(height - eye[2]) < 0.5:
                break
            assert time.monotonic() < deadline, (lon, lat, height, heading, pitch)
            time.sleep(0.5)
        assert min(heading, 360 - heading) < 1.0 and 0 < pitch < 5, (heading, pitch)
        # the block outlined: its ring at the base and at the top (5 points, closed) and an edge
        # up each of its 4 corners
        deadline = time.monotonic() + 20
        while len(page.evaluate(_OUTLINE_JS) or []) != 6:
            assert time.monotonic() < deadline, page.evaluate(_OUTLINE_JS)
            time.sleep(0.5)
        assert sorted(page.evaluate(_OUTLINE_JS)) == [2, 2, 2, 2, 5, 5]
        assert button.get_attribute("aria-pressed") == "true"
        assert views.get_by_role("status").inner_text().startswith("Looking along the view")
        views.get_by_role("button", name="Remove the outline").click()
        page.wait_for_function(f"() => ({_OUTLINE_JS})().length === 0")
        assert button.get_attribute("aria-pressed") == "false"
    finally:
        page.context.close()


_MODEL_OUTLINE_JS = """() => {
    const v = window.__civictwin && window.__civictwin.viewer
    if (!v) return null
    const ell = v.scene.globe.ellipsoid
    const deg = (c) => {
        const g = ell.cartesianToCartographic(c)
        return [g.longitude * 180 / Math.PI, g.latitude * 180 / Math.PI, g.height]
    }
    const rings = {}
    const ds = v.dataSources.getByName('impact-outline')[0]
    for (const e of ds ? ds.entities.values : []) {
        const m = /^outline (\\d+) ring 0 (base|top)$/.exec(e.name || '')
        if (m) (rings[m[1]] = rings[m[1]] || {})[m[2]] = e.polyline.positions.getValue().map(deg)
    }
    const models = []
    const walk = (c) => {
        for (let i = 0; i < c.length; i++) {
            const p = c.get(i)
            if (p && typeof p.get === 'function' && typeof p.length === 'number') walk(p)
            else if (p && p.id && p.id.model && p.ready) {
                models.push([...deg(p.boundingSphere.center), p.boundingSphere.radius])
            }
        }
    }
    walk(v.scene.primitives)
    return { rings, models }
}"""


def test_looking_along_a_view_outlines_a_placed_glb_model_where_cesium_draws_it(
    browser, live_server
) -> None:
    api = live_server.api("planner")
    pid = api.call(
        "POST",
        "/api/v1/proposals",
        json={
            "reference": "E2E/IMPACT-VIEW-GLB",
            "title": "Smithfield corner (view, model)",
            "site_boundary": {"type": "Polygon", "coordinates": SITE},
            "tileset": "london",
        },
    )["id"]
    api.call("PUT", f"/api/v1/proposals/{pid}/massing", json=_massing(12.0))
    # a box 8 m along glTF x, 18 m up, 24 m along glTF z, its corner (not its centre) on the
    # placement: east of the block, turned 30 degrees, scaled 1.5
    at = {"lon": -0.10015, "lat": 51.51935, "height_m": 20.0, "heading_deg": 30.0, "scale": 1.5}
    put = api.client.put(
        f"/api/v1/proposals/{pid}/model",
        params=at,
        content=glb_box((0.0, 0.0, 0.0), (8.0, 18.0, 24.0)),
        headers={"X-CSRF-Token": api.csrf, "Content-Type": "model/gltf-binary"},
    )
    assert put.status_code == 200, put.text
    eye, target = [-0.1007, 51.51805, 1.6], [-0.1007, 51.5194, 6.0]
    api.call(
        "POST",
        f"/api/v1/proposals/{pid}/impact/viewpoints",
        json={"name": "From Charterhouse Street", "eye": eye, "target": target},
    )
    page = new_page(browser, live_server, "planner")
    try:
        open_app(page, live_server, hash_=f"#proposal={pid}")
        views = page.locator("#impact-views")
        button = views.get_by_role("button", name="Look along this view: From Charterhouse Street")
        button.wait_for()
        button.click()
        # the massing block (6 lines) and the model's box (6 more): rings at base and top, an
        # edge up each corner
        deadline = time.monotonic() + 30
        while sorted(page.evaluate(_OUTLINE_JS) or []) != [2] * 8 + [5] * 4:
            assert time.monotonic() < deadline, page.evaluate(_OUTLINE_JS)
            time.sleep(0.5)
        deadline = time.monotonic() + 30
        while not (page.evaluate(_MODEL_OUTLINE_JS) or {}).get("models"):
            assert time.monotonic() < deadline, "the model was never drawn"
            time.sleep(0.5)
        found = page.evaluate(_MODEL_OUTLINE_JS)
        assert len(found["models"]) == 1
        lon, lat, height, radius = found["models"][0]
        box = found["rings"]["1"]  # block 0 is the massing, 1 the model
        base, top = box["base"], box["top"]
        assert len(base) == len(top) == 5
        # the outline's box is the box Cesium draws: the same centre (to half a metre), the same
        # half-diagonal (1.5 x half of sqrt(8^2 + 18^2 + 24^2) = 23.3 m)
        m_lon = 111_320.0 * math.cos(math.radians(lat))
        clon = sum(p[0] for p in base[:4]) / 4
        clat = sum(p[1] for p in base[:4]) / 4
        assert abs((clon - lon) * m_lon) < 0.5 and abs((clat - lat) * 111_250.0) < 0.5
        assert abs((base[0][2] + top[0][2]) / 2 - height) < 0.5
        assert abs(base[0][2] - 20.0) < 0.01 and abs(top[0][2] - (20.0 + 1.5 * 18.0)) < 0.01
        east, north = (base[0][0] - base[2][0]) * m_lon, (base[0][1] - base[2][1]) * 111_250.0
        diagonal = math.sqrt(east**2 + north**2 + (top[0][2] - base[0][2]) ** 2)
        assert abs(diagonal / 2 - radius) < 0.5 and abs(radius - 1.5 * math.sqrt(964) / 2) < 0.5
        # the box stands off its origin (19 m away, turned): had the outline taken glTF x as
        # east instead of north, its centre would be 17 m from the sphere's
        assert math.hypot((clon - at["lon"]) * m_lon, (clat - at["lat"]) * 111_250.0) > 15
        views.get_by_role("button", name="Remove the outline").click()
        page.wait_for_function(f"() => ({_OUTLINE_JS})().length === 0")
    finally:
        page.context.close()
