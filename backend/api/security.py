"""Security headers on every response: one policy, set once for the whole app.

* ``Content-Security-Policy``: scripts only from this origin, plus ``'wasm-unsafe-eval'`` so
  Cesium's WebAssembly decoders (Draco, KTX2) compile; web workers from this origin or ``blob:``
  (Cesium starts some workers from blob URLs); no inline scripts, no inline styles but Cesium's
  three (by hash), no plugins, no ``<base>``; images and XHR from this origin,
  ``data:``/``blob:`` (decoded textures) and the configured imagery/terrain servers only;
  ``frame-ancestors 'none'``. A response that set its own policy keeps it (document downloads
  send a stricter ``sandbox`` policy; the API docs page pins its one inline script by hash).
* ``X-Frame-Options: DENY`` for browsers without ``frame-ancestors``; ``X-Content-Type-Options:
  nosniff`` on everything (HTML, API, tiles); ``Referrer-Policy: same-origin``;
  ``Cross-Origin-Opener-Policy: same-origin``.
* ``Strict-Transport-Security`` in production only (development runs on plain http://localhost).

CSP Level 3 (https://www.w3.org/TR/CSP3/) for the directive names; RFC 6797 for HSTS.
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.settings import Settings

HSTS = "max-age=31536000; includeSubDomains"
#: The three inline styles Cesium (1.145) writes into its credit display (the logo's
#: ``style`` attributes in credit HTML and the credits' ``<style>`` element), allowed by hash
#: rather than ``'unsafe-inline'``; ``'unsafe-hashes'`` lets a hash match a style attribute.
#: Chromium names the hash of anything blocked, and tests/e2e/test_csp.py fails with that
#: message when a Cesium upgrade changes them.
CESIUM_STYLE_HASHES = (
    "'sha256-BVJq0J0CcoIBO7ikkmisQ5kYoOnqxRUC37ihQ3YWZQQ='",
    "'sha256-gM2CWYHXIHTu7Ts6ncwv0GMWZ9LXGrz2qqqjyuDojl8='",
    "'sha256-GU5zilGWFiRrmr4xJeDjQZKuKRcLO8ZT+o0Avfni8Sw='",  # vertical-align: -7px
)


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url.replace("{", "").replace("}", ""))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def content_security_policy(settings: Settings, *, script_hashes: tuple[str, ...] = ()) -> str:
    """The app's policy; ``script_hashes`` (``'sha256-…'``) allow named inline scripts."""
    extra = " ".join(
        sorted({o for o in (_origin(settings.imagery_url), _origin(settings.terrain_url)) if o})
    )
    remote = f" {extra}" if extra else ""
    scripts = " ".join(("'self'", "'wasm-unsafe-eval'", *script_hashes))
    directives = [
        "default-src 'self'",
        f"script-src {scripts}",
        "worker-src 'self' blob:",
        " ".join(("style-src 'self' 'unsafe-hashes'", *CESIUM_STYLE_HASHES)),
        f"img-src 'self' data: blob:{remote}",
        f"connect-src 'self' data: blob:{remote}",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


def script_hash(source: str) -> str:
    """The CSP source expression allowing one inline ``<script>`` with this exact text."""
    digest = hashlib.sha256(source.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def security_headers(settings: Settings) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy", content_security_policy(settings).encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if settings.is_production:
        headers.append((b"strict-transport-security", HSTS.encode()))
    return headers


class SecurityHeadersMiddleware:
    """Pure ASGI: adds the headers to ``http.response.start`` without touching the body."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.headers = security_headers(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                have = {k.lower() for k, _ in headers}
                headers.extend((k, v) for k, v in self.headers if k not in have)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
