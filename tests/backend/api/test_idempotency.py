"""``Idempotency-Key``: a retried creating POST replays its response and never creates twice,
also when a worker is killed (``kill -9``) in the middle of a burst of retried posts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import Proposal, SavedSearch
from tests.backend.proposals.helpers import proposal_body
from tests.conftest import PASSWORD
from tests.services import free_port

Headers = Callable[[str], dict[str, str]]


def count(database: Database, model: type, **where: object) -> int:
    with database.sessions() as s:
        q = sa.select(sa.func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return int(s.scalar(q) or 0)


def test_the_same_key_and_body_replays_the_stored_response(
    client: TestClient, as_role: Headers, database: Database
) -> None:
    planner = {**as_role("planner"), "Idempotency-Key": "create-1"}
    body = proposal_body()
    first = client.post("/api/v1/proposals", json=body, headers=planner)
    assert first.status_code == 201, first.text
    again = client.post("/api/v1/proposals", json=body, headers=planner)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert count(database, Proposal) == 1


def test_the_same_key_with_another_body_is_422_and_creates_nothing(
    client: TestClient, as_role: Headers, database: Database
) -> None:
    planner = {**as_role("planner"), "Idempotency-Key": "create-2"}
    assert (
        client.post("/api/v1/proposals", json=proposal_body(), headers=planner).status_code == 201
    )
    other = client.post("/api/v1/proposals", json=proposal_body(), headers=planner)
    assert other.status_code == 422
    assert other.json()["detail"].startswith("header Idempotency-Key: already used")
    assert count(database, Proposal) == 1


def test_keys_belong_to_their_caller_and_a_failed_request_keeps_none(
    client: TestClient, as_role: Headers, database: Database
) -> None:
    a, b = as_role("planner"), as_role("planner")
    key = {"Idempotency-Key": "shared-key"}
    bad = client.post("/api/v1/proposals", json={"title": "no site"}, headers={**a, **key})
    assert bad.status_code == 422  # created nothing: the key is not taken
    assert (
        client.post("/api/v1/proposals", json=proposal_body(), headers={**a, **key}).status_code
        == 201
    )
    assert (
        client.post("/api/v1/proposals", json=proposal_body(), headers={**b, **key}).status_code
        == 201
    )
    assert count(database, Proposal) == 2
    bad_key = client.post(
        "/api/v1/proposals", json=proposal_body(), headers={**a, "Idempotency-Key": "x" * 300}
    )
    assert bad_key.status_code == 400 and "Idempotency-Key" in bad_key.json()["detail"]


def _serve(db_url: str, tmp_path: Path, port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICTWIN_")}
    env.update(
        {
            "CIVICTWIN_DATABASE_URL": db_url,
            "CIVICTWIN_UPLOADS_DIR": str(tmp_path / "uploads"),
            "CIVICTWIN_TILES_DIR": str(tmp_path / "tiles"),
            "CIVICTWIN_FRONTEND_DIR": str(tmp_path / "none"),
        }
    )
    return subprocess.Popen(
        [sys.executable, "-m", "backend.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "server.log").open("w"),
        text=True,
    )


def _workers(pid: int) -> list[int]:
    """The server's worker processes (children, less multiprocessing's resource tracker)."""
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    workers = []
    for child in out.split():
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" not in cmdline:
            workers.append(int(child))
    return workers


def test_a_worker_killed_during_a_burst_of_retried_posts_loses_and_duplicates_nothing(
    db_url: str, tmp_path: Path, as_role: Headers, database: Database
) -> None:
    headers = as_role("sme")
    port = free_port()
    proc = _serve(db_url, tmp_path, port)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while len(_workers(proc.pid)) < 2 or not _up(base):
            log = (tmp_path / "server.log").read_text()[-2000:]
            assert time.monotonic() < deadline and proc.poll() is None, log
            time.sleep(0.2)
        keys = [uuid.uuid4().hex for _ in range(120)]
        answers: dict[str, httpx.Response] = {}
        attempts = {"n": 0}

        def post_until_answered(key: str) -> None:
            with httpx.Client(base_url=base, timeout=20) as http:
                for _ in range(200):
                    attempts["n"] += 1
                    try:
                        r = http.post(
                            "/api/v1/saved-searches",
                            json={"name": f"burst {key}", "query": {}},
                            headers={**headers, "Idempotency-Key": key},
                        )
                    except httpx.TransportError:
                        time.sleep(0.1)  # the worker died under us: retry, same key
                        continue
                    if r.status_code in (409, 503) or r.status_code >= 500:
                        time.sleep(0.2)
                        continue
                    answers[key] = r
                    return

        threads = [threading.Thread(target=post_until_answered, args=(k,)) for k in keys]
        for i, t in enumerate(threads):
            t.start()
            if i == len(threads) // 3:
                os.kill(_workers(proc.pid)[0], signal.SIGKILL)  # mid-burst
        for t in threads:
            t.join(120)
    finally:
        proc.terminate()
        proc.wait(30)
    assert sorted(answers) == sorted(keys), f"{len(keys) - len(answers)} posts never answered"
    assert {r.status_code for r in answers.values()} == {201}
    ids = {r.json()["id"] for r in answers.values()}
    assert len(ids) == len(keys)
    for key in keys:  # exactly one row per key: nothing lost, nothing twice
        assert count(database, SavedSearch, name=f"burst {key}") == 1, key


def _up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_concurrent_posts_with_one_key_create_once(
    server_url: str, as_role: Headers, database: Database
) -> None:
    headers = {**as_role("sme"), "Idempotency-Key": "same-moment"}
    answers: list[httpx.Response] = []

    def post() -> None:
        with httpx.Client(base_url=server_url, timeout=30) as http:
            for _ in range(50):
                r = http.post(
                    "/api/v1/saved-searches", json={"name": "at once", "query": {}}, headers=headers
                )
                if r.status_code != 409:
                    answers.append(r)
                    return
                time.sleep(0.05)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [r.status_code for r in answers] == [201] * 8, [r.text for r in answers]
    assert len({r.json()["id"] for r in answers}) == 1
    assert count(database, SavedSearch, name="at once") == 1


def test_a_sign_in_is_never_replayed_with_its_cookie(
    client: TestClient, make_user: Callable[..., Any]
) -> None:
    user = make_user("citizen")
    body = {"email": user.email, "password": PASSWORD}
    headers = {"Idempotency-Key": "login-1"}
    first = client.post("/api/v1/auth/login", json=body, headers=headers)
    assert first.status_code == 200 and "set-cookie" in first.headers
    again = client.post("/api/v1/auth/login", json=body, headers=headers)
    # signed in afresh (a new session and cookie), not a stored answer without one
    assert again.status_code == 200 and "idempotent-replayed" not in again.headers
    assert "set-cookie" in again.headers
    assert again.json()["csrf_token"] != first.json()["csrf_token"]


def _lose_the_response(database: Database, key: str, age_s: float) -> None:
    """What a worker killed between its commit and storing the response leaves: the key and
    what it created, no response, ``age_s`` seconds ago."""
    from datetime import timedelta

    from backend.db.models import IdempotencyKey
    from backend.db.types import utcnow

    with database.sessions() as s:
        s.execute(
            sa.update(IdempotencyKey)
            .where(IdempotencyKey.key == key)
            .values(
                status=None,
                body=None,
                content_type=None,
                location=None,
                created_at=utcnow() - timedelta(seconds=age_s),
            )
        )
        s.commit()


def test_a_response_lost_with_its_worker_is_answered_from_what_it_created(
    client: TestClient, as_role: Headers, database: Database
) -> None:
    planner, sme = as_role("planner"), as_role("sme")
    from datetime import timedelta

    from backend.db.types import utcnow

    with database.sessions() as s:  # a scheme in an open consultation, to comment on
        today = utcnow().date()
        open_one = Proposal(
            reference="LOST/1",
            title="Corner infill",
            stage="consultation",
            consultation_start=today - timedelta(days=1),
            consultation_end=today + timedelta(days=9),
        )
        s.add(open_one)
        s.commit()
        made = {"id": open_one.id}
    get: str | None
    for path, body, headers, get in (
        ("/api/v1/proposals", proposal_body(), planner, "/api/v1/proposals/{}"),
        (
            # no GET by id: the caller's list at the same path holds it
            "/api/v1/saved-searches",
            {"name": "roofs", "query": {}},
            sme,
            None,
        ),
        (
            f"/api/v1/proposals/{made['id']}/comments",
            {"body": "Mind the trees on the corner"},
            sme,
            "/api/v1/comments/{}",
        ),
    ):
        key = {"Idempotency-Key": f"lost-{uuid.uuid4().hex}"}
        first = client.post(path, json=body, headers={**headers, **key})
        assert first.status_code == 201, first.text
        rid = first.json()["id"]
        # just after the commit the first request may still be answering: 409, retry
        _lose_the_response(database, key["Idempotency-Key"], age_s=0.5)
        busy = client.post(path, json=body, headers={**headers, **key})
        assert busy.status_code == 409 and busy.headers["retry-after"] == "1", busy.text
        # past that, its worker is gone: the answer is the resource it created, once
        _lose_the_response(database, key["Idempotency-Key"], age_s=60)
        again = client.post(path, json=body, headers={**headers, **key})
        assert again.status_code == 201, (path, again.text)
        assert again.headers["idempotent-replayed"] == "true"
        if get is not None:
            assert again.headers["location"] == get.format(rid)
            assert again.json() == client.get(get.format(rid), headers=headers).json()
        else:
            listed = client.get(path, headers=headers).json()
            assert [again.json()] == [i for i in listed if i["id"] == rid]
        assert again.json() == first.json() or get is not None  # a list item is the create's
        stored = client.post(path, json=body, headers={**headers, **key})  # now kept as sent
        assert stored.status_code == 201 and stored.content == again.content
    assert count(database, Proposal) == 2
    assert count(database, SavedSearch) == 1
