"""Browser tests against the real backend: a fresh migrated SpatiaLite database, the London
tileset built once per session by the tiles pipeline and its buildings loaded into the database,
the built frontend served by the app itself, all under a real uvicorn.

Seed data (users with roles, a proposal in consultation over an existing building, an
opportunity, a reported comment) goes in through the public API, as a planner would add it;
only the roles are written straight to the database, as an administrator's tool would.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
DIST = FRONTEND / "dist"
LONDON_PBF = ROOT / "data" / "london-city" / "london.osm.pbf"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = Path(os.environ.get("CIVICTWIN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]
VIEWPORT = {"width": 640, "height": 360}
AXE_JS = FRONTEND / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "e2e-password-123"

os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
pytestmark = pytest.mark.browser


# --- the frontend build ---------------------------------------------------------------------


def _newest_source_mtime() -> float:
    paths = [*(FRONTEND / "src").rglob("*"), FRONTEND / "index.html", FRONTEND / "vite.config.ts"]
    return max(p.stat().st_mtime for p in paths if p.is_file())


def ensure_built() -> None:
    """Build the frontend when `dist/` is missing or older than its sources."""
    index = DIST / "index.html"
    if index.exists() and index.stat().st_mtime >= _newest_source_mtime():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("frontend/dist is missing or stale and npm is not installed")
    if not (FRONTEND / "node_modules").exists():
        subprocess.run([npm, "ci"], cwd=FRONTEND, check=True)
    subprocess.run([npm, "run", "build"], cwd=FRONTEND, check=True, capture_output=True)


# --- the live backend -----------------------------------------------------------------------


def build_london(tiles_dir: Path) -> Path:
    """The London demo tileset, built by the tiles pipeline; returns its folder."""
    from tiles.pipeline import BuildOptions, run

    # with its ground layer (streets, water, squares and their names), as the demo builds it
    result = run([LONDON_PBF], tiles_dir, BuildOptions(name="london", ground=True))
    return Path(result.tileset_path).parent


@dataclass
class Account:
    email: str
    name: str
    id: int = 0


@dataclass
class LiveServer:
    """The running app and the records the tests start from."""

    url: str
    tiles_dir: Path
    db_url: str
    accounts: dict[str, Account] = field(default_factory=dict)
    seed: dict[str, Any] = field(default_factory=dict)

    def api(self, who: str | None = None) -> ApiSession:
        s = ApiSession(self.url)
        if who:
            s.login(self.accounts[who].email)
        return s


class ApiSession:
    """A cookie session on the API with the CSRF header on writes (like the browser)."""

    def __init__(self, base: str) -> None:
        self.client = httpx.Client(base_url=base, timeout=60)
        self.csrf = ""

    def login(self, email: str) -> dict[str, Any]:
        me = self.call("POST", "/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        self.csrf = me["csrf_token"]
        return me

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf} if method != "GET" and self.csrf else {}
        r = self.client.request(method, path, headers=headers, **kwargs)
        assert r.status_code < 400, f"{method} {path}: {r.status_code} {r.text}"
        return r.json() if r.content else None


def register(base: str, key: str, roles: tuple[str, ...] = (), org: str | None = None) -> Account:
    acc = Account(email=f"{key}@e2e.civictwin.test", name=f"{key.capitalize()} E2E")
    body: dict[str, Any] = {
        "email": acc.email,
        "password": PASSWORD,
        "display_name": acc.name,
        "accept_terms": True,
    }
    if org:
        body |= {"account_type": "sme", "organisation_name": org}
    r = httpx.post(f"{base}/api/v1/auth/register", json=body, timeout=60)
    assert r.status_code == 202, r.text
    # the person opens the link mailed to them: the address is confirmed (posting needs it)
    token = mailed_link_token(DB_URLS[base], acc.email, "verify")
    r = httpx.post(f"{base}/api/v1/auth/verify-email", json={"token": token}, timeout=60)
    assert r.status_code == 200, r.text
    acc.id = r.json()["id"]
    return acc


#: the database of each running test server, by its URL
DB_URLS: dict[str, str] = {}


def mailed_link_token(db_url: str, email: str, kind: str) -> str:
    """The token of the newest ``#<kind>=`` link in the outbox for ``email``."""
    from backend.db.engine import Database
    from tests.conftest import mailed_token

    db = Database.connect(db_url)
    try:
        return mailed_token(db, email, kind)
    finally:
        db.dispose()


def grant_roles(db_url: str, user_id: int, roles: tuple[str, ...]) -> None:
    from backend.db.engine import Database
    from backend.db.models import User, UserRole

    db = Database.connect(db_url)
    try:
        with db.sessions() as session:
            user = session.get(User, user_id)
            assert user is not None
            have = {r.role for r in user.roles}
            user.roles.extend(UserRole(role=r) for r in roles if r not in have)
            session.commit()
    finally:
        db.dispose()


def load_buildings(db_url: str, folder: Path) -> int:
    from backend.db.engine import Database
    from backend.services.buildings import load_tileset_folder

    db = Database.connect(db_url)
    try:
        with db.sessions() as session:
            return load_tileset_folder(session, folder).building_count
    finally:
        db.dispose()


def rect(w: float, s: float, e: float, n: float) -> list[list[list[float]]]:
    return [[[w, s], [e, s], [e, n], [w, n], [w, s]]]


def _pick_building(api: ApiSession, home: dict[str, float]) -> dict[str, Any]:
    """A mid-sized building near the home view: the one the scheme replaces."""
    d = 0.002
    bbox = f"{home['lon'] - d},{home['lat'] - d},{home['lon'] + d},{home['lat'] + d}"
    feats = api.call("GET", "/api/v1/buildings", params={"bbox": bbox, "limit": 200})["features"]
    assert feats, "no London buildings near the home view"

    def size(f: dict[str, Any]) -> float:
        xs, ys = zip(*outer_ring(f["geometry"]), strict=True)
        return (max(xs) - min(xs)) * (max(ys) - min(ys))

    solid = [f for f in feats if f["properties"]["height_m"] >= 8]
    solid.sort(key=size)
    return solid[len(solid) // 2]


def outer_ring(geometry: dict[str, Any]) -> list[list[float]]:
    c = geometry["coordinates"]
    return c[0][0] if geometry["type"] == "MultiPolygon" else c[0]


def seed(server: LiveServer) -> None:
    base = server.url
    acc = server.accounts
    acc["planner"] = register(base, "planner")
    acc["staff"] = register(base, "staff")
    acc["citizen"] = register(base, "citizen")
    acc["neighbour"] = register(base, "neighbour")
    acc["sme"] = register(base, "sme", org="Barbican Roofing E2E")
    grant_roles(server.db_url, acc["planner"].id, ("planner",))
    grant_roles(server.db_url, acc["staff"].id, ("planner", "moderator"))

    planner = server.api("planner")
    home = planner.call("GET", "/api/v1/config")["home"]
    building = _pick_building(planner, home)
    ring = outer_ring(building["geometry"])
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    pad = 0.00003
    w, s, e, n = min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad
    today = date.today()
    p = planner.call(
        "POST",
        "/api/v1/proposals",
        json={
            "reference": "E2E/0001",
            "title": "Lantern Court (test scheme)",
            "description": "A twelve-storey block replacing a low building.",
            "site_address": "Test site, London EC1",
            "site_boundary": {"type": "MultiPolygon", "coordinates": [rect(w, s, e, n)]},
            "consultation_start": str(today - timedelta(days=2)),
            "consultation_end": str(today + timedelta(days=20)),
            "dwellings": 48,
        },
    )
    mx, my = (w + e) / 2, (s + n) / 2
    dx, dy = (e - w) / 4, (n - s) / 4
    massing = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": rect(mx - dx, my - dy, mx + dx, my + dy),
                },
                "properties": {"name": "Block A", "height_m": 40.0, "storeys": 12},
            }
        ],
    }
    planner.call("PUT", f"/api/v1/proposals/{p['id']}/massing", json=massing)
    p = planner.call("POST", f"/api/v1/proposals/{p['id']}/publish")
    opp = planner.call(
        "POST",
        "/api/v1/opportunities",
        json={
            "proposal_id": p["id"],
            "title": "Green roof and rooftop solar",
            "description": "Supply and fit a green roof with solar panels.",
            "cpv_codes": ["45261215"],
            "value_min": 80000,
            "value_max": 120000,
            "currency": "GBP",
            "sme_suitable": True,
            "tender_end": str(today + timedelta(days=40)),
            "status": "planned",
            "delivery_location": {"type": "Point", "coordinates": [mx, my]},
        },
    )
    # a comment that two people report, for the moderation queue
    citizen = server.api("citizen")
    c = citizen.call(
        "POST",
        f"/api/v1/proposals/{p['id']}/comments",
        json={
            "body": "Buy cheap watches at example dot com",
            "sentiment": "neutral",
            "topics": ["other"],
        },
    )
    citizen.call(
        "POST",
        f"/api/v1/proposals/{p['id']}/comments",
        json={
            "body": "The block will shade the courtyard in winter.",
            "sentiment": "objection",
            "topics": ["light", "design"],
            "anchor": {"point": {"lon": mx, "lat": my, "height_m": 20.0}},
        },
    )
    server.api("neighbour").call(
        "POST", f"/api/v1/comments/{c['id']}/reports", json={"reason": "spam"}
    )
    server.seed |= {
        "proposal": server.api().call("GET", f"/api/v1/proposals/{p['id']}"),
        "opportunity": opp,
        "spam_comment": c,
        "building": building,
        "home": home,
    }


def app_settings(root: Path, db_name: str, tiles_dir: Path) -> tuple[str, Any]:
    """A freshly migrated SpatiaLite file under ``root`` and the settings of an app serving it
    with ``tiles_dir`` and the built frontend."""
    from backend.db import migrate
    from backend.db.engine import create_db_engine
    from backend.settings import Settings

    db_url = f"sqlite:///{root / db_name}"
    engine = create_db_engine(db_url)
    migrate.upgrade(engine)
    engine.dispose()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=db_url,
        tiles_dir=tiles_dir,
        uploads_dir=root / "uploads",
        frontend_dir=DIST,
        # the harness registers its people through the API, all from 127.0.0.1
        registrations_per_ip_per_hour=100,
    )
    return db_url, settings


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from backend.main import create_app
    from tests.services import live_server as serve

    ensure_built()
    root = tmp_path_factory.mktemp("e2e")
    tiles_dir = root / "tiles"
    folder = build_london(tiles_dir)
    db_url, settings = app_settings(root, "civictwin.sqlite", tiles_dir)
    assert load_buildings(db_url, folder) > 100
    with serve(create_app(settings)) as url:
        server = LiveServer(url=url, tiles_dir=tiles_dir, db_url=db_url)
        DB_URLS[url] = db_url
        seed(server)
        yield server


@pytest.fixture(scope="session")
def demo_server(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory):
    """The `civictwin demo` content (backend.demo.seed) on its own database and app.

    Reuses the London tileset the live server built (copied, not rebuilt); the demo's proposal
    massing tiles go to its own tiles folder. Yields (url, proposals by reference).
    """
    from backend.db.engine import Database
    from backend.demo import DEMO_TILESET
    from backend.demo import seed as seed_demo
    from backend.main import create_app
    from tests.services import live_server as serve

    root = tmp_path_factory.mktemp("demo")
    tiles_dir = root / "tiles"
    tiles_dir.mkdir()
    # the tiles routes refuse links that leave the tiles folder: copy (a few MB)
    shutil.copytree(live_server.tiles_dir / "london", tiles_dir / DEMO_TILESET)
    db_url, settings = app_settings(root, "demo.sqlite", tiles_dir)
    db = Database.connect(db_url)
    try:
        report = seed_demo(settings, db)
    finally:
        db.dispose()
    assert report.seeded, report
    with serve(create_app(settings)) as url:
        items = httpx.get(f"{url}/api/v1/proposals", params={"limit": 100}, timeout=60).json()
        yield url, {p["reference"]: p for p in items["items"]}


# --- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(playwright_session):
    b = playwright_session.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield b
    b.close()


def new_page(browser, live_server: LiveServer | None = None, who: str | None = None):
    """A fresh context (own cookies), signed in as `who` through the API when given."""
    ctx = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    if who and live_server:
        acc = live_server.accounts[who]
        r = ctx.request.post(
            f"{live_server.url}/api/v1/auth/login", data={"email": acc.email, "password": PASSWORD}
        )
        assert r.ok, r.text()
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.js_errors = errors  # type: ignore[attr-defined]
    return page


HALF_RESOLUTION_JS = """(() => {
  let hook
  Object.defineProperty(window, '__civictwin', {
    configurable: true,
    get: () => hook,
    set: (v) => { hook = v; if (v && v.viewer) v.viewer.resolutionScale = 0.5 },
  })
})()"""


def draw_at_half_resolution(page) -> None:
    """Have the 3D view draw at half resolution (a quarter of the pixels) on every page load, set
    the moment the test hook appears, through the app's own `resolutionScale`.

    For tests of the page around the 3D view (panels, forms, text boxes, axe) that never judge its
    pixels; picking and clicks on the city still work (Cesium scales them). On software WebGL each
    frame at 1280x720 took about a second and every click waits for frames (Playwright's
    "stable" check): test_screens spent 81 of 160 s in tab clicks. The caller asserts it took.
    """
    page.add_init_script(HALF_RESOLUTION_JS)


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
    return p


def open_app(page, live_server: LiveServer, query: str = "test=1", hash_: str = "") -> list[str]:
    """Open the app in test mode and wait for the city; returns every URL the page requested."""
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{live_server.url}/?{query}{hash_}")
    wait_for_city(page)
    settle(page)
    return requested


def wait_for_city(page, timeout_ms: int = 120_000) -> None:
    """Wait for the test hook, then for the city tileset's first `allTilesLoaded`."""
    page.wait_for_function(
        "() => window.__civictwin && window.__civictwin.ready", timeout=timeout_ms
    )
    page.evaluate(
        """(ms) => Promise.race([
            window.__civictwin.ready,
            new Promise((_, reject) => setTimeout(() => reject(new Error('tileset not loaded in time')), ms)),
        ])""",
        timeout_ms,
    )


def wait_for_tiles(page, which: str = "tileset", timeout_ms: int = 60_000) -> None:
    """After a camera move: wait until `which` (tileset or massing) has loaded what the view needs."""
    page.wait_for_function(
        f"""() => {{
            const c = window.__civictwin, t = c && c[{which!r}]
            if (!t) return false
            c.viewer.scene.requestRender()
            return t.tilesLoaded
        }}""",
        timeout=timeout_ms,
        polling=200,
    )


MASSING_STATE_JS = """() => {
    const c = window.__civictwin, m = c && c.massing
    if (!m) return null
    c.viewer.scene.requestRender()
    const cam = c.viewer.camera.positionCartographic
    return {
        show: m.show,
        tilesLoaded: m.tilesLoaded,
        rootContentReady: m.root.contentReady,
        selected: m.statistics.selected,
        loaded: m.statistics.numberOfLoadedTilesTotal,
        camera: [cam.longitude * 180 / Math.PI, cam.latitude * 180 / Math.PI, cam.height],
        flying: !!c.viewer.camera._currentFlight,
        url: m.resource && m.resource.url,
        sphereRadius: m.boundingSphere.radius,
        sphereCentre: (() => { const p = m.boundingSphere.center; const e = c.viewer.scene.globe.ellipsoid.cartesianToCartographic(p); return e ? [e.longitude * 180 / Math.PI, e.latitude * 180 / Math.PI, e.height] : [p.x, p.y, p.z] })(),
    }
}"""


def wait_for_massing_drawn(page, timeout_ms: int = 60_000) -> dict[str, Any]:
    """Wait until the selected scheme's massing tileset has its block loaded **and drawn**.

    `tilesLoaded` alone is true before any request was made (nothing in view, or a request the
    throttle refused), so also require the root content and a tile selected for rendering.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            f"""() => {{
                const s = ({MASSING_STATE_JS})()
                return !!s && s.show && s.tilesLoaded && s.rootContentReady && s.loaded > 0
                    && s.selected > 0 && !s.flying
            }}""",
            timeout=timeout_ms,
            polling=200,
        )
    except PlaywrightTimeout:
        pytest.fail(f"the massing was not drawn: {page.evaluate(MASSING_STATE_JS)}")
    return page.evaluate(MASSING_STATE_JS)


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Rough ground distance between two lon/lat points (fine at city scale)."""
    import math

    dx = (a[0] - b[0]) * 111_320 * math.cos(math.radians((a[1] + b[1]) / 2))
    dy = (a[1] - b[1]) * 111_320
    return math.hypot(dx, dy)


def site_centre(proposal: dict[str, Any]) -> tuple[float, float]:
    xs, ys = zip(*outer_ring(proposal["site_boundary"]), strict=True)
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def wait_for_globe(page, timeout_ms: int = 60_000) -> None:
    """Wait until the globe's imagery (and terrain) tiles for the view are in."""
    page.wait_for_function(
        """() => {
            const c = window.__civictwin
            if (!c) return true
            c.viewer.scene.requestRender()
            return c.viewer.scene.globe.tilesLoaded
        }""",
        timeout=timeout_ms,
        polling=200,
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
    # evaluated through the DevTools protocol, not as a <script> tag: the app's Content Security
    # Policy (script-src 'self') rightly refuses inline scripts
    page.evaluate(f"() => {{ {AXE_JS.read_text()}\n; window.axe = window.axe || axe }}")
    result = page.evaluate(
        """() => axe.run(document, {
            runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
        })"""
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    # the globe's imagery loads on its own schedule: never photograph a half-drawn ground
    wait_for_globe(page)
    settle(page)
    page.screenshot(path=str(path))
    return path


def glb_box(lo: tuple[float, float, float], hi: tuple[float, float, float]) -> bytes:
    """A binary glTF of one box from ``lo`` to ``hi`` (glTF axes: +Y up, -Z north), anywhere
    around its origin: the kind of model a planner uploads (test_impact's is off its origin on
    purpose, test_variants' stands on it)."""
    corners = [(x, y, z) for z in (lo[2], hi[2]) for y in (lo[1], hi[1]) for x in (lo[0], hi[0])]
    quads = [(0, 2, 3, 1), (4, 5, 7, 6), (0, 1, 5, 4), (2, 6, 7, 3), (0, 4, 6, 2), (1, 3, 7, 5)]
    indices = [i for a, b, c, d in quads for i in (a, b, c, a, c, d)]
    pos = struct.pack(f"<{3 * len(corners)}f", *[v for c in corners for v in c])
    ind = struct.pack(f"<{len(indices)}H", *indices)
    ind += b"\0" * (-len(ind) % 4)
    doc = {
        "asset": {"version": "2.0"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1, "material": 0}]}],
        "materials": [
            {"pbrMetallicRoughness": {"baseColorFactor": [0.3, 0.5, 0.8, 1]}, "doubleSided": True}
        ],
        "buffers": [{"byteLength": len(pos) + len(ind)}],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": len(pos), "target": 34962},
            {"buffer": 0, "byteOffset": len(pos), "byteLength": 2 * len(indices), "target": 34963},
        ],
        "accessors": [
            {
                "bufferView": 0,
                "componentType": 5126,
                "count": 8,
                "type": "VEC3",
                "min": list(lo),
                "max": list(hi),
            },
            {"bufferView": 1, "componentType": 5123, "count": len(indices), "type": "SCALAR"},
        ],
    }
    text = json.dumps(doc).encode()
    text += b" " * (-len(text) % 4)
    binary = pos + ind
    total = 12 + 8 + len(text) + 8 + len(binary)
    return (
        struct.pack("<4sII", b"glTF", 2, total)
        + struct.pack("<I4s", len(text), b"JSON")
        + text
        + struct.pack("<I4s", len(binary), b"BIN\0")
        + binary
    )


# the outline's rings by block (base and top), and every entity model Cesium has loaded: its
# bounding sphere's centre (lon, lat, height) and radius, all from the scene itself
