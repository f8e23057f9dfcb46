"""Only established accounts count toward auto-hide; moderators see who reported (issue 10
point 5: three reports from fresh accounts hid any comment)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import Comment, Proposal, User
from backend.db.types import utcnow


@pytest.fixture
def comment_id(database: Database, make_user: Callable[..., User]) -> int:
    author = make_user(name="Author")
    today = utcnow().date()
    with database.sessions() as session:
        proposal = Proposal(
            reference="TEST/MOD/1",
            title="Barbican East infill",
            stage="consultation",
            consultation_start=today - timedelta(days=3),
            consultation_end=today + timedelta(days=10),
        )
        session.add(proposal)
        session.flush()
        comment = Comment(proposal_id=proposal.id, author_id=author.id, body="A fair point")
        session.add(comment)
        session.commit()
        return comment.id


def _report(client: TestClient, headers: dict[str, str], comment_id: int) -> None:
    r = client.post(
        f"/api/v1/comments/{comment_id}/reports", json={"reason": "offensive"}, headers=headers
    )
    assert r.status_code == 201, r.text


def _state(client: TestClient, comment_id: int) -> str:
    r = client.get(f"/api/v1/comments/{comment_id}")
    return "published" if r.status_code == 200 and r.json()["state"] == "published" else "hidden"


def test_reports_from_fresh_accounts_do_not_hide_a_comment(
    client: TestClient,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    comment_id: int,
) -> None:
    # verified a minute ago: the sock puppets of a registration burst
    for n in range(3):
        _report(client, bearer(make_user(name=f"Fresh {n}", age_days=0)), comment_id)
    assert _state(client, comment_id) == "published"  # before: hidden by the third report
    moderator = bearer(make_user("moderator"))
    queue = client.get("/api/v1/moderation/queue", headers=moderator).json()
    (item,) = queue["items"]
    reporters = [r["reporter"] for r in item["reports"]]
    assert [r["display_name"] for r in reporters] == ["Fresh 0", "Fresh 1", "Fresh 2"]
    assert [r["counts_toward_hide"] for r in reporters] == [False, False, False]


def test_established_reporters_hide_a_comment_and_published_authors_count_at_once(
    client: TestClient,
    database: Database,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    comment_id: int,
) -> None:
    old1, old2 = make_user(name="Old 1"), make_user(name="Old 2")
    newcomer = make_user(name="Newcomer", age_days=0)
    with database.sessions() as session:  # the newcomer already took part
        proposal_id = session.get(Comment, comment_id).proposal_id  # type: ignore[union-attr]
        session.add(Comment(proposal_id=proposal_id, author_id=newcomer.id, body="My view"))
        session.commit()
    _report(client, bearer(old1), comment_id)
    _report(client, bearer(old2), comment_id)
    assert _state(client, comment_id) == "published"
    _report(client, bearer(newcomer), comment_id)
    assert _state(client, comment_id) == "hidden"
    moderator = bearer(make_user("moderator"))
    (item,) = client.get("/api/v1/moderation/queue", headers=moderator).json()["items"]
    assert item["comment"]["hidden_reason"] == "auto: 3 reports"
    assert [r["reporter"]["counts_toward_hide"] for r in item["reports"]] == [True, True, True]
