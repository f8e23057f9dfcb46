"""The application factory: ``create_app(settings)``; resources live in the lifespan."""

from __future__ import annotations

import logging
import mimetypes
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import swagger_ui_bundle
from anyio import to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from backend.api.deps import BULK_READERS
from backend.api.dispatch import install as install_dispatch
from backend.api.errors import add_exception_handlers
from backend.api.idempotency import IdempotencyMiddleware, document_idempotency_key
from backend.api.limits import BodyLimitMiddleware
from backend.api.middleware import RequestIdMiddleware
from backend.api.router import add_routes
from backend.api.routes.tiles import StaticTilesFastPath
from backend.api.security import (
    SecurityHeadersMiddleware,
    content_security_policy,
    script_hash,
)
from backend.db import migrate
from backend.db.engine import RESERVED_CONNECTIONS, Database
from backend.logging_setup import configure_logging
from backend.services.events import EventBroker, LocalBroker
from backend.services.health import app_version
from backend.services.impact_runner import ImpactRunner
from backend.settings import Settings


def create_broker(settings: Settings) -> EventBroker:
    """The live-event broker: in-process, or Redis pub/sub when configured."""
    if settings.redis_url:
        from backend.services.events_redis import RedisBroker

        return RedisBroker(settings.redis_url)
    return LocalBroker()


logger = logging.getLogger(__name__)
#: The fewest thread-pool slots per worker (uploads and large tiles use threads without a session).
THREADS_MIN = 8
# Cesium's WebAssembly decoders must be served as application/wasm to be compiled streaming.
mimetypes.add_type("application/wasm", ".wasm")

DESCRIPTION = """\
CivicTwin: development proposals in a 3D city, 3D-anchored comments, SME supply-chain
opportunities and open data. Geometry is GeoJSON (RFC 7946, lon/lat WGS 84); heights are metres.
Errors are `{"detail": "...", "code": "ErrorName"}`.
"""


def create_app(settings: Settings, *, database: Database | None = None) -> FastAPI:
    """Build the app. ``database`` lets a caller (tests, CLI) hand over an open database."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = database or Database.connect(settings.database_url)
        try:
            status = migrate.require_up_to_date(db.engine)
        except Exception:
            if database is None:
                db.dispose()
            raise
        logger.info(
            "database %s (%s, %s) at revision %s",
            db.kind,
            status.server_version,
            status.spatial_version,
            status.revision,
        )
        app.state.db = db
        # the thread pool sized to the connections requests may hold, not anyio's 40: more
        # threads than that only queue for the GIL (a convoy under 50 clients, issue 10 bench);
        # never fewer than the sessions admitted, which could then wait for each other's thread
        to_thread.current_default_thread_limiter().total_tokens = max(
            THREADS_MIN,
            db.max_sessions + (db.max_read_sessions or 0) + BULK_READERS + RESERVED_CONNECTIONS,
        )
        # PostGIS, if asked for: the read paths' async engine, on this event loop (deps.Reads)
        opened_async = settings.database_async_reads and db.open_async()
        app.state.events = create_broker(settings)
        await app.state.events.start()
        impact = ImpactRunner(db, settings)  # background impact studies (issue 13)
        impact.start()
        try:
            yield
        finally:
            await run_in_threadpool(impact.stop)
            await app.state.events.stop()
            if opened_async:
                await db.close_async()
            if database is None:
                db.dispose()

    app = FastAPI(
        title="CivicTwin API",
        version=app_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served below from local assets: no request leaves the deployment
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    add_exception_handlers(app)
    # innermost first: the size policy sees the request before any route; CORS and the
    # security headers then apply to its 413s too; the request id wraps everything
    app.add_middleware(BodyLimitMiddleware, settings=settings)
    # outside the size policy, which then applies to the body it buffered and hands on
    app.add_middleware(IdempotencyMiddleware, settings=settings)
    # the city's static tiles, answered before the router (inside CORS and the headers)
    app.add_middleware(StaticTilesFastPath, settings=settings)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["X-Request-ID", "ETag", "Content-Range"],
        )
    app.add_middleware(SecurityHeadersMiddleware, settings=settings)
    app.add_middleware(RequestIdMiddleware)
    add_routes(app)
    _mount_docs(app)
    _document_headers(app)
    if settings.frontend_dir.is_dir():
        app.mount("/", StaticFiles(directory=settings.frontend_dir, html=True), name="frontend")
    install_dispatch(app.router)  # each request matched against the routes its path can reach
    return app


def _document_headers(app: FastAPI) -> None:
    """Headers handled by middleware, which FastAPI cannot see, added to the OpenAPI document."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        return document_idempotency_key(build())  # idempotent on FastAPI's cached document

    app.openapi = openapi  # type: ignore[method-assign]


def _mount_docs(app: FastAPI) -> None:
    app.mount(
        "/api/docs/static",
        StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
        name="swagger-ui",
    )

    page = get_swagger_ui_html(
        openapi_url="/api/openapi.json",
        title="CivicTwin API",
        swagger_js_url="/api/docs/static/swagger-ui-bundle.js",
        swagger_css_url="/api/docs/static/swagger-ui.css",
        swagger_favicon_url="/api/docs/static/favicon-32x32.png",
    )
    # the page's one inline script (Swagger UI's start-up) is allowed by its hash, nothing else
    inline = re.findall(r"<script>(.*?)</script>", bytes(page.body).decode(), re.DOTALL)
    policy = content_security_policy(
        app.state.settings, script_hashes=tuple(script_hash(s) for s in inline)
    )

    @app.get("/api/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return HTMLResponse(page.body, headers={"Content-Security-Policy": policy})


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (several workers): settings from the environment."""
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    return create_app(settings)
