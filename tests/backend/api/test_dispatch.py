"""Dispatch by path prefix (issue 10) decides every request as the router's full scan does: the
same route, the same 405 for a known path with another method, the same redirect for a
trailing slash, the same 404, the same static file of the frontend."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Match

from backend.api.dispatch import PrefixDispatch, literal_segments
from backend.main import create_app
from backend.settings import Settings

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@pytest.fixture
def full_app(settings: Settings, tmp_path: Path) -> FastAPI:
    """The app as a deployment runs it: with the built frontend mounted at ``/``."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>CivicTwin</title>")
    (site / "app.js").write_text("console.log(1)")
    return create_app(settings.model_copy(update={"frontend_dir": site}))


def _chosen(routes: list[BaseRoute], path: str, method: str) -> tuple[int, str] | None:
    """What the router's scan picks: the first full match, else the first partial one."""
    scope = {"type": "http", "path": path, "root_path": "", "method": method, "headers": []}
    partial = None
    for i, route in enumerate(routes):
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return i, "full"
        if match == Match.PARTIAL and partial is None:
            partial = (i, "partial")
    return partial


def _example_paths(app: FastAPI) -> list[str]:
    paths = set()
    for route in app.router.routes:
        template = str(getattr(route, "path_format", getattr(route, "path", "/")))
        for value in ("1", "proposals", "a/b"):
            path = re.sub(r"\{[^}]+\}", value, template)
            paths.update({path, path.rstrip("/") or "/", path + "/", path + "/x"})
    return sorted(paths)


ODD_PATHS = [
    "/",
    "/index.html",
    "/app.js",
    "/api",
    "/api/",
    "/api/v1",
    "/api/v1/",
    "/api/v1/nothing-here",
    "/api//v1/health",
    "/api/v1/health/",
    "/ogc/",
    "/ogc/collections/",
    "/ogc/collections/proposals/items/",
    "/tiles",
    "/tiles/",
    "/API/v1/health",
    "/api/v1/proposals/1/comments/extra/levels/deep",
]


def test_every_path_reaches_the_route_the_full_scan_picks(full_app: FastAPI) -> None:
    dispatch = full_app.router.middleware_stack
    assert isinstance(dispatch, PrefixDispatch)
    routes = list(full_app.router.routes)
    paths = _example_paths(full_app) + ODD_PATHS
    assert len(paths) > 500
    shorter = 0
    for path in paths:
        candidates = dispatch.candidates(path)
        shorter += len(candidates) < len(routes)
        for method in METHODS:
            want = _chosen(routes, path, method)
            got = _chosen(candidates, path, method)
            got_route = None if got is None else candidates[got[0]]
            want_route = None if want is None else routes[want[0]]
            assert (got_route, got and got[1]) == (want_route, want and want[1]), (method, path)
    # and it is a shorter scan for nearly every path: only those without a known prefix
    # (the frontend's files) are tried against the routes without literal segments alone
    assert shorter == len(paths)


def test_the_same_answers_served_with_and_without_dispatch(full_app: FastAPI) -> None:
    requests = [
        ("GET", "/api/v1/health"),
        ("POST", "/api/v1/health"),
        ("GET", "/api/v1/health/"),
        ("GET", "/api/v1/proposals/"),
        ("GET", "/api/v1/proposals/999999"),
        ("DELETE", "/api/v1/proposals"),
        ("GET", "/api/v1/nothing-here"),
        ("GET", "/ogc/collections/proposals/items"),
        ("GET", "/ogc/collections/nothing/items"),
        ("GET", "/ogc/"),
        ("GET", "/"),
        ("GET", "/app.js"),
        ("GET", "/missing.js"),
    ]

    def answers() -> list[tuple[int, str | None, bytes]]:
        with TestClient(full_app, follow_redirects=False) as client:
            out = []
            for method, path in requests:
                r = client.request(method, path)
                body = r.content if r.status_code != 200 or path != "/api/v1/health" else b""
                out.append((r.status_code, r.headers.get("location"), body))
            return out

    with_dispatch = answers()
    dispatch = full_app.router.middleware_stack
    assert isinstance(dispatch, PrefixDispatch)
    full_app.router.middleware_stack = dispatch.inner
    try:
        without = answers()
    finally:
        full_app.router.middleware_stack = dispatch
    for (method, path), a, b in zip(requests, with_dispatch, without, strict=True):
        strip = re.compile(rb'"(timeStamp|request_id)":"[^"]*"')
        assert (a[0], a[1], strip.sub(b"", a[2])) == (b[0], b[1], strip.sub(b"", b[2])), (
            method,
            path,
        )
    assert [a[0] for a in with_dispatch][:2] == [200, 405]


def test_a_route_added_later_is_dispatched_too(full_app: FastAPI) -> None:
    with TestClient(full_app) as client:  # the table is built by the first request
        assert client.get("/api/v1/added-later").status_code == 404

    @full_app.get("/api/v1/added-later")
    async def added() -> dict[str, str]:
        return {"ok": "yes"}

    # the frontend's mount at "/" was added before it and would answer 404 for it, were the
    # route not in the table: the table follows the routes
    full_app.router.routes.insert(0, full_app.router.routes.pop())
    with TestClient(full_app) as client:
        assert client.get("/api/v1/added-later").json() == {"ok": "yes"}


def test_literal_segments_stop_at_the_first_parameter() -> None:
    class R(BaseRoute):
        def __init__(self, path: str) -> None:
            self.path_format = path

    assert literal_segments(R("/api/v1/proposals/{proposal_id}/comments")) == (
        "api",
        "v1",
        "proposals",
    )
    assert literal_segments(R("/ogc/collections/{collection_id}/items")) == ("ogc", "collections")
    assert literal_segments(R("/ogc")) == ("ogc",)
    assert literal_segments(R("/api/v1/prop{x}")) == ("api", "v1")
    assert literal_segments(R("/{path}")) == ()
    assert literal_segments(R("/")) == ()
    assert literal_segments(R("/tiles/")) == ("tiles",)
