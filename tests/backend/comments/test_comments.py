"""Posting, replying, editing, deleting and listing comments, and the rules around them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import AuditLog, Comment, User
from tests.backend.comments.conftest import Headers, post_comment, today
from tests.conftest import sign_in

Citizen = Callable[..., tuple[User, Headers]]

ANCHOR = {
    "point": {"lon": -0.0937, "lat": 51.5155, "height_m": 62.5},
    "building_id": "osm-way-4012345",
    "camera": {
        "position": {"lon": -0.095, "lat": 51.514, "height_m": 180.0},
        "heading_deg": 35.0,
        "pitch_deg": -25.0,
        "roll_deg": 0.0,
    },
}


def comment_count(database: Database) -> int:
    with database.sessions() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(Comment)) or 0)


def url(proposal_id: int) -> str:
    return f"/api/v1/proposals/{proposal_id}/comments"


def test_comment_with_3d_anchor_is_listed_with_display_name_and_no_email(
    client: TestClient, proposal_id: int, citizen: Citizen
) -> None:
    user, headers = citizen(name="Ada")
    made = post_comment(
        client,
        proposal_id,
        headers,
        body="Too tall for the street",
        sentiment="objection",
        topics=["light", "design", "light"],
        anchor=ANCHOR,
    )
    assert made["author"] == {"id": user.id, "display_name": "Ada"}
    assert made["depth"] == 1 and made["state"] == "published"
    assert made["topics"] == ["design", "light"]
    assert made["anchor"] == {**ANCHOR, "impact": None}  # no impact point referred to
    page = client.get(url(proposal_id)).json()
    assert page["total"] == 1 and page["next"] is None
    listed = page["items"][0]
    assert listed["body"] == "Too tall for the street"
    assert listed["anchor"] == {**ANCHOR, "impact": None}
    text = str(page)
    assert str(user.email) not in text and "ip_hash" not in text


def test_body_is_stored_exactly_as_written(
    client: TestClient, proposal_id: int, citizen: Citizen
) -> None:
    _, headers = citizen()
    body = "  <b>bold</b> & <script>alert(1)</script>\n\tindented line  "
    made = post_comment(client, proposal_id, headers, body=body)
    assert client.get(f"/api/v1/comments/{made['id']}").json()["body"] == body


BAD_BODIES = [
    ("", "body: must not be empty"),
    (" \n\t ", "body: must not be empty"),
    ("ring the bell\x07", "body: control character U+0007 at position 13"),
    ("carriage\r\nreturn", "body: control character U+000D"),
    ("x" * 5001, "body: 5001 characters is longer than the limit of 5000"),
]


def test_bad_bodies_are_rejected_with_a_reason(
    client: TestClient, proposal_id: int, citizen: Citizen, database: Database
) -> None:
    # one database for all cases: a fresh PostGIS database per case costs a second each
    _, headers = citizen()
    for body, message in BAD_BODIES:
        r = client.post(url(proposal_id), json={"body": body}, headers=headers)
        assert r.status_code == 422, (message, r.text)
        assert message in r.json()["detail"]
    # far past any comment: refused by the request-size policy before it is parsed
    huge = client.post(url(proposal_id), json={"body": "x" * 100_001}, headers=headers)
    assert huge.status_code == 413 and "larger than the limit" in huge.json()["detail"]
    assert comment_count(database) == 0


BAD_FIELDS: list[tuple[dict[str, Any], str]] = [
    ({"colour": "red"}, "body colour: Extra inputs are not permitted"),
    ({"topics": ["parking"]}, "body topics.0: Input should be"),
    ({"sentiment": "angry"}, "body sentiment: Input should be"),
    ({"anchor": {"point": {"lon": 200, "lat": 51.5}}}, "body anchor.point.lon"),
    ({"anchor": {"point": {"lon": 0, "lat": -91}}}, "body anchor.point.lat"),
    ({"anchor": {"point": {"lon": 0, "lat": 0, "height_m": 20000}}}, "anchor.point.height_m"),
    ({"anchor": {"building_id": ""}}, "body anchor.building_id"),
    (
        {"anchor": {"camera": {**ANCHOR["camera"], "pitch_deg": 120}}},  # type: ignore[dict-item]
        "body anchor.camera.pitch_deg: Input should be less than or equal to 90",
    ),
    (
        {"anchor": {"camera": {**ANCHOR["camera"], "heading_deg": -1}}},  # type: ignore[dict-item]
        "body anchor.camera.heading_deg",
    ),
    ({"anchor": {"camera": {"heading_deg": 0}}}, "body anchor.camera.position: Field required"),
    ({"anchor": {"point": {"lon": 0, "lat": 0, "alt": 3}}}, "anchor.point.alt: Extra inputs"),
]


def test_bad_fields_are_rejected_naming_the_field(
    client: TestClient, proposal_id: int, citizen: Citizen, database: Database
) -> None:
    _, headers = citizen()
    for change, message in BAD_FIELDS:
        r = client.post(url(proposal_id), json={"body": "ok", **change}, headers=headers)
        assert r.status_code == 422, (message, r.text)
        assert r.json()["code"] == "InvalidInputError"
        assert message in r.json()["detail"]
    assert comment_count(database) == 0


def test_replies_nest_three_deep_and_no_deeper(
    client: TestClient, proposal_id: int, citizen: Citizen, database: Database
) -> None:
    _, headers = citizen()
    top = post_comment(client, proposal_id, headers, body="1")
    second = post_comment(client, proposal_id, headers, body="2", parent_id=top["id"])
    third = post_comment(client, proposal_id, headers, body="3", parent_id=second["id"])
    assert (second["depth"], third["depth"]) == (2, 3)
    r = client.post(url(proposal_id), json={"body": "4", "parent_id": third["id"]}, headers=headers)
    assert r.status_code == 422
    assert r.json()["detail"].startswith("parent_id: replies nest at most 3 deep")
    assert comment_count(database) == 3
    page = client.get(url(proposal_id)).json()
    assert page["total"] == 1
    thread = page["items"][0]
    assert thread["replies"][0]["id"] == second["id"]
    assert thread["replies"][0]["replies"][0]["id"] == third["id"]
    assert client.get(f"/api/v1/comments/{second['id']}").json()["replies"][0]["body"] == "3"


def test_reply_must_be_on_the_same_proposal(
    client: TestClient, make_proposal: Callable[..., int], citizen: Citizen
) -> None:
    _, headers = citizen()
    a, b = make_proposal(), make_proposal()
    top = post_comment(client, a, headers)
    r = client.post(url(b), json={"body": "x", "parent_id": top["id"]}, headers=headers)
    assert r.status_code == 422
    assert f"parent_id: comment {top['id']} is not a comment on proposal {b}" in r.json()["detail"]


CLOSED: list[tuple[str, int | None, int | None, str]] = [
    ("assessment", -30, -1, "proposal {id} is at stage 'assessment' (consultation {s} to {e})"),
    ("decided", None, None, "stage 'decided' (consultation (open) to (open))"),
    ("consultation", 2, 9, "it opens on {s} (consultation {s} to {e})"),
    ("consultation", -9, -1, "it ended on {e} (consultation {s} to {e})"),
]


def test_comment_on_closed_consultation_is_rejected(
    client: TestClient, make_proposal: Callable[..., int], citizen: Citizen, database: Database
) -> None:
    _, headers = citizen()
    for stage, start, end, message in CLOSED:
        s = today() + timedelta(days=start) if start is not None else None
        e = today() + timedelta(days=end) if end is not None else None
        pid = make_proposal(stage=stage, start=s, end=e)
        r = client.post(url(pid), json={"body": "late"}, headers=headers)
        assert r.status_code == 409, r.text
        assert r.json()["code"] == "ConflictError"
        detail = r.json()["detail"]
        assert detail.startswith("consultation: closed")
        assert message.format(id=pid, s=s, e=e) in detail
        # reading stays possible once the consultation has closed
        assert client.get(url(pid)).status_code == 200
    assert comment_count(database) == 0


def test_consultation_days_are_inclusive(
    client: TestClient, make_proposal: Callable[..., int], citizen: Citizen
) -> None:
    _, headers = citizen()
    for pid in (make_proposal(start=today(), end=today()), make_proposal(start=None, end=None)):
        post_comment(client, pid, headers)


def test_draft_proposals_have_no_comments(
    client: TestClient, make_proposal: Callable[..., int], citizen: Citizen
) -> None:
    pid = make_proposal(stage="draft")
    _, headers = citizen("planner")
    assert client.get(url(pid)).status_code == 404
    r = client.post(url(pid), json={"body": "x"}, headers=headers)
    assert r.status_code == 404 and r.json()["code"] == "NotFoundError"
    assert client.get(url(999_999)).status_code == 404


def test_author_edits_within_the_window_only(
    client: TestClient,
    client_with: Callable[..., TestClient],
    proposal_id: int,
    citizen: Citizen,
) -> None:
    _, headers = citizen()
    _, other = citizen()
    made = post_comment(client, proposal_id, headers, body="first", topics=["noise"])
    path = f"/api/v1/comments/{made['id']}"
    r = client.patch(path, json={"body": "second", "sentiment": "supportive"}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["body"] == "second" and r.json()["sentiment"] == "supportive"
    assert r.json()["topics"] == ["noise"] and r.json()["edited_at"] is not None
    assert client.patch(path, json={"body": "mine now"}, headers=other).status_code == 403
    assert client.patch(path, json={"body": " "}, headers=headers).status_code == 422
    assert client.patch(path, json={}, headers=headers).status_code == 422
    closed = client_with(comment_edit_window_minutes=0)
    late = closed.patch(path, json={"body": "third"}, headers=headers)
    assert late.status_code == 409
    assert "edit window of 0 minutes" in late.json()["detail"]
    assert client.get(path).json()["body"] == "second"


def test_delete_is_soft_and_hides_body_author_and_anchor(
    client: TestClient, proposal_id: int, citizen: Citizen, database: Database
) -> None:
    author, headers = citizen()
    _, other = citizen()
    _, moderator = citizen("moderator")
    made = post_comment(client, proposal_id, headers, body="secret", anchor=ANCHOR)
    reply = post_comment(client, proposal_id, other, body="reply", parent_id=made["id"])
    path = f"/api/v1/comments/{made['id']}"
    assert client.delete(path, headers=other).status_code == 403
    assert client.delete(path, headers=headers).status_code == 204
    assert client.delete(path, headers=headers).status_code == 204  # idempotent
    thread = client.get(url(proposal_id)).json()["items"][0]
    assert thread["state"] == "deleted"
    assert thread["body"] is None and thread["author"] is None and thread["anchor"] is None
    assert thread["replies"][0]["body"] == "reply"  # the thread stays readable
    assert "secret" not in client.get(url(proposal_id)).text
    assert client.patch(path, json={"body": "back"}, headers=headers).status_code == 409
    r = client.post(url(proposal_id), json={"body": "x", "parent_id": made["id"]}, headers=other)
    assert r.status_code == 409
    # moderators delete anyone's comment
    assert client.delete(f"/api/v1/comments/{reply['id']}", headers=moderator).status_code == 204
    with database.sessions() as session:
        log = session.scalars(sa.select(AuditLog).where(AuditLog.action == "comment.delete")).all()
    assert [(e.actor_id == author.id, e.details["by"]) for e in log] == [
        (True, "author"),
        (False, "moderator"),
    ]


def test_deleted_accounts_show_as_deleted_user(
    client: TestClient, proposal_id: int, citizen: Citizen
) -> None:
    _, headers = citizen()
    made = post_comment(client, proposal_id, headers)
    from tests.conftest import PASSWORD

    r = client.request("DELETE", "/api/v1/users/me", headers=headers, json={"password": PASSWORD})
    assert r.status_code == 200, r.text
    author = client.get(f"/api/v1/comments/{made['id']}").json()["author"]
    assert author == {"id": None, "display_name": "deleted user"}


def test_list_orders_newest_or_most_reacted_and_paginates(
    client: TestClient, proposal_id: int, citizen: Citizen
) -> None:
    _, headers = citizen()
    ids = [post_comment(client, proposal_id, headers, body=f"c{i}")["id"] for i in range(5)]
    post_comment(client, proposal_id, headers, body="reply", parent_id=ids[0])
    for _ in range(2):
        _, voter = citizen()
        client.put(f"/api/v1/comments/{ids[1]}/reaction", json={"kind": "agree"}, headers=voter)
    _, voter = citizen()
    client.put(f"/api/v1/comments/{ids[3]}/reaction", json={"kind": "disagree"}, headers=voter)

    page = client.get(url(proposal_id), params={"limit": 2}).json()
    assert [c["id"] for c in page["items"]] == [ids[4], ids[3]]
    assert page["total"] == 5 and page["limit"] == 2
    assert page["next"].endswith(f"{url(proposal_id)}?limit=2&offset=2")
    last = client.get(url(proposal_id), params={"limit": 2, "offset": 4}).json()
    assert [c["id"] for c in last["items"]] == [ids[0]] and last["next"] is None
    assert last["items"][0]["replies"][0]["body"] == "reply"

    ranked = client.get(url(proposal_id), params={"sort": "most_reacted", "limit": 3}).json()
    assert [c["id"] for c in ranked["items"]] == [ids[1], ids[3], ids[4]]
    assert client.get(url(proposal_id), params={"sort": "oldest"}).status_code == 422
    assert client.get(url(proposal_id), params={"limit": 0}).status_code == 422


def test_posting_is_rate_limited_per_user_and_per_address(
    client_with: Callable[..., TestClient],
    proposal_id: int,
    citizen: Citizen,
    database: Database,
) -> None:
    client = client_with(comment_rate_per_user=2, comment_rate_per_ip=3)
    _, first = citizen()
    post_comment(client, proposal_id, first)
    post_comment(client, proposal_id, first)
    r = client.post(url(proposal_id), json={"body": "third"}, headers=first)
    assert r.status_code == 429
    assert r.json()["detail"].startswith("comments: at most 2 comments per 10 minutes from one")
    assert 1 <= int(r.headers["Retry-After"]) <= 600
    _, second = citizen()
    post_comment(client, proposal_id, second)  # the address's third comment
    r = client.post(url(proposal_id), json={"body": "4th from here"}, headers=second)
    assert r.status_code == 429 and "from one address" in r.json()["detail"]
    assert comment_count(database) == 3
    with database.sessions() as session:
        hashes = set(session.scalars(sa.select(Comment.author_ip_hash)))
    assert len(hashes) == 1 and len(next(iter(hashes)) or "") == 64  # an HMAC, not the address


def test_cookie_session_writes_need_the_csrf_token(
    client: TestClient, proposal_id: int, make_user: Callable[..., User], database: Database
) -> None:
    user = make_user("citizen")
    csrf = sign_in(client, str(user.email))
    r = client.post(url(proposal_id), json={"body": "no token"})
    assert r.status_code == 403 and r.json()["code"] == "CSRFError"
    assert "X-CSRF-Token" in r.json()["detail"]
    assert comment_count(database) == 0
    ok = client.post(url(proposal_id), json={"body": "with token"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201


def test_anonymous_callers_read_but_do_not_write(client: TestClient, proposal_id: int) -> None:
    assert client.get(url(proposal_id)).status_code == 200
    r = client.post(url(proposal_id), json={"body": "hi"})
    assert r.status_code == 401 and r.json()["code"] == "AuthenticationError"
