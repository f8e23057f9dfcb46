"""Frontend benchmark: time to the demo city fully loaded, next to bare Cesium, and JS sizes.

In one run, alternating, in headless system Chromium at 640x360 (SwiftShader WebGL):
  * app      - `/?test=1`: navigation start -> the city tileset's first `allTilesLoaded`
               (`window.__civictwin.ready`)
  * globe    - a page with only the bare Cesium globe (same offline imagery, msaa 1, no
               atmosphere) -> `globe.tilesLoaded`
  * cesium+tileset - the bare page plus the same tileset -> `allTilesLoaded` (what Cesium alone
               needs for the same picture; the app's own overhead is app minus this)
The bare pages use the prebuilt `Cesium.js` from the cesium package, so they are not our code.
Sizes: gzip of `frontend/dist/assets/*.js`, the Cesium chunk apart from the app's own code.

    .venv/bin/python bench/bench_frontend.py [--runs 5] [--input data.geojson | --tileset DIR]

Default data: `../shared/data/london-city/buildings.geojson`, built with `tiles.pipeline.run`.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, DIST, FRONTEND, VIEWPORT, ensure_built, start_static_server  # noqa: E402

DEMO = ROOT.parent / "shared" / "data" / "london-city" / "buildings.geojson"

BARE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bare Cesium</title>
<link rel="stylesheet" href="cesium/Widgets/CesiumWidget/CesiumWidget.css">
<style>html,body,#c{margin:0;width:100%;height:100%}</style></head><body><div id="c"></div>
<script>window.CESIUM_BASE_URL = new URL('cesium/', location.href).href</script>
<script src="cesium/Cesium.js"></script>
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


def build_tileset(args: argparse.Namespace, tmp: Path) -> tuple[Path, str]:
    if args.tileset:
        return Path(args.tileset).resolve(), f"given tileset {args.tileset}"
    src = Path(args.input) if args.input else DEMO
    if src.exists():
        from tiles.pipeline import BuildOptions, run

        run([str(src)], tmp / "tiles", BuildOptions(name="london"))
        return tmp / "tiles" / "london", f"{src.name} built with tiles.pipeline"
    from tests.e2e.tileset_fixture import write_tileset

    write_tileset(tmp / "tiles" / "london")
    return tmp / "tiles" / "london", "e2e fixture (9 boxes): demo data not found"


def js_sizes() -> dict[str, int]:
    sizes = {"cesium": 0, "app": 0}
    for f in (DIST / "assets").glob("*.js"):
        key = "cesium" if f.name.startswith("cesium-") else "app"
        sizes[key] += len(gzip.compress(f.read_bytes(), 9))
    return sizes


def measure(browser, url: str, expr: str) -> float:
    ctx = browser.new_context(viewport=VIEWPORT)
    try:
        page = ctx.new_page()
        page.goto(url)
        page.wait_for_function(f"() => {{ try {{ return !!({expr}) }} catch {{ return false }} }}", timeout=180_000)
        return float(page.evaluate(f"async () => {{ await {expr}; return performance.now() }}"))
    finally:
        ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--input", help="building footprints to tile as the demo city")
    group.add_argument("--tileset", help="a folder holding tileset.json")
    args = parser.parse_args()
    ensure_built()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        tileset_dir, data_note = build_tileset(args, tmp)
        bench_dir = tmp / "bench"
        bench_dir.mkdir()
        (bench_dir / "index.html").write_text(BARE_PAGE)
        cesium_build = FRONTEND / "node_modules" / "cesium" / "Build" / "Cesium"
        server, base = start_static_server(
            tileset_dir.parent, extra={"/bench/cesium/": cesium_build, "/bench/": bench_dir}
        )
        # the static server maps /tiles/<name>/ under tileset_dir.parent
        name = tileset_dir.name
        results: dict[str, list[float]] = {"app": [], "globe": [], "cesium+tileset": []}
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
                for _ in range(args.runs):
                    results["app"].append(measure(browser, f"{base}/?test=1&tileset=/tiles/{name}/tileset.json", "window.__civictwin.ready"))
                    results["globe"].append(measure(browser, f"{base}/bench/index.html", "window.benchDone"))
                    results["cesium+tileset"].append(
                        measure(browser, f"{base}/bench/index.html?tileset=/tiles/{name}/tileset.json", "window.benchDone")
                    )
                browser.close()
        finally:
            server.shutdown()
    sizes = js_sizes()
    print(f"data: {data_note}; runs: {args.runs}; viewport {VIEWPORT['width']}x{VIEWPORT['height']}")
    print("| page | median ms | min ms | max ms |")
    print("|---|---|---|---|")
    for k, v in results.items():
        print(f"| {k} | {statistics.median(v):.0f} | {min(v):.0f} | {max(v):.0f} |")
    ratio = statistics.median(results["app"]) / statistics.median(results["globe"])
    print(f"\napp / bare globe = {ratio:.2f}x (aim <= 2x)")
    print(f"JS gzip: app {sizes['app'] / 1024:.1f} KiB, Cesium chunk {sizes['cesium'] / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
