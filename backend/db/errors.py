"""What a failure of the database driver means for the caller, as a domain error.

The drivers raise their own exception types (wrapped by SQLAlchemy); :func:`domain_error` turns
the ones that are not bugs into errors of :mod:`backend.errors`: the database being down, full or
read-only is :class:`DatabaseUnavailableError`, a write lock or connection that could not be had
in time is :class:`DatabaseBusyError` (both 503 with ``Retry-After``), and a value the column
type cannot hold (PostgreSQL ``integer out of range``) is :class:`InvalidInputError`. Anything
else stays a bug (``None``): the API answers it with a generic 500 and logs the traceback.
"""

from __future__ import annotations

import sqlalchemy as sa

from backend.errors import (
    CivicTwinError,
    DatabaseBusyError,
    DatabaseUnavailableError,
    InvalidInputError,
)

# SQLite reports these as OperationalError messages (sqlite3 has no error codes before 3.11's
# sqlite_errorname, and sqlean's attribute support varies), PostgreSQL by SQLSTATE.
_SQLITE_BUSY = ("database is locked", "database is busy", "database table is locked")
_SQLITE_UNAVAILABLE = {
    "database or disk is full": "the database's disk is full",
    "attempt to write a readonly database": "the database is read-only",
    "disk i/o error": "the database's disk failed (I/O error)",
    "unable to open database file": "the database file cannot be opened",
}
#: SQLSTATE classes and codes: 40 transaction rollback (deadlock, serialization), 55P03 lock not
#: available, 57014 query cancelled (statement timeout) are "busy"; 53 insufficient resources
#: (disk full, out of memory, too many connections), 57P0x shutdown, 08 connection are "down".
_PG_BUSY_PREFIXES = ("40", "55P03", "57014")
_PG_UNAVAILABLE_PREFIXES = ("53", "57P", "08")
_PG_OUT_OF_RANGE = "22003"  # numeric_value_out_of_range


def _sqlstate(exc: sa.exc.DBAPIError) -> str:
    return str(getattr(exc.orig, "sqlstate", None) or "")


def domain_error(exc: BaseException) -> CivicTwinError | None:
    """The domain error ``exc`` stands for, or ``None`` when it is a bug."""
    if isinstance(exc, sa.exc.TimeoutError):  # the pool had no free connection in time
        return DatabaseBusyError("the database is busy (no free connection); retry shortly")
    if not isinstance(exc, sa.exc.DBAPIError):
        return None
    message = str(exc.orig).strip().lower()
    state = _sqlstate(exc)
    if state == _PG_OUT_OF_RANGE:
        return InvalidInputError(
            "a number in the request is out of range for the database "
            f"({str(exc.orig).strip().splitlines()[0]})"
        )
    if state.startswith(_PG_BUSY_PREFIXES) or any(m in message for m in _SQLITE_BUSY):
        return DatabaseBusyError("the database is busy (lock not available in time); retry shortly")
    for needle, sentence in _SQLITE_UNAVAILABLE.items():
        if needle in message:
            return DatabaseUnavailableError(f"{sentence}; try again later")
    if state.startswith(_PG_UNAVAILABLE_PREFIXES):
        return DatabaseUnavailableError("the database cannot serve requests now; try again later")
    psycopg_error = hasattr(exc.orig, "sqlstate")
    if exc.connection_invalidated or (
        psycopg_error and isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError))
    ):
        # psycopg raises OperationalError without SQLSTATE when it cannot connect at all; an
        # unknown SQLite OperationalError ("no such table", a syntax error) stays a bug
        return DatabaseUnavailableError("the database cannot be reached; try again later")
    return None


__all__ = ["domain_error"]
