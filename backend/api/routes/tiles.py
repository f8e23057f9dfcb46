"""``/tiles/{tileset}/...``: pipeline output served as static 3D Tiles.

- Content types by suffix; a strong ETag from size and mtime (``-gz`` for the gzip variant) with
  ``If-None-Match`` → 304; ``Cache-Control`` short for tileset.json, long for content (whose
  ETag changes with every rebuild), ``private, no-cache`` for proposals' massing tilesets.
- JSON is gzipped when the client accepts it (``Vary: Accept-Encoding``); single byte ranges
  (``Range: bytes=a-b``) get 206 or 416; several ranges get the whole file (RFC 9110 allows it).
- No way out of the tiles folder: encoded slashes are refused outright and every path is
  resolved (symlinks too) and checked to be inside (see ``services.tilesets.resolve_tile``).
- ``/tiles/proposals/<id>/`` follows the proposal's visibility: a draft's massing is 404 for
  everyone but planners and admins.
- A lean path (issue 10: a static tile at most 1.5 ms): the city's tiles need no database, so
  no session is opened for them, and they are answered on the event loop; only files larger
  than :data:`INLINE_BYTES` are read (and gzipped) in the thread pool. A gzipped JSON body is
  made once per file version (its ETag) and kept in a small cache.
- A pure-ASGI front door for the city's tiles (:class:`StaticTilesFastPath`): a plain ``GET`` or
  ``HEAD`` of a file that resolves is answered by the same :func:`_serve` without FastAPI's
  routing and dependency resolution (route matching over every operation of the API was about
  two thirds of a tile's server time); anything else (proposals' massing, a file that does not
  resolve, encoded separators, the build report, a request with a body) goes on to the route,
  which answers it, errors included, as before.
CORS comes from the app's middleware (``CIVICTWIN_CORS_ORIGINS``).
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from backend.api import examples
from backend.api.deps import DatabaseDep, SettingsDep, admitted, principal_of, session_factory
from backend.api.errors import error_responses
from backend.db.engine import Database
from backend.errors import CivicTwinError, NotFoundError
from backend.services import massing, proposals, tilesets
from backend.services.buildings import REPORT_FILE
from backend.settings import Settings

router = APIRouter(prefix="/tiles", tags=["tiles"])

CONTENT_TYPES = {
    ".json": "application/json",
    ".glb": "model/gltf-binary",
    ".b3dm": "application/octet-stream",
    ".subtree": "application/octet-stream",
    ".fgb": "application/octet-stream",
}
CACHE_TILESET = "public, max-age=60, must-revalidate"
CACHE_CONTENT = "public, max-age=86400"
CACHE_PRIVATE = "private, no-cache"
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_ENCODED_SEPARATORS = (b"%2f", b"%5c", b"%00")
#: Files up to this size are read and gzipped on the event loop (a page-cache read of this
#: much takes tens of microseconds, less than a hop to the thread pool); larger ones in a thread.
INLINE_BYTES = 256 * 1024

_GLB = examples.binary("A glb tile", "/tiles/london/content/0/0/0.glb")
_SUBTREE = examples.binary("An implicit tiling subtree", "/tiles/london/subtrees/0/0/0.subtree")
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file",
        "content": {
            "application/json": {"example": examples.TILESET_JSON},
            "model/gltf-binary": _GLB,
            "application/octet-stream": _SUBTREE,
        },
    },
    206: {
        "description": "Part of the file (Range)",
        "content": {"model/gltf-binary": _GLB, "application/octet-stream": _SUBTREE},
    },
    304: {"description": "Not modified (If-None-Match)"},
    **error_responses(404, 416),
}


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


async def _check_access(request: Request, db: Database, settings: Settings, path: str) -> None:
    first = path.split("/", 1)[0]
    if not first.isdigit():
        raise NotFoundError(f"tile {massing.PROPOSALS_FOLDER}/{path} not found")
    async with admitted(db, reads=session_factory(request, db) is db.read_sessions):
        await run_in_threadpool(_visible_massing, request, db, settings, int(first))


def _visible_massing(request: Request, db: Database, settings: Settings, proposal_id: int) -> None:
    with session_factory(request, db)() as session:
        proposals.visible(session, principal_of(request, session, settings), proposal_id)


@lru_cache(maxsize=64)
def _gzipped(path: Path, etag: str) -> bytes:
    """The gzip of one version (``etag``) of a file; a new version is a new key."""
    return gzip.compress(path.read_bytes(), compresslevel=6)


async def _serve(request: Request, real: Path, private: bool) -> Response:
    st = real.stat()
    inline = st.st_size <= INLINE_BYTES
    media_type = CONTENT_TYPES.get(real.suffix.lower(), "application/octet-stream")
    version = f'"{st.st_size:x}-{st.st_mtime_ns:x}"'
    etag = version
    if private:
        cache = CACHE_PRIVATE
    else:
        cache = CACHE_TILESET if real.suffix.lower() == ".json" else CACHE_CONTENT
    headers = {
        "Cache-Control": cache,
        "Accept-Ranges": "bytes",
        "X-Content-Type-Options": "nosniff",
    }
    range_header = request.headers.get("range")
    is_json = media_type == "application/json"
    gzipped = (
        is_json
        and range_header is None
        and "gzip" in request.headers.get("accept-encoding", "").lower()
    )
    if is_json:
        headers["Vary"] = "Accept-Encoding"
    if gzipped:
        etag = etag[:-1] + '-gz"'
    headers["ETag"] = etag
    if _etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    status = 200
    if gzipped:
        body = (
            _gzipped(real, version) if inline else await run_in_threadpool(_gzipped, real, version)
        )
        headers["Content-Encoding"] = "gzip"
    else:
        body = real.read_bytes() if inline else await run_in_threadpool(real.read_bytes)
    if not gzipped and range_header is not None and "," not in range_header:
        match = _RANGE.match(range_header.strip())
        if match and (match.group(1) or match.group(2)):
            size = len(body)
            first, last = match.group(1), match.group(2)
            if first:
                start, end = int(first), min(int(last), size - 1) if last else size - 1
            else:  # suffix range: the last N bytes
                start, end = max(size - int(last), 0), size - 1
            if start >= size or end < start:
                return Response(
                    status_code=416,
                    headers={**headers, "Content-Range": f"bytes */{size}"},
                )
            body = body[start : end + 1]
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(len(body))
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=media_type)
    return Response(body, status_code=status, headers=headers, media_type=media_type)


#: Files of a tileset folder that are the operator's, not a 3D Tiles client's: the build report
#: names the server's input and output paths (it is read from disk by ``civictwin city load``).
_NOT_SERVED = frozenset({REPORT_FILE})


async def get_tile(
    tileset: str, path: str, request: Request, db: DatabaseDep, settings: SettingsDep
) -> Response:
    raw = request.scope.get("raw_path") or b""
    if any(sep in raw.lower() for sep in _ENCODED_SEPARATORS):
        raise NotFoundError("tile not found: encoded separators are not allowed in tile paths")
    private = tileset == massing.PROPOSALS_FOLDER
    if private:
        await _check_access(request, db, settings, path)
    if path in _NOT_SERVED:
        raise NotFoundError(f"tile {tileset}/{path} not found")
    real = tilesets.resolve_tile(settings.tiles_dir, tileset, path)
    return await _serve(request, real, private)


router.add_api_route(
    "/{tileset}/{path:path}",
    get_tile,
    methods=["GET"],
    operation_id="getTile",
    response_class=Response,
    responses=_RESPONSES,
    summary="A file of a 3D Tiles tileset (tileset.json, glb content, …)",
)
router.add_api_route(
    "/{tileset}/{path:path}",
    get_tile,
    methods=["HEAD"],
    operation_id="headTile",
    response_class=Response,
    responses=_RESPONSES,
    summary="Headers of a tileset file (size, ETag) without the body",
)


_PREFIX = router.prefix + "/"
_FAST_METHODS = frozenset({"GET", "HEAD"})
_BODY_HEADERS = frozenset({b"content-length", b"transfer-encoding"})


class StaticTilesFastPath:
    """Pure ASGI, inside CORS, the security headers and the request id (so their headers and the
    access line are the same), outside the body and idempotency policies (which a body-less
    ``GET`` does not concern) and the router: serves ``/tiles/<tileset>/<path>`` of the city's
    tilesets with :func:`_serve`, or hands the request on unchanged."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        real = self._file(scope) if scope["type"] == "http" else None
        if real is None:
            await self.app(scope, receive, send)
            return
        response = await _serve(Request(scope, receive), real, private=False)
        await response(scope, receive, send)

    def _file(self, scope: Scope) -> Path | None:
        """The city tile a body-less GET/HEAD asks for, or None to let the route decide."""
        if scope["method"] not in _FAST_METHODS:
            return None
        route_path: str = scope["path"]
        root = scope.get("root_path", "")
        if root and route_path.startswith(root):  # the path under a mount, as routing reads it
            route_path = route_path[len(root) :]
        if not route_path.startswith(_PREFIX):
            return None
        tileset, sep, path = route_path[len(_PREFIX) :].partition("/")
        if not sep or not tileset or tileset == massing.PROPOSALS_FOLDER or path in _NOT_SERVED:
            return None
        raw = (scope.get("raw_path") or b"").lower()
        if any(sep_ in raw for sep_ in _ENCODED_SEPARATORS):
            return None
        if any(k in _BODY_HEADERS for k, _ in scope.get("headers") or ()):
            return None
        app = scope.get("app")
        settings: Settings = app.state.settings if app is not None else self.settings
        try:
            return tilesets.resolve_tile(settings.tiles_dir, tileset, path)
        except CivicTwinError:
            return None
