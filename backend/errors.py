"""The exception tree of the backend and the one table mapping each exception to an HTTP status.

Domain code raises these; only ``backend.api`` turns them into responses
(see :func:`backend.api.errors.add_exception_handlers`).
"""

from __future__ import annotations

#: What an error's ``params`` may hold: numbers and short strings the UI puts in its sentence.
ErrorParams = dict[str, str | int | float | list[str]]


class CivicTwinError(Exception):
    """Root of every error the backend raises on purpose.

    ``detail`` is the English sentence; ``key`` and ``params`` say the same for a UI to
    translate (``key="role_required", params={"role": "planner"}``). Without a ``key`` the
    class's :attr:`default_key` is sent.
    """

    #: the message key of errors of this class raised without one of their own
    default_key = "error"

    def __init__(
        self, detail: str, *, key: str | None = None, params: ErrorParams | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.key = key or self.default_key
        self.params: ErrorParams = dict(params or {})

    @property
    def code(self) -> str:
        return type(self).__name__


class ConfigurationError(CivicTwinError):
    """The deployment is misconfigured; start-up stops with this one sentence."""

    default_key = "misconfigured"


class NotFoundError(CivicTwinError):
    """The addressed resource does not exist (or is not visible to the caller)."""

    default_key = "not_found"


class InvalidInputError(CivicTwinError):
    """The request is well-formed but its content is wrong."""

    default_key = "invalid"


class ConflictError(CivicTwinError):
    """The request conflicts with what is stored (duplicate, wrong state)."""

    default_key = "conflict"


class AuthenticationError(CivicTwinError):
    """No or invalid credentials."""

    default_key = "not_signed_in"


class PermissionDeniedError(CivicTwinError):
    """Authenticated, but not allowed."""

    default_key = "forbidden"


class CSRFError(PermissionDeniedError):
    """A cookie-authenticated write without a valid CSRF token."""

    default_key = "csrf"


class EmailNotVerifiedError(PermissionDeniedError):
    """The account has not confirmed its e-mail address yet (posting and reporting need it)."""

    default_key = "email_not_verified"


class RateLimitedError(CivicTwinError):
    """Too many requests; try again later."""

    default_key = "rate_limited"

    def __init__(
        self,
        detail: str,
        retry_after_s: int = 60,
        *,
        key: str | None = None,
        params: ErrorParams | None = None,
    ) -> None:
        super().__init__(detail, key=key, params={"retry_after_s": retry_after_s, **(params or {})})
        self.retry_after_s = retry_after_s


class PayloadTooLargeError(CivicTwinError):
    """An upload or body exceeds its size limit."""

    default_key = "too_large"


class UnsupportedMediaTypeError(CivicTwinError):
    """An upload is not of an accepted type."""

    default_key = "unsupported_type"


class ServiceUnavailableError(CivicTwinError):
    """A backing service (database, Redis) cannot be reached."""

    default_key = "unavailable"

    def __init__(
        self,
        detail: str,
        retry_after_s: int = 30,
        *,
        key: str | None = None,
        params: ErrorParams | None = None,
    ) -> None:
        super().__init__(detail, key=key, params={"retry_after_s": retry_after_s, **(params or {})})
        self.retry_after_s = retry_after_s


class DatabaseUnavailableError(ServiceUnavailableError):
    """The database cannot be reached or cannot store (server down, disk full, read-only)."""

    default_key = "unavailable"


class DatabaseBusyError(ServiceUnavailableError):
    """The database is too busy right now (write lock or connection pool); retry shortly."""

    default_key = "busy"

    def __init__(
        self,
        detail: str,
        retry_after_s: int = 2,
        *,
        key: str | None = None,
        params: ErrorParams | None = None,
    ) -> None:
        super().__init__(detail, retry_after_s, key=key, params=params)


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
