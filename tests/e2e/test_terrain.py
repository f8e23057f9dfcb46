"""A city built on a DEM (``tiles build --dem``): the viewer loads its quantized-mesh terrain
from the backend, offline and without errors, and the buildings stand on it."""

from __future__ import annotations

import numpy as np
import pytest

from tests.e2e.conftest import app_settings, screenshot, settle, wait_for_city, wait_for_globe
from tests.tiles.test_terrain_build import TO_LONLAT, X0, Y0, write_buildings, write_utm_dem

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def hill_server(tmp_path_factory):
    from backend.main import create_app
    from tests.services import live_server as serve
    from tiles.pipeline import BuildOptions, run

    root = tmp_path_factory.mktemp("terrain-e2e")
    dem = write_utm_dem(root / "hill.tif")
    buildings = write_buildings(root / "hill.geojson")
    result = run([buildings], root / "tiles", BuildOptions(name="hill", dem=str(dem)))
    lon, lat = TO_LONLAT.transform(X0 + 300.0, Y0 - 900.0)
    _db, settings = app_settings(root, "terrain.sqlite", root / "tiles")
    settings = settings.model_copy(
        update={
            "default_tileset": "hill",
            "home_lon": float(lon),
            "home_lat": float(lat),
            "home_height_m": 600.0,
        }
    )
    with serve(create_app(settings)) as url:
        yield url, result


def test_the_city_terrain_loads_offline_and_buildings_stand_on_it(browser, hill_server):
    url, result = hill_server
    ctx = browser.new_context(viewport={"width": 640, "height": 360}, locale="en-GB")
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if "terrain" in m.text.lower() else None)
    failed: list[str] = []
    page.on(
        "response",
        lambda r: failed.append(r.url) if r.status >= 400 and "/terrain/" in r.url else None,
    )
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    # from the south, low over the hill's foot, looking at its flank (heading 0, pitch -12)
    lon, lat = TO_LONLAT.transform(X0, Y0 - 1300.0)
    page.goto(f"{url}/?test=1#cam={lon:.6f},{lat:.6f},330.0,0.0,-12.0,0.0")
    wait_for_city(page)
    page.wait_for_function(
        # a quantized-mesh provider knows its tiles' availability; the ellipsoid has none
        "() => !!window.__civictwin.viewer.scene.terrainProvider.availability",
        timeout=60_000,
    )
    wait_for_globe(page)
    settle(page)
    # the ground the globe draws under every building's corners, against the corners' own height
    table = result.buildings
    corners = np.concatenate([np.asarray(g.exterior.coords)[:-1] for g in table.geometry])
    heights = page.evaluate(
        """async (points) => {
            const globe = window.__civictwin.viewer.scene.globe
            const out = []
            for (const [lon, lat] of points) {
                const c = { longitude: (lon * Math.PI) / 180, latitude: (lat * Math.PI) / 180, height: 0 }
                const h = globe.getHeight(c)
                out.push(h === undefined ? null : h)
            }
            return out
        }""",
        corners[:40].tolist(),
    )
    shot = screenshot(page, "terrain_hill")
    assert errors == [], errors[:5]
    assert failed == []
    outside = [
        u for u in requested if not u.startswith(url) and not u.startswith(("data:", "blob:"))
    ]
    assert outside == []
    assert any(u.endswith(".terrain") for u in requested)
    assert shot.stat().st_size > 0
    got = np.array([np.nan if h is None else h for h in heights], float)
    assert np.isfinite(got).sum() >= 20
    from tiles.terrain.dem import Dem

    expect = Dem.open(result.tileset_dir.parent.parent / "hill.tif").ellipsoidal(
        corners[:40, 0], corners[:40, 1]
    )
    ok = np.isfinite(got)
    assert np.abs(got[ok] - expect[ok]).max() < 1.0
    ctx.close()
