"""Security headers on HTML, API, errors and tiles; HSTS only in production; the policy names
the configured imagery server and nothing else outside the deployment."""

from __future__ import annotations

import secrets
from pathlib import Path

from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.main import create_app
from backend.settings import Settings


def _app(settings: Settings, database: Database, tmp_path: Path, **update: object) -> TestClient:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "index.html").write_text("<!doctype html><title>CivicTwin</title>")
    return TestClient(
        create_app(settings.model_copy(update={"frontend_dir": site, **update}), database=database)
    )


def test_html_api_and_errors_carry_the_security_headers(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    with _app(settings, database, tmp_path) as client:
        responses = {
            "html": client.get("/"),
            "api": client.get("/api/v1/health"),
            "error": client.get("/api/v1/nowhere"),
            "too large": client.post("/api/v1/auth/login", content=b"x" * 70_000),
        }
    for what, r in responses.items():
        h = r.headers
        assert h["x-content-type-options"] == "nosniff", what
        assert h["x-frame-options"] == "DENY", what
        assert h["referrer-policy"] == "same-origin", what
        csp = h["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, what
        assert "script-src 'self' 'wasm-unsafe-eval'" in csp and "unsafe-inline" not in csp
        assert "strict-transport-security" not in h, what  # development: plain http
    assert responses["too large"].status_code == 413


def test_production_adds_hsts_and_the_policy_allows_the_configured_imagery(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    with _app(
        settings,
        database,
        tmp_path,
        environment="production",
        secret_key=secrets.token_urlsafe(48),
        imagery_url="https://tiles.example.org/{z}/{x}/{y}.png",
    ) as client:
        r = client.get("/")
    assert r.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    csp = r.headers["content-security-policy"]
    assert "img-src 'self' data: blob: https://tiles.example.org" in csp
    assert "connect-src 'self' data: blob: https://tiles.example.org" in csp


def test_a_route_with_its_own_policy_keeps_it(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    with _app(settings, database, tmp_path) as client:
        docs = client.get("/api/docs")
    csp = docs.headers["content-security-policy"]
    # the docs page allows exactly its own inline start-up script, by hash
    assert "script-src 'self' 'wasm-unsafe-eval' 'sha256-" in csp
    assert docs.headers["x-frame-options"] == "DENY"
