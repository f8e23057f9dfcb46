"""The app runs under its Content-Security-Policy: Cesium renders the city (workers, wasm, blob:
and data: textures) and a scheme's massing, and the API docs page works, with 0 violations."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import open_app, wait_for_massing_drawn

pytestmark = [pytest.mark.browser, pytest.mark.slow]

COLLECT_JS = """() => {
    window.__cspViolations = []
    document.addEventListener('securitypolicyviolation', (e) => {
        window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`)
    })
}"""


def watch(page) -> list[str]:
    """Console lines that report a CSP violation (the page's and its workers')."""
    reports: list[str] = []

    def on_console(msg) -> None:
        if "Content Security Policy" in msg.text or "Refused to" in msg.text:
            reports.append(msg.text)

    page.on("console", on_console)
    page.on("worker", lambda w: w.on("console", on_console))
    page.add_init_script(COLLECT_JS)
    return reports


def violations(page) -> list[str]:
    return list(page.evaluate("() => window.__cspViolations || []"))


def test_the_city_and_a_scheme_render_under_the_policy_with_no_violation(page, live_server):
    policy = httpx.get(f"{live_server.url}/", timeout=30).headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    reports = watch(page)
    proposal = live_server.seed["proposal"]
    requested = open_app(page, live_server, hash_=f"#proposal={proposal['id']}")
    wait_for_massing_drawn(page)
    assert any(u.endswith(".glb") for u in requested)
    assert any(u.endswith(".wasm") for u in requested) or any("Workers/" in u for u in requested)
    assert violations(page) == [] and reports == [], (violations(page), reports)
    assert page.js_errors == []


def test_the_api_docs_page_renders_under_its_policy(page, live_server):
    reports = watch(page)
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector(".opblock", timeout=60_000)  # Swagger UI drew the operations
    assert violations(page) == [] and reports == [], (violations(page), reports)
