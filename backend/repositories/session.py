"""The unit of work that services are handed, and the database's refusals as our own errors.

Services own the transaction (they ``add``, ``delete``, ``get``, ``flush``, ``commit`` and
``rollback`` the unit of work) but never import SQLAlchemy (an import-linter contract): they
annotate it as :data:`Session` from here, leave every query to a repository, and catch
:class:`UniqueViolation` instead of the driver's integrity error, raised by :func:`flush` and
:func:`commit` here after rolling the unit of work back.
"""

from __future__ import annotations

from typing import TypeAlias

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as _Session

#: The unit of work (one transaction at a time) a service is handed.
Session: TypeAlias = _Session


class UniqueViolation(Exception):
    """A write broke a unique or foreign-key constraint (e.g. a concurrent request inserted the
    same key first); the unit of work has been rolled back."""


def flush(session: Session) -> None:
    """Send pending changes; a constraint violation rolls back and raises
    :class:`UniqueViolation`."""
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise UniqueViolation(str(exc.orig).strip().splitlines()[0]) from None


def commit(session: Session) -> None:
    """Commit; a constraint violation rolls back and raises :class:`UniqueViolation`."""
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise UniqueViolation(str(exc.orig).strip().splitlines()[0]) from None
