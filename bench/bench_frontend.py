"""Frontend benchmark: time to the London city fully loaded, next to bare Cesium, and JS sizes.

Against the real backend (the same live server the e2e tests use: a migrated SpatiaLite database,
the London tileset built from `data/london-city/london.osm.pbf` by `tiles.pipeline.run` and its
buildings loaded), in headless system Chromium at 640x360 (SwiftShader WebGL), alternating:
  * app      - `/?test=1`: navigation start -> the city tileset's first `allTilesLoaded`
               (`window.__civictwin.ready`); the app also fetches its config, the tileset list,
               the session and the proposals from the API on the way
  * globe    - a page with only the bare Cesium globe (same offline imagery, msaa 1, no
               atmosphere) -> `globe.tilesLoaded`
  * cesium+tileset - the bare page plus the same tileset -> `allTilesLoaded` (what Cesium alone
               needs for the same picture; the app's own overhead is app minus this)
The bare pages use the prebuilt `Cesium.js` from the cesium package, so they are not our code.
Sizes: gzip of `frontend/dist/assets/*.js`, the Cesium chunk apart from the app's own code.

    .venv/bin/python bench/bench_frontend.py [--runs 5]
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e import conftest as e2e  # noqa: E402

BARE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bare Cesium</title>
<link rel="stylesheet" href="../cesium/Widgets/CesiumWidget/CesiumWidget.css">
<style>html,body,#c{margin:0;width:100%;height:100%}</style></head><body><div id="c"></div>
<script>window.CESIUM_BASE_URL = new URL('../cesium/', location.href).href</script>
<script src="Cesium.js"></script>
<script>
Cesium.Ion.defaultAccessToken = ''
const w = new Cesium.CesiumWidget('c', {
  baseLayer: Cesium.ImageryLayer.fromProviderAsync(
    Cesium.TileMapServiceImageryProvider.fromUrl(Cesium.buildModuleUrl('Assets/Textures/NaturalEarthII'))),
  terrainProvider: new Cesium.EllipsoidTerrainProvider(),
  msaaSamples: 1, skyBox: false, skyAtmosphere: false, scene3DOnly: true,
})
w.scene.fog.enabled = false
w.scene.globe.showGroundAtmosphere = false
const tilesetUrl = new URLSearchParams(location.search).get('tileset')
window.benchDone = new Promise(async (resolve) => {
  if (tilesetUrl) {
    const t = await Cesium.Cesium3DTileset.fromUrl(tilesetUrl)
    w.scene.primitives.add(t)
    const s = t.boundingSphere
    w.camera.viewBoundingSphere(s, new Cesium.HeadingPitchRange(Cesium.Math.toRadians(20),
      Cesium.Math.toRadians(-35), Math.max(s.radius * 2.2, 200)))
    w.camera.lookAtTransform(Cesium.Matrix4.IDENTITY)
    t.allTilesLoaded.addEventListener(() => resolve(performance.now()))
  } else {
    let frames = 0
    w.scene.postRender.addEventListener(() => {
      frames += 1
      if (frames > 2 && w.scene.globe.tilesLoaded) resolve(performance.now())
    })
  }
})
</script></body></html>
"""


def js_sizes() -> dict[str, int]:
    sizes = {"cesium": 0, "app": 0}
    for f in (e2e.DIST / "assets").glob("*.js"):
        key = "cesium" if f.name.startswith("cesium-") else "app"
        sizes[key] += len(gzip.compress(f.read_bytes(), 9))
    return sizes


def measure(browser, url: str, expr: str) -> float:
    ctx = browser.new_context(viewport=e2e.VIEWPORT)
    try:
        page = ctx.new_page()
        page.goto(url)
        page.wait_for_function(
            f"() => {{ try {{ return !!({expr}) }} catch {{ return false }} }}", timeout=180_000
        )
        return float(page.evaluate(f"async () => {{ await {expr}; return performance.now() }}"))
    finally:
        ctx.close()


def serve(tmp: Path):
    """The real backend with the London tileset, serving a copy of dist/ plus the bare pages."""
    from backend.db import migrate
    from backend.db.engine import create_db_engine
    from backend.main import create_app
    from backend.settings import Settings
    from tests.services import live_server

    frontend = tmp / "frontend"
    shutil.copytree(e2e.DIST, frontend)
    (frontend / "bench").mkdir()
    (frontend / "bench" / "index.html").write_text(BARE_PAGE)
    shutil.copy(
        e2e.FRONTEND / "node_modules" / "cesium" / "Build" / "Cesium" / "Cesium.js",
        frontend / "bench",
    )
    tiles_dir = tmp / "tiles"
    folder = e2e.build_london(tiles_dir)
    db_url = f"sqlite:///{tmp / 'civictwin.sqlite'}"
    engine = create_db_engine(db_url)
    migrate.upgrade(engine)
    engine.dispose()
    count = e2e.load_buildings(db_url, folder)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=db_url,
        tiles_dir=tiles_dir,
        uploads_dir=tmp / "uploads",
        frontend_dir=frontend,
    )
    return live_server(create_app(settings)), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    e2e.ensure_built()
    from playwright.sync_api import sync_playwright

    results: dict[str, list[float]] = {"app": [], "globe": [], "cesium+tileset": []}
    with tempfile.TemporaryDirectory() as tmp_s:
        server, count = serve(Path(tmp_s))
        with server as base, sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(e2e.CHROMIUM), headless=True, args=e2e.CHROMIUM_ARGS
            )
            tileset = "/tiles/london/tileset.json"
            for _ in range(args.runs):
                results["app"].append(
                    measure(browser, f"{base}/?test=1", "window.__civictwin.ready")
                )
                results["globe"].append(
                    measure(browser, f"{base}/bench/index.html", "window.benchDone")
                )
                results["cesium+tileset"].append(
                    measure(
                        browser, f"{base}/bench/index.html?tileset={tileset}", "window.benchDone"
                    )
                )
            browser.close()
    sizes = js_sizes()
    vp = e2e.VIEWPORT
    print(
        f"data: London, {count} buildings (tiles.pipeline from london.osm.pbf); runs: {args.runs}; {vp['width']}x{vp['height']}"
    )
    print("| page | median ms | min ms | max ms |")
    print("|---|---|---|---|")
    for k, v in results.items():
        print(f"| {k} | {statistics.median(v):.0f} | {min(v):.0f} | {max(v):.0f} |")
    ratio = statistics.median(results["app"]) / statistics.median(results["globe"])
    print(f"\napp / bare globe = {ratio:.2f}x (aim <= 2x)")
    print(
        f"JS gzip: app {sizes['app'] / 1024:.1f} KiB, Cesium chunk {sizes['cesium'] / 1024:.1f} KiB"
    )


if __name__ == "__main__":
    main()
