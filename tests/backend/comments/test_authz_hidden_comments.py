"""Hidden comments stay reachable by moderators (to restore them), and only by moderators."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from backend.db.models import User
from tests.backend.comments.conftest import Headers, post_comment
from tests.backend.comments.test_authz_comments import ROLES, headers_of, moderators

COVERED_OPERATIONS = {"listHiddenComments"}
HIDDEN = "/api/v1/moderation/hidden"
QUEUE = "/api/v1/moderation/queue"

Citizen = Callable[..., tuple[User, Headers]]


def test_hidden_comments_are_listed_for_moderators_and_admins_only(
    client: TestClient, citizen: Citizen
) -> None:
    got = {
        role: client.get(HIDDEN, headers=headers_of(citizen, role)).status_code for role in ROLES
    }
    assert got == moderators(200)


def test_a_hidden_comment_leaves_the_queue_but_can_be_found_and_restored(
    client: TestClient, proposal_id: int, citizen: Citizen
) -> None:
    _, author = citizen()
    _, reporter = citizen()
    _, mod = citizen("moderator")
    kept = post_comment(client, proposal_id, author, body="On topic")["id"]
    spam = post_comment(client, proposal_id, author, body="Buy cheap watches")["id"]
    r = client.post(f"/api/v1/comments/{spam}/reports", json={"reason": "spam"}, headers=reporter)
    assert r.status_code in (200, 201), r.text
    assert [i["comment"]["id"] for i in client.get(QUEUE, headers=mod).json()["items"]] == [spam]
    r = client.post(
        f"/api/v1/moderation/comments/{spam}/hide", json={"reason": "Advertising"}, headers=mod
    )
    assert r.status_code == 200, r.text
    # the decision resolved the report: the queue is empty, but the comment is not lost
    assert client.get(QUEUE, headers=mod).json()["items"] == []
    page = client.get(HIDDEN, headers=mod).json()
    assert page["total"] == 1 and page["next"] is None
    (item,) = page["items"]
    assert item["id"] == spam and item["proposal_id"] == proposal_id
    assert item["body"] == "Buy cheap watches" and item["hidden_reason"] == "Advertising"
    assert kept not in [i["id"] for i in page["items"]]
    r = client.post(
        f"/api/v1/moderation/comments/{spam}/restore", json={"reason": "Fair"}, headers=mod
    )
    assert r.status_code == 200 and r.json()["state"] == "published"
    assert client.get(HIDDEN, headers=mod).json() == {
        "items": [],
        "total": 0,
        "limit": 20,
        "offset": 0,
        "next": None,
        "prev": None,
    }


def test_hidden_comments_page_newest_first_with_a_next_link(
    client: TestClient, proposal_id: int, citizen: Citizen
) -> None:
    _, author = citizen()
    _, mod = citizen("moderator")
    ids = [post_comment(client, proposal_id, author, body=f"c{i}")["id"] for i in range(3)]
    for cid in ids:
        r = client.post(
            f"/api/v1/moderation/comments/{cid}/hide", json={"reason": "r"}, headers=mod
        )
        assert r.status_code == 200, r.text
    first = client.get(HIDDEN, params={"limit": 2}, headers=mod).json()
    assert first["total"] == 3 and "offset=2" in first["next"]
    second = client.get(HIDDEN, params={"limit": 2, "offset": 2}, headers=mod).json()
    assert [i["id"] for i in first["items"] + second["items"]] == ids[::-1]
    assert client.get(HIDDEN, params={"limit": 101}, headers=mod).status_code == 422
