"""Reactions, reports, automatic hiding and the moderators' queue."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import AuditLog, Proposal, Reaction, Report, User
from tests.backend.comments.conftest import Headers, post_comment, today
from tests.services import live_server

Citizen = Callable[..., tuple[User, Headers]]
QUEUE = "/api/v1/moderation/queue"


def react(client: TestClient, comment_id: int, headers: Headers, kind: str | None) -> dict:
    path = f"/api/v1/comments/{comment_id}/reaction"
    if kind is None:
        r = client.delete(path, headers=headers)
    else:
        r = client.put(path, json={"kind": kind}, headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def report(client: TestClient, comment_id: int, headers: Headers, reason: str = "spam") -> int:
    r = client.post(
        f"/api/v1/comments/{comment_id}/reports",
        json={"reason": reason, "details": "advertising"},
        headers=headers,
    )
    return r.status_code


def test_one_reaction_per_user_changeable_and_removable(
    client: TestClient, proposal_id: int, citizen: Citizen, database: Database
) -> None:
    _, author = citizen()
    _, ada = citizen()
    _, bob = citizen()
    cid = post_comment(client, proposal_id, author)["id"]
    assert react(client, cid, ada, "agree") == {
        "comment_id": cid,
        "agree_count": 1,
        "disagree_count": 0,
        "my_reaction": "agree",
    }
    assert react(client, cid, ada, "agree")["agree_count"] == 1  # same again: no change
    assert react(client, cid, bob, "agree")["agree_count"] == 2
    changed = react(client, cid, ada, "disagree")
    assert (changed["agree_count"], changed["disagree_count"]) == (1, 1)
    listed = client.get(f"/api/v1/comments/{cid}", headers=ada).json()
    assert listed["my_reaction"] == "disagree"
    assert (listed["agree_count"], listed["disagree_count"]) == (1, 1)
    removed = react(client, cid, ada, None)
    assert (removed["agree_count"], removed["disagree_count"], removed["my_reaction"]) == (
        1,
        0,
        None,
    )
    assert react(client, cid, ada, None)["agree_count"] == 1  # removing twice is harmless
    with database.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Reaction)) == 1
    bad = client.put(f"/api/v1/comments/{cid}/reaction", json={"kind": "love"}, headers=ada)
    assert bad.status_code == 422 and "body kind" in bad.json()["detail"]


def test_reactions_close_with_the_consultation(
    client: TestClient, proposal_id: int, citizen: Citizen, database: Database
) -> None:
    _, author = citizen()
    _, ada = citizen()
    cid = post_comment(client, proposal_id, author)["id"]
    react(client, cid, ada, "agree")
    with database.sessions() as session:
        proposal = session.get(Proposal, proposal_id)
        assert proposal is not None
        proposal.consultation_end = today() - timedelta(days=1)
        session.commit()
    r = client.put(f"/api/v1/comments/{cid}/reaction", json={"kind": "disagree"}, headers=ada)
    assert r.status_code == 409 and r.json()["detail"].startswith("consultation: closed")
    assert client.delete(f"/api/v1/comments/{cid}/reaction", headers=ada).status_code == 409
    assert client.get(f"/api/v1/comments/{cid}").json()["agree_count"] == 1


def test_reports_are_once_per_user_and_hide_after_three(
    client: TestClient, proposal_id: int, citizen: Citizen, database: Database
) -> None:
    _, author = citizen()
    cid = post_comment(client, proposal_id, author, body="Buy cheap windows at ...")["id"]
    assert report(client, cid, author) == 409  # not your own
    reporters = [citizen()[1] for _ in range(3)]
    assert report(client, cid, reporters[0]) == 201
    assert report(client, cid, reporters[0], "offensive") == 200  # idempotent
    assert report(client, cid, reporters[1]) == 201
    assert client.get(f"/api/v1/comments/{cid}").json()["state"] == "published"
    assert report(client, cid, reporters[2], "off_topic") == 201
    shown = client.get(f"/api/v1/comments/{cid}").json()
    assert shown["state"] == "hidden" and shown["body"] is None and shown["author"] is None
    assert "cheap windows" not in client.get(f"/api/v1/proposals/{proposal_id}/comments").text
    with database.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Report)) == 3
        log = session.scalars(sa.select(AuditLog).where(AuditLog.entity_id == str(cid))).all()
    assert [(e.action, e.actor_id, e.reason) for e in log] == [
        ("comment.auto_hide", None, "auto: 3 reports")
    ]
    bad = client.post(
        f"/api/v1/comments/{cid}/reports", json={"reason": "boring"}, headers=citizen()[1]
    )
    assert bad.status_code == 422 and "body reason" in bad.json()["detail"]


def test_moderators_work_the_queue_oldest_first_with_reasons(
    client_with: Callable[..., TestClient],
    proposal_id: int,
    citizen: Citizen,
    database: Database,
) -> None:
    client = client_with(report_hide_threshold=2)
    moderator_user, moderator = citizen("moderator")
    _, author = citizen()
    first = post_comment(client, proposal_id, author, body="first")["id"]
    second = post_comment(client, proposal_id, author, body="second")["id"]
    reporters = [citizen()[1] for _ in range(3)]
    assert report(client, second, reporters[0]) == 201  # reported first: oldest in the queue
    assert report(client, first, reporters[0]) == 201
    assert report(client, first, reporters[1]) == 201  # hides it (threshold 2)

    queue = client.get(QUEUE, headers=moderator).json()
    assert queue["total"] == 2 and queue["next"] is None
    assert [i["comment"]["id"] for i in queue["items"]] == [second, first]
    hidden = queue["items"][1]
    assert hidden["comment"]["state"] == "hidden"
    assert hidden["comment"]["body"] == "first"  # moderators read hidden bodies
    assert hidden["comment"]["hidden_reason"] == "auto: 2 reports"
    assert [r["reason"] for r in hidden["reports"]] == ["spam", "spam"]
    assert "@" not in str(queue)
    paged = client.get(QUEUE, params={"limit": 1}, headers=moderator).json()
    assert paged["next"].endswith(f"{QUEUE}?limit=1&offset=1")

    no_reason = client.post(
        f"/api/v1/moderation/comments/{second}/hide", json={}, headers=moderator
    )
    assert (
        no_reason.status_code == 422 and "body reason: Field required" in no_reason.json()["detail"]
    )
    r = client.post(
        f"/api/v1/moderation/comments/{second}/hide",
        json={"reason": "advertising"},
        headers=moderator,
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "hidden" and r.json()["hidden_reason"] == "advertising"
    r = client.post(
        f"/api/v1/moderation/comments/{first}/restore",
        json={"reason": "fair criticism"},
        headers=moderator,
    )
    assert r.status_code == 200 and r.json()["state"] == "published"
    assert client.get(f"/api/v1/comments/{first}").json()["body"] == "first"
    assert client.get(QUEUE, headers=moderator).json() == {
        "items": [],
        "total": 0,
        "limit": 20,
        "offset": 0,
        "next": None,
        "prev": None,
    }
    # reviewed reports no longer count: one new report does not hide the restored comment
    assert report(client, first, reporters[2]) == 201
    assert client.get(f"/api/v1/comments/{first}").json()["state"] == "published"

    with database.sessions() as session:
        resolved = session.execute(
            sa.select(Report.comment_id, Report.resolution).where(Report.resolved_at.isnot(None))
        ).all()
        log = session.execute(
            sa.select(AuditLog.action, AuditLog.actor_id, AuditLog.reason, AuditLog.entity_id)
            .where(AuditLog.entity_type == "comment")
            .order_by(AuditLog.id)
        ).all()
    assert sorted(resolved) == sorted(
        [(second, "hidden"), (first, "restored"), (first, "restored")]
    )
    assert [tuple(row) for row in log] == [
        ("comment.auto_hide", None, "auto: 2 reports", str(first)),
        ("comment.hide", moderator_user.id, "advertising", str(second)),
        ("comment.restore", moderator_user.id, "fair criticism", str(first)),
    ]


def test_deleted_comments_cannot_be_reported_or_restored(
    client: TestClient, proposal_id: int, citizen: Citizen
) -> None:
    _, author = citizen()
    _, moderator = citizen("moderator")
    cid = post_comment(client, proposal_id, author)["id"]
    assert client.delete(f"/api/v1/comments/{cid}", headers=author).status_code == 204
    assert report(client, cid, citizen()[1]) == 409
    r = client.post(
        f"/api/v1/moderation/comments/{cid}/restore", json={"reason": "x"}, headers=moderator
    )
    assert r.status_code == 409 and "is deleted" in r.json()["detail"]
    missing = client.post(
        "/api/v1/moderation/comments/999999/hide", json={"reason": "x"}, headers=moderator
    )
    assert missing.status_code == 404


def test_concurrent_reactions_and_reports_keep_exact_counts(
    app: FastAPI,
    proposal_id: int,
    citizen: Citizen,
    database: Database,
    engine_name: str,
    request: pytest.FixtureRequest,
) -> None:
    # On SpatiaLite this needs transactions that take the write lock up front (BEGIN
    # IMMEDIATE, backend/db/engine.py); with a deferred BEGIN concurrent writers failed.
    # real concurrency: a threaded uvicorn server, one request per user at the same time
    _, author = citizen()
    voters = [citizen()[1] for _ in range(8)]
    with live_server(app) as base, httpx.Client(base_url=base, timeout=20) as http:
        cid = http.post(
            f"/api/v1/proposals/{proposal_id}/comments", json={"body": "x"}, headers=author
        ).json()["id"]

        def react(headers: Headers) -> int:
            path = f"/api/v1/comments/{cid}/reaction"
            return http.put(path, json={"kind": "agree"}, headers=headers).status_code

        def report(headers: Headers) -> int:
            path = f"/api/v1/comments/{cid}/reports"
            return http.post(path, json={"reason": "spam"}, headers=headers).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            assert list(pool.map(react, voters)) == [200] * 8
            assert list(pool.map(report, voters)) == [201] * 8
        shown = http.get(f"/api/v1/comments/{cid}").json()
    assert shown["agree_count"] == 8 and shown["state"] == "hidden"
    with database.sessions() as session:
        hides = session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == "comment.auto_hide")
        )
    assert hides == 1  # hidden once, not once per report past the threshold
