"""The comments, moderation-queue and hidden-comments lists are pages of the one ``Page[T]``:
the same fields, ``next`` and ``prev`` links and page-size bound as every other list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from backend.db.models import User
from tests.backend.comments.conftest import post_comment

Headers = dict[str, str]
Citizen = Callable[..., tuple[User, Headers]]
PAGE_FIELDS = {"items", "total", "limit", "offset", "next", "prev"}


def _page(client: TestClient, url: str, headers: Headers, **params: Any) -> dict[str, Any]:
    r = client.get(url, params=params, headers=headers)
    assert r.status_code == 200, (url, r.text)
    body: dict[str, Any] = r.json()
    assert set(body) == PAGE_FIELDS, (url, sorted(body))
    return body


def test_comments_queue_and_hidden_lists_page_both_ways(
    client: TestClient, proposal_id: int, citizen: Citizen
) -> None:
    _, author = citizen()
    _, moderator = citizen("moderator")
    ids = [post_comment(client, proposal_id, author, body=f"Comment {i}")["id"] for i in range(3)]
    for cid in ids:
        reporter = citizen()[1]
        r = client.post(
            f"/api/v1/comments/{cid}/reports", json={"reason": "spam"}, headers=reporter
        )
        assert r.status_code == 201, r.text
    for cid in ids[:2]:
        r = client.post(
            f"/api/v1/moderation/comments/{cid}/hide",
            json={"reason": "spam, confirmed"},
            headers=moderator,
        )
        assert r.status_code == 200, r.text
    for url, headers, total in (
        (f"/api/v1/proposals/{proposal_id}/comments", {}, 3),  # hidden ones keep their place
        ("/api/v1/moderation/hidden", moderator, 2),
    ):
        first = _page(client, url, headers, limit=1)
        assert (first["total"], first["limit"], first["offset"]) == (total, 1, 0)
        assert first["prev"] is None
        if total > 1:
            assert first["next"].endswith("limit=1&offset=1")
            second = _page(client, url, headers, limit=1, offset=1)
            assert second["prev"].endswith("limit=1&offset=0")
            assert (second["next"] is None) == (total == 2)
            assert second["items"][0]["id"] != first["items"][0]["id"]
        else:
            assert first["next"] is None
    queue = _page(client, "/api/v1/moderation/queue", moderator, limit=1)
    assert queue["total"] == 1 and queue["items"][0]["comment"]["id"] == ids[2]
    for url, headers in (
        (f"/api/v1/proposals/{proposal_id}/comments", author),
        ("/api/v1/moderation/queue", moderator),
        ("/api/v1/moderation/hidden", moderator),
    ):
        r = client.get(url, params={"limit": 101}, headers=headers)
        assert r.status_code == 422 and "query limit" in r.json()["detail"], (url, r.text)


def test_every_paged_list_in_openapi_is_the_one_page_shape(client: TestClient) -> None:
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]
    paged = {
        name: set(schema.get("properties", {}))
        for name, schema in schemas.items()
        if {"items", "total", "limit", "offset"} <= set(schema.get("properties", {}))
    }
    assert {"CommentPage", "ModerationQueue", "HiddenComments", "ProposalList"} <= set(paged)
    # a list may add its own totals (e.g. unread notifications), never drop a page field
    assert {name: fields for name, fields in paged.items() if not PAGE_FIELDS <= fields} == {}


def test_every_page_carries_its_own_roots_replies_two_levels_down(
    client: TestClient, proposal_id: int, citizen: Citizen
) -> None:
    """A page's replies are read by one statement for the page (issue 10): on every page, in
    both orders, each root holds exactly its own replies and theirs, as its thread shows."""
    _, author = citizen()
    _, voter = citizen()
    roots = [post_comment(client, proposal_id, author, body=f"Root {i}")["id"] for i in range(4)]
    for i, root in enumerate(roots):
        for j in range(i % 3):  # 0, 1, 2, 0 replies, each with one reply of its own
            reply = post_comment(client, proposal_id, author, body=f"Re {i}.{j}", parent_id=root)
            post_comment(client, proposal_id, author, body=f"Re {i}.{j}.0", parent_id=reply["id"])
    r = client.put(f"/api/v1/comments/{roots[1]}/reaction", json={"kind": "agree"}, headers=voter)
    assert r.status_code == 200, r.text
    url = f"/api/v1/proposals/{proposal_id}/comments"
    for sort in ("newest", "most_reacted"):
        seen = []
        for offset in range(0, 4, 2):
            page = _page(client, url, {}, limit=2, offset=offset, sort=sort)
            for item in page["items"]:
                thread = client.get(f"/api/v1/comments/{item['id']}").json()
                assert item == thread, (sort, offset, item["id"])
                seen.append(item["id"])
        assert sorted(seen) == sorted(roots), sort
        assert (seen[0] == roots[1]) == (sort == "most_reacted"), seen
        nested = {
            i["id"]: [len(x["replies"]) for x in i["replies"]]
            for i in _page(client, url, {}, limit=4, sort=sort)["items"]
        }
        assert nested == {roots[0]: [], roots[1]: [1], roots[2]: [1, 1], roots[3]: []}, sort
