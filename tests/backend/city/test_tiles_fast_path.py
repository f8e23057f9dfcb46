"""The city tiles' pure-ASGI fast path answers exactly as the ``/tiles`` route does (issue 10).

``StaticTilesFastPath`` serves a body-less GET/HEAD of a city tile before FastAPI's router; the
same requests sent to an app built without it go through the route. Both answers must be the
same: status, every header but the request id, and body; and what the fast path does not serve
(errors, the build report, proposals' massing) must reach the route.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.api.routes.tiles import StaticTilesFastPath
from backend.db.engine import Database
from backend.main import create_app
from backend.settings import Settings
from tiles.pipeline import BuildResult


@pytest.fixture
def tiles(settings: Settings, city_build: BuildResult) -> Path:
    target = settings.tiles_dir / "london"
    shutil.copytree(city_build.tileset_dir, target)
    return target


def _answer(client: TestClient, method: str, url: str, headers: dict[str, str]) -> Any:
    r = client.request(method, url, headers=headers)
    kept = sorted((k, v) for k, v in r.headers.items() if k != "x-request-id")
    return r.status_code, kept, r.content


def test_fast_path_answers_as_the_route_does(
    settings: Settings, database: Database, tiles: Path
) -> None:
    glb = "/tiles/london/content/" + sorted((tiles / "content").glob("*.glb"))[0].name
    size = (tiles / glb.split("/tiles/london/", 1)[1]).stat().st_size
    cors = settings.model_copy(update={"cors_origins": ["https://viewer.example.org"]})
    fast_app = create_app(cors, database=database)
    route_app = create_app(cors, database=database)
    route_app.user_middleware = [
        m for m in route_app.user_middleware if m.cls is not StaticTilesFastPath
    ]
    assert len(route_app.user_middleware) == len(fast_app.user_middleware) - 1
    with TestClient(fast_app) as fast, TestClient(route_app) as route:
        etag_gz = fast.get("/tiles/london/tileset.json").headers["etag"]
        etag_glb = fast.get(glb).headers["etag"]
        origin = {"Origin": "https://viewer.example.org"}
        cases: list[tuple[str, str, dict[str, str]]] = [
            ("GET", "/tiles/london/tileset.json", {}),
            ("GET", "/tiles/london/tileset.json", {"Accept-Encoding": "identity"}),
            ("GET", "/tiles/london/tileset.json", {"If-None-Match": etag_gz}),
            ("GET", "/tiles/london/tileset.json", origin),
            ("HEAD", "/tiles/london/tileset.json", {}),
            ("GET", glb, {}),
            ("HEAD", glb, {}),
            ("GET", glb, {"If-None-Match": f'"nope", W/{etag_glb}'}),
            ("GET", glb, {"Range": "bytes=0-11"}),
            ("GET", glb, {"Range": "bytes=-4"}),
            ("GET", glb, {"Range": f"bytes={size}-"}),
            ("GET", glb, {"Range": "bytes=0-1,4-5"}),
            # not served by the fast path: the route answers on both apps
            ("GET", "/tiles/london/missing.glb", {}),
            ("GET", "/tiles/london/../london/tileset.json", {}),
            ("GET", "/tiles/london/", {}),
            ("GET", "/tiles/london/build-report.json", {}),
            ("GET", "/tiles/proposals/1/tileset.json", {}),
            ("GET", "/tiles/nowhere/tileset.json", {}),
            ("POST", "/tiles/london/tileset.json", {}),
        ]
        (tiles / "build-report.json").write_text("{}")
        for method, url, headers in cases:
            got, want = _answer(fast, method, url, headers), _answer(route, method, url, headers)
            assert got == want, (method, url, headers)
        assert _answer(fast, "GET", glb, {})[0] == 200
        assert _answer(fast, "GET", "/tiles/london/build-report.json", {})[0] == 404


def test_fast_path_serves_city_tiles_without_the_rest_of_the_app(
    settings: Settings, tiles: Path
) -> None:
    """A city tile never reaches the app behind the fast path; anything else always does."""
    reached: list[str] = []

    async def rest_of_the_app(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    fast = StaticTilesFastPath(rest_of_the_app, settings=settings)

    async def call(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> int:
        sent: list[dict[str, Any]] = []
        scope = {
            "type": "http",
            "method": method,
            "path": path.replace("%2F", "/"),
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": headers,
        }

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await fast(scope, receive, send)
        return int(sent[0]["status"])

    assert asyncio.run(call("GET", "/tiles/london/tileset.json", [])) == 200
    assert asyncio.run(call("HEAD", "/tiles/london/tileset.json", [])) == 200
    assert reached == []
    for method, path, headers in [
        ("GET", "/tiles/london/nothing.json", []),
        ("GET", "/tiles/proposals/1/tileset.json", []),
        ("DELETE", "/tiles/london/tileset.json", []),
        ("GET", "/tiles/london/tileset.json", [(b"content-length", b"3")]),
        ("GET", "/tiles/london%2Ftileset.json", []),
        ("GET", "/api/v1/health", []),
    ]:
        assert asyncio.run(call(method, path, headers)) == 418, path
    assert len(reached) == 6
