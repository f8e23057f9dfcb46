"""Turn exceptions into the error model ``{"detail": "...", "code": "ErrorName", "key", "params"}``.

``detail`` is the English sentence and ``code`` the error's class; ``key`` and ``params`` say
the same for a UI to translate (``{"key": "text_too_long", "params": {"field": "body",
"max": 2000}}``).

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
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.db.errors import domain_error as database_domain_error
from backend.errors import (
    CivicTwinError,
    ErrorParams,
    RateLimitedError,
    ServiceUnavailableError,
    status_for,
)
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


#: the message key of an HTTP error raised by the framework (unknown route, wrong method)
_HTTP_KEYS = {
    401: "not_signed_in",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_type",
    429: "rate_limited",
}


class ErrorModel(BaseModel):
    """What every error response carries."""

    detail: str = Field(description="What went wrong, as an English sentence")
    code: str = Field(description="The error's class (``NotFoundError``, ``InvalidInputError``…)")
    key: str | None = Field(
        None,
        description="The message as a key for a UI to translate, with ``params`` "
        "(``text_too_long``, ``role_required``…)",
        examples=["text_too_long"],
    )
    params: dict[str, str | int | float | list[str]] = Field(
        default_factory=dict,
        description="The values the translated message needs (field, limits, role…)",
        examples=[{"field": "body", "max": 2000}],
    )


def error_response(
    status: int,
    detail: str,
    code: str,
    headers: Any = None,
    *,
    key: str | None = None,
    params: ErrorParams | None = None,
) -> JSONResponse:
    body = {"detail": detail, "code": code, "key": key or "error", "params": params or {}}
    return JSONResponse(body, status_code=status, headers=headers)


def _where(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        kind, rest = parts[0], parts[1:]
        return f"{kind} {'.'.join(rest)}" if rest else kind
    return ".".join(parts)


def _field(loc: tuple[Any, ...]) -> str:
    """The field of a validation error as a dotted path (``massing.0.height_m``)."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:] or parts
    return ".".join(parts)


def validation_key(err: dict[str, Any]) -> tuple[str, ErrorParams]:
    """The message key and params of one pydantic error (its type and context)."""
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    params: ErrorParams = {"field": _field(tuple(err.get("loc", ())))}
    if kind == "string_too_long":
        return "text_too_long", {**params, "max": int(ctx.get("max_length", 0))}
    if kind == "string_too_short":
        return "text_too_short", {**params, "min": int(ctx.get("min_length", 0))}
    if kind == "too_long":
        return "too_many", {**params, "max": int(ctx.get("max_length", 0))}
    if kind == "too_short":
        return "too_few", {**params, "min": int(ctx.get("min_length", 0))}
    if kind in ("greater_than_equal", "greater_than"):
        return "number_too_small", {**params, "min": _number(ctx.get("ge", ctx.get("gt")))}
    if kind in ("less_than_equal", "less_than"):
        return "number_too_large", {**params, "max": _number(ctx.get("le", ctx.get("lt")))}
    if kind == "missing":
        return "field_missing", params
    if kind in ("literal_error", "enum"):
        return "not_allowed", {**params, "allowed": str(ctx.get("expected", ""))}
    if kind == "extra_forbidden":
        return "unknown_field", params
    return "invalid_field", params


def _number(value: Any) -> int | float | str:
    return value if isinstance(value, (int, float)) else str(value)


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
        return error_response(status, exc.detail, exc.code, headers, key=exc.key, params=exc.params)
    if status >= 500:
        logger.error("%s: %s", exc.code, exc.detail)
        return error_response(status, "internal error", "InternalError", key="internal")
    return error_response(status, exc.detail, exc.code, headers, key=exc.key, params=exc.params)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """A driver error: the domain error it stands for (503 busy/unavailable, 422), else a 500."""
    domain = database_domain_error(exc)
    if domain is None:
        raise exc  # a bug: answered as any unhandled error (logged, 500 with the request id)
    return await _domain_error(request, domain)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    key, params = validation_key(dict(errors[0])) if errors else ("invalid", {})
    return error_response(
        422, _validation_message(exc), "InvalidInputError", key=key, params=params
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "HTTPError")
    return error_response(
        exc.status_code,
        str(exc.detail),
        code,
        getattr(exc, "headers", None),
        key=_HTTP_KEYS.get(exc.status_code, "error"),
    )


def internal_error_body(request_id: str) -> bytes:
    """The body of a 500: no internals, only the request id to quote when reporting it."""
    detail = f"internal error (request id {request_id})"
    body = {"detail": detail, "code": "InternalError", "key": "internal", "params": {}}
    return json.dumps(body).encode()


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # last resort only: RequestIdMiddleware answers unhandled errors inside the request's scope
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(
        500, f"internal error (request id {request_id_var.get()})", "InternalError", key="internal"
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
