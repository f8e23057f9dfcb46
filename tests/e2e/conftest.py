"""Browser fixtures: a static server for frontend/dist + a tiny tileset, and Chromium pages.

`live_server` is deliberately small and local to this folder so the lead's shared fixture (a real
backend serving the same paths) can replace it: it only has to provide `.url`.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.tileset_fixture import write_tileset

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
DIST = FRONTEND / "dist"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]
VIEWPORT = {"width": 640, "height": 360}
AXE_JS = FRONTEND / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = pytest.mark.browser


def ensure_built() -> None:
    """Build the frontend once if `dist/` is missing (the Makefile normally has built it)."""
    if (DIST / "index.html").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("frontend/dist is missing and npm is not installed")
    if not (FRONTEND / "node_modules").exists():
        subprocess.run([npm, "ci"], cwd=FRONTEND, check=True)
    subprocess.run([npm, "run", "build"], cwd=FRONTEND, check=True)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves `/` from dist and `/tiles/london/` from the fixture tileset; nothing else."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
        ".glb": "model/gltf-binary",
        ".json": "application/json",
    }

    def __init__(self, *args, dist: Path, tiles: Path, extra: dict[str, Path], **kwargs):
        self.dist, self.tiles, self.extra = dist, tiles, extra
        super().__init__(*args, directory=str(dist), **kwargs)

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        for prefix, folder in {"/tiles/": self.tiles, **self.extra}.items():
            if clean.startswith(prefix):
                rel = clean[len(prefix):]
                target = (folder / rel).resolve()
                return str(target) if target.is_relative_to(folder.resolve()) else str(folder / "__none__")
        if clean.startswith("/api/"):
            return str(self.dist / "__no_api__")  # no backend in this phase: 404
        return super().translate_path(path)

    def log_message(self, format: str, *args) -> None:  # quiet test output
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # the browser cancels requests it no longer needs (tiles out of view): not an error
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@dataclass
class LiveServer:
    url: str
    tiles_dir: Path


def start_static_server(tiles_root: Path, extra: dict[str, Path] | None = None) -> tuple[_QuietServer, str]:
    handler = functools.partial(_Handler, dist=DIST, tiles=tiles_root, extra=extra or {})
    server = _QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    ensure_built()
    tiles_root = tmp_path_factory.mktemp("tiles")
    write_tileset(tiles_root / "london")
    server, url = start_static_server(tiles_root)
    try:
        yield LiveServer(url=url, tiles_dir=tiles_root)
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("system Chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    p = context.new_page()
    p.set_default_timeout(60_000)
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.js_errors = errors  # type: ignore[attr-defined]
    yield p


def wait_for_city(page, timeout_ms: int = 120_000) -> None:
    """Wait for the test hook, then for the city tileset's first `allTilesLoaded`."""
    page.wait_for_function("() => window.__civictwin && window.__civictwin.ready", timeout=timeout_ms)
    page.evaluate(
        """(ms) => Promise.race([
            window.__civictwin.ready,
            new Promise((_, reject) => setTimeout(() => reject(new Error('tileset not loaded in time')), ms)),
        ])""",
        timeout_ms,
    )


def settle(page) -> None:
    """Render once more and wait two frames so screenshots show the latest state."""
    page.evaluate(
        """() => new Promise((resolve) => {
            const v = window.__civictwin && window.__civictwin.viewer
            if (v) v.scene.requestRender()
            requestAnimationFrame(() => requestAnimationFrame(resolve))
        })"""
    )


def run_axe(page) -> list[dict]:
    """Inject axe-core from node_modules and return serious/critical WCAG A/AA violations."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} missing: run npm ci in frontend/")
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """() => axe.run(document, {
            runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
        })"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
