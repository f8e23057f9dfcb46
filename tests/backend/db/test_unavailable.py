"""A database that is down, full or busy is a 503 with ``Retry-After``, never a 500.

The faults are real: PostgreSQL refusing connections to the test's database (its sessions
terminated), a SpatiaLite file that cannot grow (``max_page_count``, SQLite's own "disk full").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import event

from backend.db.engine import Database
from backend.db.models import Comment, Proposal, User
from backend.db.types import utcnow
from backend.main import create_app
from backend.settings import Settings
from tests.services import PostgresServer

Headers = dict[str, str]


def _proposal(database: Database) -> int:
    with database.sessions() as session:
        today = utcnow().date()
        proposal = Proposal(
            reference="DOWN/0001",
            title="Fault test site",
            stage="consultation",
            consultation_start=today - timedelta(days=1),
            consultation_end=today + timedelta(days=10),
        )
        session.add(proposal)
        session.commit()
        return proposal.id


def _assert_unavailable(r: Any, code: str = "DatabaseUnavailableError") -> None:
    assert r.status_code == 503, r.text
    assert r.json()["code"] == code
    assert "database" in r.json()["detail"]
    assert int(r.headers["retry-after"]) >= 1
    assert "Traceback" not in r.text and "psycopg" not in r.text and "sqlite" not in r.text


@pytest.mark.parametrize("db_url", ["postgis"], indirect=True)
def test_postgis_down_is_503_with_retry_after_on_health_reads_and_writes(
    db_url: str,
    settings: Settings,
    database: Database,
    postgis: PostgresServer,
    make_user: Callable[..., User],
    bearer: Callable[[User], Headers],
) -> None:
    proposal_id = _proposal(database)
    headers = bearer(make_user())
    name = sa.make_url(db_url).database
    admin = sa.create_engine(postgis.url("postgres"), isolation_level="AUTOCOMMIT")
    with TestClient(create_app(settings, database=database)) as client:
        assert client.get("/api/v1/health").status_code == 200
        with admin.connect() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
        try:
            _assert_unavailable(client.get("/api/v1/health"))
            _assert_unavailable(client.get("/api/v1/proposals"))
            _assert_unavailable(client.get(f"/api/v1/proposals/{proposal_id}/comments"))
            _assert_unavailable(
                client.post(
                    f"/api/v1/proposals/{proposal_id}/comments",
                    json={"body": "while the server is down", "sentiment": "neutral"},
                    headers=headers,
                )
            )
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            admin.dispose()
        assert client.get("/api/v1/health").status_code == 200  # and it recovers by itself


@pytest.fixture
def full_disk_database(db_url: str) -> Iterator[Database]:
    """The test's SpatiaLite database on a "disk" that can grow by a few pages only."""
    db = Database.connect(db_url)
    with db.engine.connect() as conn:
        pages = int(conn.exec_driver_sql("PRAGMA page_count").scalar_one())

    def cap(dbapi_conn: Any, record: Any) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 4}")

    db.engine.dispose()
    event.listen(db.engine, "connect", cap)
    yield db
    db.dispose()


@pytest.mark.parametrize("db_url", ["spatialite"], indirect=True)
def test_spatialite_disk_full_is_503_and_keeps_what_was_stored(
    settings: Settings,
    full_disk_database: Database,
    make_user: Callable[..., User],
    bearer: Callable[[User], Headers],
) -> None:
    database = full_disk_database
    proposal_id = _proposal(database)
    user = make_user()
    headers = bearer(user)
    app = create_app(
        settings.model_copy(update={"comment_rate_per_user": 1000, "comment_rate_per_ip": 1000}),
        database=database,
    )
    accepted = 0
    with TestClient(app) as client:
        for n in range(200):
            r = client.post(
                f"/api/v1/proposals/{proposal_id}/comments",
                json={"body": f"{n} " + "a long comment about the scheme " * 60},
                headers=headers,
            )
            if r.status_code != 201:
                break
            accepted += 1
        _assert_unavailable(r)
        assert "disk is full" in r.json()["detail"]
        assert client.get(f"/api/v1/proposals/{proposal_id}/comments").status_code == 200
    with database.sessions() as session:
        stored = session.scalar(sa.select(sa.func.count()).select_from(Comment))
    assert stored == accepted > 0
