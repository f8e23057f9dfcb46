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

Panel interactions (``--panels``): the e2e live server's content (the London city, its people, a
scheme in consultation with comments and a work package) on the real backend, the whole page
with the 3D view at ``/`` (no test mode: the app must find the software renderer and switch to its
light mode by itself, which is checked and reported). Each action is a click on a panel control,
timed in the page from just before the click to the first animation frame after the DOM shows its
result (so a busy 3D view delays it): open a proposal from the list, switch to the Opportunities
tab, switch back, go back to the list; then the Account tab, its account type SME and back to
citizen, and the Proposals tab again. One second of quiet after each action, as a person would
pause. ``--before REV`` also builds the frontend of git revision REV and serves it from a
second server of the same app over the same database and tiles (at its root, as the builds
resolve the city's files against the page): both builds alternate in the same run. Each page
load reports whether the city's tileset.json and tiles answered 200, so a build that shows no
city cannot pass for a fast one. ``--after REV``
serves REV's build instead of ``dist/`` (both from git: nothing uncommitted in either).

    .venv/bin/python bench/bench_frontend.py --panels --runs 3 --rounds 4 --before 8b7cbb1 --after HEAD
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import os
import shutil
import statistics
import subprocess
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


# --- panel interactions ---------------------------------------------------------------------

#: (name, selector clicked, selector whose presence shows the result)
ACTIONS = [
    ("open a proposal", ".cards .card", "#proposal-h"),
    ("switch tab", "#tab-opportunities", "#tabpanel-opportunities"),
    ("switch back", "#tab-proposals", "#proposal-h"),
    ("go back", "#proposal-back", ".cards .card"),
    # the account panel (issue 11 port): open it, switch the account type there and back
    ("account tab", "#tab-account", "#signin-email"),
    ("account type SME", "#register-type-sme", "#register-org"),
    (
        "account type citizen",
        "#register-type-citizen",
        "form[aria-labelledby=register-h]:not(:has(#register-org))",
    ),
    ("proposals tab", "#tab-proposals", ".cards .card"),
]

#: click, wait for the selector, then for the next animation frame; milliseconds since the click
CLICK_JS = """async ([click, done]) => {
  const el = document.querySelector(click)
  if (!el) throw new Error('nothing to click: ' + click)
  const t0 = performance.now()
  el.click()
  await new Promise((resolve) => {
    if (document.querySelector(done)) return resolve()
    const obs = new MutationObserver(() => {
      if (document.querySelector(done)) { obs.disconnect(); resolve() }
    })
    obs.observe(document.body, { childList: true, subtree: true, attributes: true })
  })
  await new Promise((r) => requestAnimationFrame(() => r()))
  return performance.now() - t0
}"""


def build_revision(rev: str, out: Path) -> Path:
    """The frontend of git revision ``rev`` built into ``out`` (sources from git, packages shared)."""
    src = out.parent / f"src-{out.name}-{rev}"
    src.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", rev, "frontend"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
    front = src / "frontend"
    (front / "node_modules").symlink_to(e2e.FRONTEND / "node_modules")
    vite = e2e.FRONTEND / "node_modules" / ".bin" / "vite"
    subprocess.run(
        [str(vite), "build", "--outDir", str(out), "--emptyOutDir"],
        cwd=front,
        check=True,
        capture_output=True,
    )
    return out


def serve_seeded(tmp: Path, before: str | None, after: str | None):
    """The e2e live server's content (London, its people, a scheme in consultation with comments
    and a work package), serving dist/ (or REV's build). With ``before``, a second server of the
    same app over the same database and tiles serves REV's build, also at its root: the builds
    resolve the city's tiles, ground and cesium/ against the page, so a build served under a
    sub-path of the other server would load no city at all. Yields ({"after"|"before": base
    URL}, building count)."""
    from backend.main import create_app
    from tests.services import live_server

    frontend = tmp / "frontend"
    if after:
        build_revision(after, frontend)
    else:
        shutil.copytree(e2e.DIST, frontend)
    tiles_dir = tmp / "tiles"
    folder = e2e.build_london(tiles_dir)
    db_url, settings = e2e.app_settings(tmp, "civictwin.sqlite", tiles_dir)
    count = e2e.load_buildings(db_url, folder)
    with contextlib.ExitStack() as stack:
        urls = {}
        url = stack.enter_context(
            live_server(create_app(settings.model_copy(update={"frontend_dir": frontend})))
        )
        urls["after"] = url
        server = e2e.LiveServer(url=url, tiles_dir=tiles_dir, db_url=db_url)
        e2e.DB_URLS[url] = db_url
        e2e.seed(server)
        if before:
            old = build_revision(before, tmp / "frontend-before")
            urls["before"] = stack.enter_context(
                live_server(create_app(settings.model_copy(update={"frontend_dir": old})))
            )
        yield urls, count


def measure_panels(
    browser, url: str, rounds: int
) -> tuple[dict[str, list[float]], bool, tuple[int, int]]:
    """One page load, then ``rounds`` times each action; returns the times, the light mode and
    the city's tile answers (tileset.json and .glb responses with status 200, and others)."""
    ctx = browser.new_context(viewport=e2e.VIEWPORT, locale="en-GB")
    tiles = [0, 0]

    def seen(response) -> None:
        if "/tiles/" in response.url and response.url.endswith((".json", ".glb")):
            tiles[0 if response.status == 200 else 1] += 1

    try:
        page = ctx.new_page()
        page.on("response", seen)
        page.set_default_timeout(180_000)
        page.goto(url)
        page.wait_for_selector(".cards .card")
        page.wait_for_selector(".map canvas")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(2000)
        light = bool(page.evaluate("document.documentElement.classList.contains('light-mode')"))
        times: dict[str, list[float]] = {name: [] for name, _, _ in ACTIONS}
        for _ in range(rounds):
            for name, click, done in ACTIONS:
                times[name].append(float(page.evaluate(CLICK_JS, [click, done])))
                page.wait_for_timeout(1000)
        return times, light, (tiles[0], tiles[1])
    finally:
        ctx.close()


def main_panels(args: argparse.Namespace) -> None:
    if not args.after:
        e2e.ensure_built()
    from playwright.sync_api import sync_playwright

    variants = {f"after ({args.after or 'dist/'})": "after"}
    if args.before:
        variants = {f"before ({args.before})": "before", **variants}
    results = {v: {name: [] for name, _, _ in ACTIONS} for v in variants}
    lights: dict[str, set[bool]] = {v: set() for v in variants}
    answers: dict[str, list[tuple[int, int]]] = {v: [] for v in variants}
    loads: list[float] = []
    with tempfile.TemporaryDirectory() as tmp_s:
        served = contextlib.contextmanager(serve_seeded)(Path(tmp_s), args.before, args.after)
        with served as (bases, count), sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(e2e.CHROMIUM), headless=True, args=e2e.CHROMIUM_ARGS
            )
            for _ in range(args.runs):
                for variant, path in variants.items():
                    loads.append(os.getloadavg()[0])
                    times, light, tiles = measure_panels(browser, f"{bases[path]}/", args.rounds)
                    lights[variant].add(light)
                    answers[variant].append(tiles)
                    for name, v in times.items():
                        results[variant][name].extend(v)
                    loads.append(os.getloadavg()[0])
            browser.close()
    vp = e2e.VIEWPORT
    print(
        f"data: London ({count} buildings), the e2e seed (one scheme in consultation, comments, "
        f"a work package); {vp['width']}x{vp['height']}; "
        f"runs {args.runs} x rounds {args.rounds} per build; "
        f"load average (1 min) {min(loads):.1f}-{max(loads):.1f}, median {statistics.median(loads):.1f}"
    )
    for variant in variants:
        print(f"light mode switched on by itself ({variant}): {sorted(lights[variant])}")
        print(f"city tiles answered per page load ({variant}, 200 / other): {answers[variant]}")
    print("| action | build | median ms | min ms | max ms | n |")
    print("|---|---|---|---|---|---|")
    for name, _, _ in ACTIONS:
        for variant in variants:
            v = results[variant][name]
            print(
                f"| {name} | {variant} | {statistics.median(v):.0f} | {min(v):.0f} | {max(v):.0f} | {len(v)} |"
            )
    for variant in variants:
        allv = [x for v in results[variant].values() for x in v]
        print(f"all actions, {variant}: median {statistics.median(allv):.0f} ms, n {len(allv)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--panels", action="store_true", help="time panel interactions")
    parser.add_argument("--rounds", type=int, default=4, help="--panels: rounds per page load")
    parser.add_argument("--before", help="--panels: also serve this git revision's build")
    parser.add_argument("--after", help="--panels: serve this git revision's build, not dist/")
    args = parser.parse_args()
    if args.panels:
        main_panels(args)
        return
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
