"""The exception tree of the backend and the one table mapping each exception to an HTTP status.

Domain code raises these; only ``backend.api`` turns them into responses
(see :func:`backend.api.errors.add_exception_handlers`).
"""

from __future__ import annotations


class CivicTwinError(Exception):
    """Root of every error the backend raises on purpose."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    @property
    def code(self) -> str:
        return type(self).__name__


class ConfigurationError(CivicTwinError):
    """The deployment is misconfigured; start-up stops with this one sentence."""


class NotFoundError(CivicTwinError):
    """The addressed resource does not exist (or is not visible to the caller)."""


class InvalidInputError(CivicTwinError):
    """The request is well-formed but its content is wrong."""


class ConflictError(CivicTwinError):
    """The request conflicts with what is stored (duplicate, wrong state)."""


class AuthenticationError(CivicTwinError):
    """No or invalid credentials."""


class PermissionDeniedError(CivicTwinError):
    """Authenticated, but not allowed."""


class CSRFError(PermissionDeniedError):
    """A cookie-authenticated write without a valid CSRF token."""


class EmailNotVerifiedError(PermissionDeniedError):
    """The account has not confirmed its e-mail address yet (posting and reporting need it)."""


class RateLimitedError(CivicTwinError):
    """Too many requests; try again later."""

    def __init__(self, detail: str, retry_after_s: int = 60) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


class PayloadTooLargeError(CivicTwinError):
    """An upload or body exceeds its size limit."""


class UnsupportedMediaTypeError(CivicTwinError):
    """An upload is not of an accepted type."""


class ServiceUnavailableError(CivicTwinError):
    """A backing service (database, Redis) cannot be reached."""

    def __init__(self, detail: str, retry_after_s: int = 30) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


class DatabaseUnavailableError(ServiceUnavailableError):
    """The database cannot be reached or cannot store (server down, disk full, read-only)."""


class DatabaseBusyError(ServiceUnavailableError):
    """The database is too busy right now (write lock or connection pool); retry shortly."""

    def __init__(self, detail: str, retry_after_s: int = 2) -> None:
        super().__init__(detail, retry_after_s)


#: One table, most specific class first wins (looked up along the MRO).
STATUS_CODES: dict[type[CivicTwinError], int] = {
    CivicTwinError: 400,
    InvalidInputError: 422,
    NotFoundError: 404,
    ConflictError: 409,
    AuthenticationError: 401,
    PermissionDeniedError: 403,
    CSRFError: 403,
    RateLimitedError: 429,
    PayloadTooLargeError: 413,
    UnsupportedMediaTypeError: 415,
    ServiceUnavailableError: 503,
    ConfigurationError: 500,
}


def status_for(exc: CivicTwinError) -> int:
    """The HTTP status of ``exc``: the entry of its closest class in :data:`STATUS_CODES`."""
    for cls in type(exc).__mro__:
        if cls in STATUS_CODES:
            return STATUS_CODES[cls]
    return 500
