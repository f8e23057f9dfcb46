"""Concurrency against live servers: readers beside writers on SpatiaLite, throttles on PostGIS.

Real uvicorn servers on loopback, real databases, parallel HTTP clients; no timings asserted,
only outcomes (statuses, counts of what was stored).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx
import pytest
import sqlalchemy as sa

from backend.db.engine import Database
from backend.db.models import Comment, Proposal, User
from backend.db.types import utcnow
from backend.main import create_app
from backend.repositories.throttles import lock_id
from backend.settings import Settings
from tests.services import free_port, live_server

Headers = dict[str, str]
CLI = [sys.executable, "-m", "backend.cli"]

READ_PATHS = ("/api/v1/proposals", "/api/v1/proposals/{id}/comments", "/api/v1/opportunities")


def _proposal(database: Database) -> int:
    with database.sessions() as session:
        today = utcnow().date()
        proposal = Proposal(
            reference="CONC/0001",
            title="Concurrency test site",
            stage="consultation",
            consultation_start=today - timedelta(days=1),
            consultation_end=today + timedelta(days=10),
        )
        session.add(proposal)
        session.commit()
        return proposal.id


def _comment(n: int) -> dict[str, object]:
    return {"body": f"comment number {n} on the scheme", "sentiment": "neutral"}


def _stored_comments(database: Database, author_id: int | None = None) -> int:
    with database.sessions() as session:
        query = sa.select(sa.func.count()).select_from(Comment)
        if author_id is not None:
            query = query.where(Comment.author_id == author_id)
        return int(session.scalar(query) or 0)


@pytest.mark.parametrize("db_url", ["spatialite"], indirect=True)
def test_fifty_readers_beside_writers_on_spatialite_get_no_errors(
    settings: Settings,
    database: Database,
    make_user: Callable[..., User],
    bearer: Callable[[User], Headers],
) -> None:
    proposal_id = _proposal(database)
    writers = [bearer(make_user()) for _ in range(5)]
    app = create_app(settings.model_copy(update={"comment_rate_per_ip": 10_000}), database=database)
    reads_per_client, posts_per_writer = 8, 8
    with live_server(app) as base:
        limits = httpx.Limits(max_connections=80, max_keepalive_connections=80)
        with httpx.Client(base_url=base, timeout=60, limits=limits) as http:

            def read(n: int) -> list[int]:
                paths = [READ_PATHS[(n + i) % 3].format(id=proposal_id) for i in range(8)]
                return [http.get(p).status_code for p in paths[:reads_per_client]]

            def write(headers: Headers) -> list[int]:
                return [
                    http.post(
                        f"/api/v1/proposals/{proposal_id}/comments",
                        json=_comment(i),
                        headers=headers,
                    ).status_code
                    for i in range(posts_per_writer)
                ]

            with ThreadPoolExecutor(55) as pool:
                reads = [pool.submit(read, n) for n in range(50)]
                writes = [pool.submit(write, h) for h in writers]
                read_statuses = Counter(s for f in reads for s in f.result())
                write_statuses = Counter(s for f in writes for s in f.result())
    assert read_statuses == {200: 50 * reads_per_client}
    assert write_statuses == {201: 5 * posts_per_writer}
    assert _stored_comments(database) == 5 * posts_per_writer


@pytest.fixture
def short_lock_database(db_url: str) -> Iterator[Database]:
    """The test's SpatiaLite database with writers waiting at most 1 s for the write lock."""
    db = Database.connect(db_url, sqlite_busy_timeout_s=1.0)
    yield db
    db.dispose()


@pytest.mark.parametrize("db_url", ["spatialite"], indirect=True)
def test_reads_do_not_wait_for_a_held_write_lock_and_a_blocked_write_is_503(
    settings: Settings,
    short_lock_database: Database,
    make_user: Callable[..., User],
    bearer: Callable[[User], Headers],
) -> None:
    database = short_lock_database
    proposal_id = _proposal(database)
    headers = bearer(make_user())
    app = create_app(settings, database=database)
    holder = database.engine.connect()  # another writer (a CLI import, say) holds the lock
    with live_server(app) as base, httpx.Client(base_url=base, timeout=30) as http:
        holder.execute(
            sa.text("UPDATE proposals SET title = title WHERE id = :i"), {"i": proposal_id}
        )
        try:
            reads = [http.get(p.format(id=proposal_id)) for p in READ_PATHS]
            health = http.get("/api/v1/health")
            blocked = http.post(
                f"/api/v1/proposals/{proposal_id}/comments", json=_comment(1), headers=headers
            )
        finally:
            holder.rollback()
            holder.close()
        after = http.post(
            f"/api/v1/proposals/{proposal_id}/comments", json=_comment(2), headers=headers
        )
    assert [r.status_code for r in reads] == [200, 200, 200]
    assert health.status_code == 200
    assert blocked.status_code == 503, blocked.text
    assert blocked.json()["code"] == "DatabaseBusyError"
    assert "busy" in blocked.json()["detail"]
    assert int(blocked.headers["retry-after"]) >= 1
    assert after.status_code == 201
    assert _stored_comments(database) == 1  # the refused one left nothing behind


@pytest.mark.parametrize("db_url", ["spatialite", "postgis"], indirect=True)
def test_writers_waiting_for_a_lock_leave_readers_their_own_slots(
    settings: Settings,
    db_url: str,
    make_user: Callable[..., User],
    bearer: Callable[[User], Headers],
) -> None:
    """More writers waiting for a lock than requests are admitted (8 against the pool's 6):
    SQLite's write lock held by another connection, or on PostGIS the account's comment
    throttle held by another transaction. Readers must not wait for them: the reads are
    answered while the lock is still held, and the writers, which outlast the reads, then all
    commit."""
    database = Database.connect(db_url, sqlite_busy_timeout_s=8.0)
    writers = 8
    assert writers > database.max_sessions + (database.max_read_sessions or 0)
    try:
        proposal_id = _proposal(database)
        author = make_user()
        headers = bearer(author)
        app = create_app(
            settings.model_copy(update={"comment_rate_per_ip": 10_000}), database=database
        )
        holder = database.engine.connect()
        with live_server(app) as base, httpx.Client(base_url=base, timeout=20) as http:
            if database.kind == "spatialite":
                holder.execute(
                    sa.text("UPDATE proposals SET title = title WHERE id = :i"), {"i": proposal_id}
                )
            else:
                key = lock_id(f"comment-rate:author_id={author.id}")
                holder.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
            with ThreadPoolExecutor(writers) as pool:
                try:
                    posts = [
                        pool.submit(
                            http.post,
                            f"/api/v1/proposals/{proposal_id}/comments",
                            json=_comment(n),
                            headers=headers,
                        )
                        for n in range(writers)
                    ]
                    time.sleep(0.5)  # the writers in, waiting for the lock
                    reads = [http.get(p.format(id=proposal_id)) for p in READ_PATHS]
                    reads.append(http.get("/api/v1/health"))
                    pending = sum(not f.done() for f in posts)
                finally:
                    holder.rollback()
                    holder.close()
                written = Counter(f.result().status_code for f in posts)
        assert [r.status_code for r in reads] == [200, 200, 200, 200]
        assert pending == writers  # the reads came back while every writer still waited
        assert written == {201: writers}
        assert _stored_comments(database) == writers
    finally:
        database.dispose()


@pytest.mark.parametrize("db_url", ["spatialite"], indirect=True)
def test_whole_data_set_downloads_leave_the_lists_their_read_slots(
    settings: Settings, database: Database
) -> None:
    """Three downloads of 15,000 comments at once (each takes a good part of a second) wait on a
    gate of their own: the lists are answered while every download is still under way."""
    proposal_id = _proposal(database)
    with database.sessions() as session:
        session.execute(
            sa.insert(Comment),
            [
                {"proposal_id": proposal_id, "body": f"comment {n} on the scheme", "depth": 1}
                for n in range(15_000)
            ],
        )
        session.commit()
    app = create_app(settings, database=database)
    with live_server(app) as base, httpx.Client(base_url=base, timeout=120) as http:
        assert http.get("/api/v1/opendata/comments.csv").status_code == 200  # warm
        with ThreadPoolExecutor(3) as pool:
            downloads = [pool.submit(http.get, "/api/v1/opendata/comments.csv") for _ in range(3)]
            time.sleep(0.2)  # the downloads in
            lists = [http.get(p.format(id=proposal_id)) for p in READ_PATHS]
            pending = sum(not f.done() for f in downloads)
            sizes = [len(f.result().content) for f in downloads]
    assert [r.status_code for r in lists] == [200, 200, 200]
    assert pending == 3  # the lists came back while every download was still under way
    assert min(sizes) > 15_000 * 20


@contextlib.contextmanager
def _serve(env: dict[str, str], workers: int, log: Path) -> Iterator[str]:
    """``civictwin serve`` with ``workers`` in its own process group; yields its base URL."""
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICTWIN_")}
    full_env.update(env)
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [*CLI, "serve", "--port", str(port), "--workers", str(workers)],
            env=full_env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,  # so the workers go with it, whatever happens
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # workers import the app: slow on a loaded machine
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise AssertionError(f"server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(30)
        with contextlib.suppress(ProcessLookupError):  # workers left behind, if any
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


@pytest.mark.parametrize("db_url", ["postgis"], indirect=True)
def test_parallel_comments_from_one_account_accept_exactly_the_limit_across_workers(
    db_url: str,
    database: Database,
    make_user: Callable[..., User],
    bearer: Callable[[User], Headers],
    tmp_path: Path,
) -> None:
    proposal_id = _proposal(database)
    user = make_user()
    headers = bearer(user)
    limit = 10
    env = {
        "CIVICTWIN_DATABASE_URL": db_url,
        "CIVICTWIN_TILES_DIR": str(tmp_path / "tiles"),
        "CIVICTWIN_UPLOADS_DIR": str(tmp_path / "uploads"),
        "CIVICTWIN_COMMENT_RATE_PER_USER": str(limit),
        "CIVICTWIN_COMMENT_RATE_PER_IP": "10000",
    }
    with _serve(env, 3, tmp_path / "serve.log") as base:
        start = threading.Barrier(60)
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=0)
        with httpx.Client(base_url=base, timeout=60, limits=limits) as http:

            def post(n: int) -> int:
                start.wait()
                r = http.post(
                    f"/api/v1/proposals/{proposal_id}/comments", json=_comment(n), headers=headers
                )
                return r.status_code

            with ThreadPoolExecutor(60) as pool:
                statuses = Counter(pool.map(post, range(60)))
    assert statuses == {201: limit, 429: 60 - limit}, statuses
    assert _stored_comments(database, user.id) == limit


@pytest.fixture
def small_pool_database(db_url: str) -> Iterator[Database]:
    """The test's database behind a pool of 4 connections that waits at most 5 s for one."""
    db = Database.connect(db_url, pool_size=4, max_overflow=0, pool_timeout=5)
    yield db
    db.dispose()


@pytest.mark.parametrize("db_url", ["spatialite"], indirect=True)
def test_more_clients_than_connections_and_threads_do_not_stall(
    settings: Settings, small_pool_database: Database
) -> None:
    """Each request's session hops between threads while holding its connection: with more
    requests admitted than connections, threads waiting for a connection could take every
    thread slot while the holders wait for one (a stall until the pool timeout, then 503s)."""
    _proposal(small_pool_database)
    inner = create_app(settings, database=small_pool_database)
    limited: list[bool] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if not limited and scope["type"] == "http":  # in the server's own event loop
            anyio.to_thread.current_default_thread_limiter().total_tokens = 3
            limited.append(True)
        await inner(scope, receive, send)

    with live_server(app) as base, httpx.Client(base_url=base, timeout=60) as http:
        assert http.get("/api/v1/health").status_code == 200
        with ThreadPoolExecutor(30) as pool:
            paths = [READ_PATHS[n % 3].format(id=1) for n in range(120)]
            statuses = Counter(pool.map(lambda p: http.get(p).status_code, paths))
    assert statuses == {200: 120}
