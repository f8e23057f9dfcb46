"""Read and write sessions: what each one is on the server, on both engines."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from backend.db.engine import Database
from backend.repositories import throttles


def _two_moments(session: sa.orm.Session) -> tuple[object, object]:
    """The transaction's start as the second statement of the session sees it, and that
    statement's own start: equal only when each statement is its own transaction."""
    session.execute(sa.text("SELECT 1"))
    return session.execute(sa.text("SELECT now(), statement_timestamp()")).one()._tuple()


@pytest.mark.parametrize("db_url", ["postgis"], indirect=True)
def test_postgis_reads_run_each_statement_on_its_own_and_writes_in_one_transaction(
    database: Database,
) -> None:
    with database.read_sessions() as session:
        started, statement = _two_moments(session)
        assert started == statement  # autocommit: no BEGIN, no ROLLBACK round trips
        conn = session.connection().connection.dbapi_connection
        assert conn is not None and conn.info.transaction_status.name == "IDLE"
    with database.sessions() as session:
        started, statement = _two_moments(session)
        assert started < statement  # one transaction around both
    # the pool gives the reader's connection back as it was: a writer after it is transactional
    for _ in range(3):
        with database.read_sessions() as session:
            session.execute(sa.text("SELECT 1"))
        with database.sessions() as session:
            started, statement = _two_moments(session)
            assert started < statement


def test_a_throttle_refuses_a_read_session_on_both_engines(database: Database) -> None:
    with database.read_sessions() as session, pytest.raises(RuntimeError, match="writing session"):
        throttles.serialize(session, "comment-rate:test")
    with database.sessions() as session:
        throttles.serialize(session, "comment-rate:test")  # a writer holds it
        session.rollback()
