"""``Idempotency-Key`` on creating requests (POST): a retry never creates twice.

Following the IETF draft "The Idempotency-Key HTTP Header Field": a client sends a unique key
(1-255 printable characters) with a POST; the key is scoped to the caller (a hash of the bearer
token or session cookie, or of the client address when anonymous).

* first time: the request runs; its key is committed in the same transaction as the rows it
  creates (:mod:`backend.repositories.idempotency`), and the response (status, type, Location,
  body) is stored once sent;
* the same key with the same request (method, path, query, body): the stored response is sent
  again with ``Idempotent-Replayed: true``, and nothing runs;
* the same key with a different request: 422;
* the same key while the first request is still between its commit and its response: 409
  with ``Retry-After``; it was carried out once. If the response is still missing
  :data:`RECOVER_AFTER_S` after the commit (its worker died in that moment), the retry is
  answered from the rows the key names as created: the resource read back as the caller reads
  it, with the creating route's status, then stored like any response.

Keys are kept for :data:`KEY_LIFETIME_HOURS`. A request that created nothing (a 4xx before any
insert), or whose answer sets a cookie (signing in), leaves no key: a retry runs afresh. Bodies
are buffered to hash them (in memory up to 1 MB, then a temporary file), bounded by the largest
body any route accepts; the per-route limit then applies as usual.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import tempfile
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.db.engine import Database
from backend.db.types import utcnow
from backend.repositories import idempotency as repo
from backend.settings import Settings

logger = logging.getLogger(__name__)
HEADER = b"idempotency-key"
MAX_KEY_LENGTH = 255
MAX_STORED_RESPONSE = 1_000_000
#: How long a key and its response are kept (the draft leaves it to the server; a day covers
#: any client's retries); older keys are purged as new ones are stored.
KEY_LIFETIME_HOURS = 24
_SESSION_COOKIE = b"civictwin_session="


def _scope_hash(scope: Scope, headers: dict[bytes, bytes]) -> str:
    credential = headers.get(b"authorization", b"")
    if not credential:
        for part in headers.get(b"cookie", b"").split(b";"):
            if part.strip().startswith(_SESSION_COOKIE):
                credential = part.strip()
    if not credential:
        client = scope.get("client") or ("unknown", 0)
        credential = f"anonymous {client[0]}".encode()
    return hashlib.sha256(credential).hexdigest()


def _error(
    status: int, detail: str, code: str, extra: tuple[tuple[bytes, bytes], ...] = ()
) -> list[Message]:
    body = json.dumps({"detail": detail, "code": code}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    return [
        {"type": "http.response.start", "status": status, "headers": [*headers, *extra]},
        {"type": "http.response.body", "body": body},
    ]


class IdempotencyMiddleware:
    """Pure ASGI; only POSTs that carry an ``Idempotency-Key`` header are touched."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.max_body = max(
            settings.max_body_kb * 1024,
            settings.max_json_body_kb * 1024,
            int(settings.max_document_mb * 1_000_000),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        raw_key = headers.get(HEADER)
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1").strip()
        if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
            for m in _error(
                400,
                f"header Idempotency-Key: must be 1 to {MAX_KEY_LENGTH} printable characters",
                "BadRequest",
            ):
                await send(m)
            return
        with tempfile.SpooledTemporaryFile(max_size=1_000_000) as body:
            digest = hashlib.sha256()
            digest.update(f"{scope['method']} {scope['path']}?".encode())
            digest.update(scope.get("query_string", b"") + b"\n")
            size = 0
            more = True
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.max_body:
                    # past every route's limit: let the size policy answer it, unbuffered
                    await self._run_unbuffered(scope, receive, send, body, chunk, message)
                    return
                body.write(chunk)
                digest.update(chunk)
                more = message.get("more_body", False)
            pending = repo.PendingKey(_scope_hash(scope, headers), key, digest.hexdigest())
            db: Database = scope["app"].state.db
            answer = await self._stored_answer(db, pending)
            if answer and answer[0]["type"] == "civictwin.recover":
                answer = await self._recovered(scope, db, pending, answer[0]["created"])
            if answer is not None:
                for m in answer:
                    await send(m)
                return
            body.seek(0)
            await self._run(scope, body, send, pending, db)

    async def _run_unbuffered(
        self, scope: Scope, receive: Receive, send: Send, body: Any, chunk: bytes, last: Message
    ) -> None:
        body.write(chunk)
        body.seek(0)
        replayed = [{"type": "http.request", "body": body.read(), "more_body": True}]

        async def replay_then_receive() -> Message:
            return replayed.pop() if replayed else await receive()

        if not last.get("more_body", False):
            replayed[0]["more_body"] = False
        await self.app(scope, replay_then_receive, send)

    async def _stored_answer(self, db: Database, pending: repo.PendingKey) -> list[Message] | None:
        from starlette.concurrency import run_in_threadpool

        def look() -> list[Message] | None:
            with db.sessions() as session:
                row = repo.find(session, pending.scope_hash, pending.key)
                if row is None:
                    return None
                if row.request_hash != pending.request_hash:
                    return _error(
                        422,
                        "header Idempotency-Key: already used for a different request; "
                        "send a new key for a new request",
                        "InvalidInputError",
                    )
                if row.status is None:
                    created = repo.created_rows(row)
                    age = (utcnow() - _aware(row.created_at)).total_seconds()
                    if created and age >= RECOVER_AFTER_S:
                        return [{"type": "civictwin.recover", "created": created}]
                    return _error(
                        409,
                        "header Idempotency-Key: the request with this key was carried out; "
                        "its response is not stored yet: retry shortly",
                        "ConflictError",
                        ((b"retry-after", b"1"),),
                    )
                out = [
                    (b"content-type", (row.content_type or "application/json").encode()),
                    (b"content-length", str(len(row.body or b"")).encode()),
                    (b"idempotent-replayed", b"true"),
                ]
                if row.location:
                    out.append((b"location", row.location.encode()))
                return [
                    {"type": "http.response.start", "status": row.status, "headers": out},
                    {"type": "http.response.body", "body": row.body or b""},
                ]

        return await run_in_threadpool(look)

    async def _run(
        self, scope: Scope, body: Any, send: Send, pending: repo.PendingKey, db: Database
    ) -> None:
        from starlette.concurrency import run_in_threadpool

        sent_all = False

        async def buffered_receive() -> Message:
            nonlocal sent_all
            if sent_all:
                return {"type": "http.disconnect"}
            chunk = body.read(65536)
            more = body.tell() < _length(body)
            sent_all = not more
            return {"type": "http.request", "body": chunk, "more_body": more}

        status = 0
        content_type = location = None
        captured = bytearray()
        too_big = False
        sets_cookie = False

        async def capturing_send(message: Message) -> None:
            nonlocal status, content_type, location, too_big, sets_cookie
            if message["type"] == "http.response.start":
                status = message["status"]
                for k, v in message.get("headers", []):
                    if k.lower() == b"content-type":
                        content_type = v.decode("latin-1")
                    elif k.lower() == b"location":
                        location = v.decode("latin-1")
                    elif k.lower() == b"set-cookie":
                        sets_cookie = True
            elif message["type"] == "http.response.body" and not too_big:
                captured.extend(message.get("body", b""))
                too_big = len(captured) > MAX_STORED_RESPONSE
            await send(message)

        token = repo.current.set(pending)
        try:
            await self.app(scope, buffered_receive, capturing_send)
        finally:
            repo.current.reset(token)
        if not pending.recorded or status >= 500:
            return  # nothing was created (or it failed after: retries get 409, never a rerun)
        if sets_cookie:
            # a sign-in: its session cookie is never stored or sent again; a retry signs in anew

            def drop() -> None:
                with db.sessions() as session:
                    repo.forget(session, pending)

            await run_in_threadpool(drop)
            return
        if too_big:
            logger.warning("Idempotency-Key response over %d bytes not stored", MAX_STORED_RESPONSE)
            return

        def store() -> None:
            with db.sessions() as session:
                repo.store_response(
                    session, pending, status, content_type, location, bytes(captured)
                )
                repo.purge_older_than(session, KEY_LIFETIME_HOURS)

        await run_in_threadpool(store)

    async def _recovered(
        self, scope: Scope, db: Database, pending: repo.PendingKey, created: list[tuple[str, int]]
    ) -> list[Message]:
        """The answer of a request whose worker died between its commit and storing its
        response: the resource it created, read as the caller reads it (its GET route, the
        caller's own headers), with the creating route's status, stored for later retries.
        Without such a resource (no GET route by id for it, or it is gone), 409 as before."""
        from starlette.concurrency import run_in_threadpool

        found = _resource_path(scope, created)
        if found is not None:
            path, status, rid, listed = found
            got_status, content_type, body = await self._get(scope, path)
            location: str | None = None if listed else path
            if got_status == 200 and listed:  # the caller's list: the created item in it
                body = _item_of(body, rid)
            if got_status == 200 and body:

                def store() -> None:
                    with db.sessions() as session:
                        repo.store_response(session, pending, status, content_type, location, body)

                await run_in_threadpool(store)
                headers = [
                    (b"content-type", content_type.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"idempotent-replayed", b"true"),
                ]
                if location is not None:
                    headers.append((b"location", location.encode()))
                return [
                    {"type": "http.response.start", "status": status, "headers": headers},
                    {"type": "http.response.body", "body": body},
                ]
        return _error(
            409,
            "header Idempotency-Key: the request with this key was carried out, and its "
            "response was lost with the server process that answered it",
            "ConflictError",
        )

    async def _get(self, scope: Scope, path: str) -> tuple[int, str, bytes]:
        """GET ``path`` through the app as the caller (their headers, no body)."""
        skip = {b"content-length", b"content-type", b"transfer-encoding", HEADER}
        headers = [(k, v) for k, v in scope.get("headers") or [] if k.lower() not in skip]
        inner = {
            **scope,
            "method": "GET",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "headers": headers,
        }
        inner.pop("router", None)
        inner.pop("route", None)
        inner.pop("path_params", None)
        status, content_type, body = 0, "application/json", bytearray()

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = message["status"]
                for k, v in message.get("headers", []):
                    if k.lower() == b"content-type":
                        content_type = v.decode("latin-1")
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))

        await self.app(inner, receive, send)
        return status, content_type, bytes(body)


#: A key whose response is missing this long after its commit lost it with its worker (a
#: request is answered well within this; a slower one is recovered the same way, correctly).
RECOVER_AFTER_S = 5.0


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _item_of(body: bytes, rid: int) -> bytes:
    """The item with id ``rid`` of a JSON list (or page of ``items``), rendered as FastAPI
    renders a response; empty when it is not there."""
    try:
        data = json.loads(body)
    except ValueError:
        return b""
    items = data.get("items") if isinstance(data, dict) else data
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("id") == rid:
            return json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return b""


def _resource_path(
    scope: Scope, created: list[tuple[str, int]]
) -> tuple[str, int, int, bool] | None:
    """Where to read what ``POST scope['path']`` created: (path, the creating route's status,
    the row's id, whether the path is a list holding it).

    The resource is the created row of the table the path's last segment names
    (``/api/v1/proposals/5/comments`` creates a row of ``comments``), read by the GET route that
    takes its id (the POST path with ``/{id}``, or ``/api/v1/<segment>/{id}``), else found in
    the GET list at the POST path itself (the caller's saved searches)."""
    from fastapi.routing import APIRoute
    from starlette.routing import Match

    post_path = str(scope["path"]).rstrip("/")
    segment = post_path.rsplit("/", 1)[-1]
    table = segment.replace("-", "_")
    ids = [pk for t, pk in created if t == table]
    if not ids:
        return None
    routes = [r for r in scope["app"].router.routes if isinstance(r, APIRoute)]
    status = 201
    for route in routes:
        if "POST" in (route.methods or set()) and route.matches(scope)[0] == Match.FULL:
            status = int(route.status_code or 200)
            break
    gets = [r.path_format for r in routes if "GET" in (r.methods or set())]
    for path in gets:
        m = re.fullmatch(r"(.*)/\{[^}/]+\}", path)
        if m is not None and m[1] in (post_path, f"/api/v1/{segment}"):
            return f"{m[1]}/{ids[0]}", status, ids[0], False
    if post_path in gets:
        return post_path, status, ids[0], True
    return None


def _length(f: Any) -> int:
    here = f.tell()
    f.seek(0, 2)
    end = int(f.tell())
    f.seek(here)
    return end


#: The header as documented in OpenAPI, once under ``components.parameters`` and referred to by
#: every POST operation (the middleware above applies to every POST).
IDEMPOTENCY_KEY_PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        f"Optional, 1 to {MAX_KEY_LENGTH} printable characters, unique per request: a retry "
        "with the same key and the same request is answered with the stored response "
        "(`Idempotent-Replayed: true`) and creates nothing again; the same key with another "
        "request is 422; while the first request is still being answered, 409 with "
        "`Retry-After`; if its answer was lost with its server process, a retry gets the "
        "resource it created (the creating status, `Location`). "
        f"Keys are kept {KEY_LIFETIME_HOURS} hours, per caller. A request that "
        "created nothing, or whose answer signs in (sets a cookie), keeps no key."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
}


def document_idempotency_key(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` (an OpenAPI document) with the ``Idempotency-Key`` header on every POST."""
    components = schema.setdefault("components", {})
    components.setdefault("parameters", {})["IdempotencyKey"] = IDEMPOTENCY_KEY_PARAMETER
    ref = {"$ref": "#/components/parameters/IdempotencyKey"}
    for path_item in schema.get("paths", {}).values():
        operation = path_item.get("post")
        if operation is None:
            continue
        parameters = operation.setdefault("parameters", [])
        if ref not in parameters:
            parameters.append(ref)
    return schema
