"""Authorization matrix of the comment, moderation and live-event endpoints: every endpoint ×
every role, and author versus someone else where ownership matters."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.db.models import User
from tests.backend.comments.conftest import Headers, post_comment
from tests.services import live_server

ROLES = ("anonymous", "citizen", "sme", "planner", "moderator", "admin")
COVERED_OPERATIONS = {
    "listComments",
    "createComment",
    "getComment",
    "updateComment",
    "deleteComment",
    "setReaction",
    "removeReaction",
    "reportComment",
    "listModerationQueue",
    "hideComment",
    "restoreComment",
    "streamProposalEvents",
}

Citizen = Callable[..., tuple[User, Headers]]


def headers_of(citizen: Citizen, role: str) -> Headers:
    return {} if role == "anonymous" else citizen(role)[1]


def everyone(status: int, anonymous: int = 401) -> dict[str, int]:
    return {r: anonymous if r == "anonymous" else status for r in ROLES}


def moderators(status: int) -> dict[str, int]:
    return {
        r: 401 if r == "anonymous" else status if r in ("moderator", "admin") else 403
        for r in ROLES
    }


def test_reading_is_open_and_writing_needs_an_account(
    client: TestClient, proposal_id: int, citizen: Citizen
) -> None:
    _, author = citizen()
    cid = post_comment(client, proposal_id, author)["id"]
    reported = post_comment(client, proposal_id, author)["id"]
    got: dict[str, dict[str, int]] = {}
    for role in ROLES:
        h = headers_of(citizen, role)
        got.setdefault("list", {})[role] = client.get(
            f"/api/v1/proposals/{proposal_id}/comments", headers=h
        ).status_code
        got.setdefault("get", {})[role] = client.get(
            f"/api/v1/comments/{cid}", headers=h
        ).status_code
        got.setdefault("create", {})[role] = client.post(
            f"/api/v1/proposals/{proposal_id}/comments", json={"body": "hi"}, headers=h
        ).status_code
        got.setdefault("react", {})[role] = client.put(
            f"/api/v1/comments/{cid}/reaction", json={"kind": "agree"}, headers=h
        ).status_code
        got.setdefault("unreact", {})[role] = client.delete(
            f"/api/v1/comments/{cid}/reaction", headers=h
        ).status_code
        got.setdefault("report", {})[role] = client.post(
            f"/api/v1/comments/{reported}/reports", json={"reason": "spam"}, headers=h
        ).status_code
    assert got == {
        "list": everyone(200, anonymous=200),
        "get": everyone(200, anonymous=200),
        "create": everyone(201),
        "react": everyone(200),
        "unreact": everyone(200),
        # the threshold is 3: the comment is hidden after the third, later reports still count
        "report": everyone(201),
    }
    assert (
        client.post(
            f"/api/v1/comments/{cid}/reports", json={"reason": "spam"}, headers=author
        ).status_code
        == 409
    )  # the author cannot report their own comment


def test_only_the_author_edits(client: TestClient, proposal_id: int, citizen: Citizen) -> None:
    _, author = citizen()
    cid = post_comment(client, proposal_id, author)["id"]
    path = f"/api/v1/comments/{cid}"
    got = {
        role: client.patch(path, json={"body": "x"}, headers=headers_of(citizen, role)).status_code
        for role in ROLES
    }
    # not even moderators or admins put words in someone's mouth
    assert got == everyone(403)
    assert client.patch(path, json={"body": "x"}, headers=author).status_code == 200


def test_author_or_moderator_deletes(
    client: TestClient, proposal_id: int, citizen: Citizen
) -> None:
    got = {}
    for role in ROLES:
        _, author = citizen()
        cid = post_comment(client, proposal_id, author)["id"]
        got[role] = client.delete(
            f"/api/v1/comments/{cid}", headers=headers_of(citizen, role)
        ).status_code
    assert got == {**moderators(204), "citizen": 403, "sme": 403, "planner": 403}
    _, author = citizen()
    cid = post_comment(client, proposal_id, author)["id"]
    assert client.delete(f"/api/v1/comments/{cid}", headers=author).status_code == 204


def test_moderation_is_for_moderators_and_admins(
    client: TestClient, proposal_id: int, citizen: Citizen
) -> None:
    _, author = citizen()
    cid = post_comment(client, proposal_id, author)["id"]
    got: dict[str, dict[str, int]] = {"queue": {}, "hide": {}, "restore": {}}
    for role in ROLES:
        h = headers_of(citizen, role)
        got["queue"][role] = client.get("/api/v1/moderation/queue", headers=h).status_code
        got["hide"][role] = client.post(
            f"/api/v1/moderation/comments/{cid}/hide", json={"reason": "r"}, headers=h
        ).status_code
        got["restore"][role] = client.post(
            f"/api/v1/moderation/comments/{cid}/restore", json={"reason": "r"}, headers=h
        ).status_code
    assert got == {"queue": moderators(200), "hide": moderators(200), "restore": moderators(200)}
    # the author has no moderator powers over their own comment either
    r = client.post(f"/api/v1/moderation/comments/{cid}/hide", json={"reason": "r"}, headers=author)
    assert r.status_code == 403


def test_live_events_are_open_to_everyone(app: FastAPI, proposal_id: int, citizen: Citizen) -> None:
    # a real server: a stream never ends, so the in-process test client cannot read one
    with live_server(app) as base, httpx.Client(base_url=base, timeout=5) as http:
        got = {}
        for role in ROLES:
            with http.stream(
                "GET", f"/api/v1/proposals/{proposal_id}/events", headers=headers_of(citizen, role)
            ) as r:
                got[role] = r.status_code
        assert got == everyone(200, anonymous=200)
        assert http.get("/api/v1/proposals/999999/events").status_code == 404
