"""Turn exceptions into the error model ``{"detail": "...", "code": "ErrorName"}``.

One table (:data:`backend.errors.STATUS_CODES`) maps each domain error to a status; request
validation errors name the parameter and where it is; anything unexpected is logged with its
traceback and the request id, and answered with a generic 500 that shows no internals.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.db.errors import domain_error as database_domain_error
from backend.errors import CivicTwinError, RateLimitedError, ServiceUnavailableError, status_for
from backend.logging_setup import request_id_var

logger = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "BadRequest",
    401: "AuthenticationError",
    403: "PermissionDeniedError",
    404: "NotFoundError",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "ConflictError",
    413: "PayloadTooLargeError",
    415: "UnsupportedMediaTypeError",
    416: "RangeNotSatisfiable",
    422: "InvalidInputError",
    429: "RateLimitedError",
}


class ErrorModel(BaseModel):
    """What every error response carries."""

    detail: str
    code: str


def error_response(status: int, detail: str, code: str, headers: Any = None) -> JSONResponse:
    return JSONResponse({"detail": detail, "code": code}, status_code=status, headers=headers)


def _where(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        kind, rest = parts[0], parts[1:]
        return f"{kind} {'.'.join(rest)}" if rest else kind
    return ".".join(parts)


def _validation_message(exc: RequestValidationError) -> str:
    msgs = []
    for err in exc.errors()[:5]:
        msg = str(err.get("msg", "invalid"))
        msgs.append(f"{_where(tuple(err.get('loc', ())))}: {msg}")
    more = len(exc.errors()) - 5
    return "; ".join(msgs) + (f"; and {more} more" if more > 0 else "")


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CivicTwinError)
    status = status_for(exc)
    headers = None
    if isinstance(exc, (RateLimitedError, ServiceUnavailableError)):
        headers = {"Retry-After": str(exc.retry_after_s)}
    if isinstance(exc, ServiceUnavailableError):
        # our own sentence (no internals): what is unavailable and that a retry may work
        logger.warning("%s on %s %s: %s", exc.code, request.method, request.url.path, exc.detail)
        return error_response(status, exc.detail, exc.code, headers)
    if status >= 500:
        logger.error("%s: %s", exc.code, exc.detail)
        return error_response(status, "internal error", "InternalError")
    return error_response(status, exc.detail, exc.code, headers)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """A driver error: the domain error it stands for (503 busy/unavailable, 422), else a 500."""
    domain = database_domain_error(exc)
    if domain is None:
        raise exc  # a bug: answered as any unhandled error (logged, 500 with the request id)
    return await _domain_error(request, domain)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(422, _validation_message(exc), "InvalidInputError")


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "HTTPError")
    return error_response(exc.status_code, str(exc.detail), code, getattr(exc, "headers", None))


def internal_error_body(request_id: str) -> bytes:
    """The body of a 500: no internals, only the request id to quote when reporting it."""
    detail = f"internal error (request id {request_id})"
    return json.dumps({"detail": detail, "code": "InternalError"}).encode()


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # last resort only: RequestIdMiddleware answers unhandled errors inside the request's scope
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(
        500, f"internal error (request id {request_id_var.get()})", "InternalError"
    )


def add_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CivicTwinError, _domain_error)
    app.add_exception_handler(sa.exc.SQLAlchemyError, _database_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


#: For ``responses=`` in route decorators, so OpenAPI documents the error model.
def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: {"model": ErrorModel, "description": _HTTP_CODES.get(s, "Error")} for s in statuses}
