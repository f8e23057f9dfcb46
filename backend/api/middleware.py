"""Request ids: taken from ``X-Request-ID`` when sane, else made; echoed on every response.

An exception no handler took is answered here, inside the request id's scope: a generic 500 in
the error model that names the request id, with the ``X-Request-ID`` header, logged with its
traceback and counted as status 500 in the access log (Starlette's own last-resort handler sits
outside every middleware, where the id and the header are already gone).
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.api.errors import internal_error_body
from backend.logging_setup import request_id_var

logger = logging.getLogger("backend.access")
error_logger = logging.getLogger("backend.api.errors")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Pure ASGI (not BaseHTTPMiddleware) so streaming responses such as SSE are not buffered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(rid)
        start = time.perf_counter()
        status = 0
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", rid.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            error_logger.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if started:
                raise  # the status line is out: nothing to do but cut the response
            body = internal_error_body(rid)
            await send_with_id(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send_with_id({"type": "http.response.body", "body": body})
        finally:
            client = scope.get("client")
            logger.info(
                "%s %s %s %.1fms %s",
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - start) * 1000,
                client[0] if client else "-",
            )
            request_id_var.reset(token)
