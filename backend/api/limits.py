"""One request-size policy for the whole app, enforced before and while the body is read.

Every request body is bounded: by a small default (``max_body_kb``, JSON of accounts, comments,
reactions, searches) unless its route is listed in :data:`ROUTE_LIMITS` (proposal and massing
writes that carry geometry, and the streamed uploads). The limit is applied in two places, both
before any handler, dependency or authentication runs (at the route's first read of its body):

* a declared ``Content-Length`` over the limit is answered 413 at once, without reading a byte;
* the bytes actually received (chunked bodies, or a body longer than declared) are counted as
  they arrive and reading stops with 413 as soon as they pass the limit.

Uploads keep their own streaming check too (:mod:`backend.api.uploads`), which also discards the
partial file; the limit here is the same number, so whichever trips first says the same thing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.settings import Settings


@dataclass(frozen=True)
class BodyLimit:
    """The largest body a route takes, and how to name it in the 413 sentence."""

    limit_bytes: int
    label: str
    shown: str  # the limit as the setting states it: "64 KB", "50 MB"
    where: str = "body"

    def sentence(self) -> str:
        return f"{self.where}: the {self.label} is larger than the limit of {self.shown}"


def _kb(kb: int, label: str = "request body") -> BodyLimit:
    return BodyLimit(kb * 1024, label, f"{kb} KB")


def _mb(mb: float, label: str) -> BodyLimit:
    # the same words as the upload's own streaming check (backend.api.uploads)
    return BodyLimit(int(mb * 1_000_000), label, f"{mb:g} MB", where="file")


def _json(settings: Settings) -> BodyLimit:
    return _kb(settings.max_json_body_kb)


def _comment(settings: Settings) -> BodyLimit:
    # the longest comment allowed, every character \uXXXX-escaped (6 bytes), plus its anchor
    kb = -(-(settings.comment_max_length * 6 + 16_384) // 1024)
    return _kb(max(settings.max_body_kb, kb))


#: Per-route exceptions to the default, by ``operation_id``; everything else gets
#: :func:`default_limit`. Geometry writes may be large; uploads stream a file to disk.
ROUTE_LIMITS: dict[str, Callable[[Settings], BodyLimit]] = {
    "createProposal": _json,
    "updateProposal": _json,
    "setProposalMassing": _json,
    "createOpportunity": _json,
    "updateOpportunity": _json,
    "createComment": _comment,
    "updateComment": _comment,
    "uploadProposalModel": lambda s: _mb(s.max_model_mb, "3D model"),
    "uploadProposalDocument": lambda s: _mb(s.max_document_mb, "document"),
}


def default_limit(settings: Settings) -> BodyLimit:
    return _kb(settings.max_body_kb)


class BodyTooLargeError(HTTPException):
    """Raised from ``receive`` once a body passes its limit: FastAPI lets HTTPExceptions through
    its body parsing, so the app's handler answers it as a 413 in the error model."""

    def __init__(self, limit: BodyLimit) -> None:
        super().__init__(413, limit.sentence())


class BodyLimitMiddleware:
    """Pure ASGI: wraps ``receive`` so that the first read checks ``Content-Length`` and every
    read counts the bytes. The limit is chosen at that first read, when routing has put the
    matched route in ``scope["route"]`` (Starlette) and before FastAPI parses the body, runs a
    dependency or authenticates; a route that never reads its body is never charged."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self._limits = {op: make(settings) for op, make in ROUTE_LIMITS.items()}
        self._default = default_limit(settings)

    def limit_for(self, scope: Scope) -> BodyLimit:
        op = getattr(scope.get("route"), "operation_id", None)
        return self._limits.get(op or "", self._default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = [v for k, v in scope.get("headers") or [] if k == b"content-length"]
        text = declared[0].decode("latin-1").strip() if declared else ""
        if declared and (len(declared) > 1 or not text.isdigit()):
            await _reply(send, 400, "header Content-Length: not a single whole number")
            return
        limit: BodyLimit | None = None
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal limit, received
            if limit is None:
                limit = self.limit_for(scope)
                if text and int(text) > limit.limit_bytes:
                    raise BodyTooLargeError(limit)  # refused before a byte is read
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit.limit_bytes:
                    raise BodyTooLargeError(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLargeError as exc:
            # raised where no exception handler sits (a mount or middleware reading the body)
            if started:
                raise
            await _reply(send, 413, str(exc.detail))


async def _reply(send: Send, status: int, detail: str) -> None:
    code = "PayloadTooLargeError" if status == 413 else "BadRequest"
    body = json.dumps({"detail": detail, "code": code}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
