"""A moderator dismisses ONE report of a comment: the others stay open, the comment stays as it
is, the decision is in the audit log, and a second dismissal is a conflict."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import AuditLog, Report, User
from tests.backend.comments.conftest import Headers, post_comment

Citizen = Callable[..., tuple[User, Headers]]
ROLES = ("anonymous", "citizen", "sme", "planner", "moderator", "admin")
COVERED_OPERATIONS = {"dismissReport"}
QUEUE = "/api/v1/moderation/queue"


def reported_comment(
    client: TestClient, proposal_id: int, citizen: Citizen, reporters: int
) -> tuple[int, list[User]]:
    _, author = citizen()
    cid = post_comment(client, proposal_id, author)["id"]
    who = []
    for i in range(reporters):
        user, headers = citizen(name=f"Reporter {i}")
        r = client.post(f"/api/v1/comments/{cid}/reports", json={"reason": "spam"}, headers=headers)
        assert r.status_code == 201, r.text
        who.append(user)
    return cid, who


def test_dismissing_one_report_keeps_the_others_and_the_comment(
    client: TestClient, proposal_id: int, citizen: Citizen, database: Database
) -> None:
    cid, reporters = reported_comment(client, proposal_id, citizen, 2)
    moderator, mod_headers = citizen("moderator", name="Mo")
    item = client.get(QUEUE, headers=mod_headers).json()["items"][0]
    assert item["comment"]["id"] == cid
    # each report names its reporter, so the moderator can tell which one to dismiss
    names = [r["reporter"]["display_name"] for r in item["reports"]]
    assert names == ["Reporter 0", "Reporter 1"]
    first = item["reports"][0]["id"]
    r = client.post(
        f"/api/v1/moderation/reports/{first}/dismiss",
        json={"reason": "Not spam: a local firm is named"},
        headers=mod_headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["id"] == first
    assert r.json()["resolution"] == "dismissed"
    assert r.json()["resolved_at"] is not None
    after = client.get(QUEUE, headers=mod_headers).json()["items"]
    assert [x["comment"]["id"] for x in after] == [cid]
    assert [x["reporter"]["display_name"] for x in after[0]["reports"]] == ["Reporter 1"]
    assert after[0]["comment"]["state"] == "published"
    with database.sessions() as session:
        states = dict(
            session.execute(
                sa.select(Report.reporter_id, Report.resolution).where(Report.comment_id == cid)
            ).all()
        )
        assert states == {reporters[0].id: "dismissed", reporters[1].id: None}
        log = session.scalars(sa.select(AuditLog).where(AuditLog.action == "report.dismiss")).one()
        assert (log.actor_id, log.entity_id, log.reason) == (
            moderator.id,
            str(first),
            "Not spam: a local firm is named",
        )
        assert log.details == {"comment_id": cid, "reporter_id": reporters[0].id}
    # the last open report dismissed: the comment leaves the queue
    last = after[0]["reports"][0]["id"]
    r = client.post(
        f"/api/v1/moderation/reports/{last}/dismiss", json={"reason": "ok"}, headers=mod_headers
    )
    assert r.status_code == 200
    assert client.get(QUEUE, headers=mod_headers).json()["items"] == []


def test_a_dismissed_or_missing_report_is_refused_and_nothing_changes(
    client: TestClient, proposal_id: int, citizen: Citizen, database: Database
) -> None:
    reported_comment(client, proposal_id, citizen, 1)
    _, mod_headers = citizen("moderator")
    rid = client.get(QUEUE, headers=mod_headers).json()["items"][0]["reports"][0]["id"]
    url = f"/api/v1/moderation/reports/{rid}/dismiss"
    assert client.post(url, json={"reason": "fine"}, headers=mod_headers).status_code == 200
    again = client.post(url, json={"reason": "twice"}, headers=mod_headers)
    assert again.status_code == 409
    assert again.json()["key"] == "report_resolved"
    missing = client.post(
        "/api/v1/moderation/reports/999999/dismiss", json={"reason": "x"}, headers=mod_headers
    )
    assert (missing.status_code, missing.json()["key"]) == (404, "not_found")
    empty = client.post(url, json={"reason": ""}, headers=mod_headers)
    assert empty.status_code == 422
    assert empty.json()["params"]["field"] == "reason"
    with database.sessions() as session:
        assert (
            session.scalar(
                sa.select(sa.func.count())
                .select_from(AuditLog)
                .where(AuditLog.action == "report.dismiss")
            )
            == 1
        )


def test_dismissing_a_report_is_for_moderators_and_admins(
    client: TestClient, proposal_id: int, citizen: Citizen
) -> None:
    got = {}
    for role in ROLES:
        cid, _ = reported_comment(client, proposal_id, citizen, 1)
        _, mod_headers = citizen("moderator")
        rid = next(
            x["reports"][0]["id"]
            for x in client.get(QUEUE, headers=mod_headers).json()["items"]
            if x["comment"]["id"] == cid
        )
        headers = {} if role == "anonymous" else citizen(role)[1]
        got[role] = client.post(
            f"/api/v1/moderation/reports/{rid}/dismiss", json={"reason": "r"}, headers=headers
        ).status_code
    assert got == {
        r: 401 if r == "anonymous" else 200 if r in ("moderator", "admin") else 403 for r in ROLES
    }
