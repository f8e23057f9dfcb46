"""What the admin screen reads: accounts searched and paged, and the audit log filtered by
actor, action and date. Admins only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import AuditLog, User
from backend.db.types import utcnow

Headers = dict[str, str]
ROLES = ("anonymous", "citizen", "sme", "planner", "moderator", "admin")
COVERED_OPERATIONS = {"listAuditLog"}


def test_users_are_searched_by_name_or_email_any_case_and_paged(
    client: TestClient, make_user: Callable[..., User], bearer: Callable[[User], Headers]
) -> None:
    admin = bearer(make_user("admin", name="Site admin"))
    make_user("citizen", name="Ada Lovelace", email="ada@example.org")
    make_user("planner", name="Grace Hopper", email="g.hopper@council.example")
    make_user("citizen", name="Adam Smith", email="smith@example.org")
    make_user("citizen", name="100% sure", email="pct@example.org")
    got = client.get("/api/v1/users", params={"q": "ADA"}, headers=admin).json()
    assert sorted(u["display_name"] for u in got["items"]) == ["Ada Lovelace", "Adam Smith"]
    assert got["total"] == 2
    by_mail = client.get("/api/v1/users", params={"q": "council"}, headers=admin).json()
    assert [u["display_name"] for u in by_mail["items"]] == ["Grace Hopper"]
    # a wildcard typed is taken literally
    pct = client.get("/api/v1/users", params={"q": "0%"}, headers=admin).json()
    assert [u["display_name"] for u in pct["items"]] == ["100% sure"]
    underscore = client.get("/api/v1/users", params={"q": "_"}, headers=admin).json()
    assert underscore["total"] == 0
    page = client.get("/api/v1/users", params={"limit": 2}, headers=admin).json()
    assert (page["total"], len(page["items"]), page["prev"]) == (5, 2, None)
    assert page["next"] is not None and "offset=2" in page["next"]
    last = client.get("/api/v1/users", params={"limit": 2, "offset": 4}, headers=admin).json()
    assert (len(last["items"]), last["next"]) == (1, None)
    ids = [u["id"] for u in page["items"]] + [u["id"] for u in last["items"]]
    assert ids == sorted(ids)
    too_long = client.get("/api/v1/users", params={"q": "x" * 101}, headers=admin)
    assert too_long.status_code == 422
    assert too_long.json()["params"] == {"field": "q", "max": 100}


def test_the_audit_log_filters_by_actor_action_and_day(
    client: TestClient,
    make_user: Callable[..., User],
    bearer: Callable[[User], Headers],
    database: Database,
) -> None:
    admin_user = make_user("admin", name="Site admin")
    admin = bearer(admin_user)
    other = make_user("admin", name="Other admin")
    target = make_user("citizen", name="Ada")
    for roles in (["citizen", "moderator"], ["citizen"]):
        r = client.put(f"/api/v1/users/{target.id}/roles", json={"roles": roles}, headers=admin)
        assert r.status_code == 200, r.text
    old = utcnow() - timedelta(days=10)
    with database.sessions() as session:
        session.add(
            AuditLog(
                at=old,
                actor_id=other.id,
                action="comment.hide",
                entity_type="comment",
                entity_id="3",
                reason="Personal attack",
                details={},
            )
        )
        session.commit()
    log = client.get("/api/v1/audit-log", headers=admin).json()
    assert [e["action"] for e in log["items"]] == ["roles.set", "roles.set", "comment.hide"]
    newest = log["items"][0]
    assert newest["actor"] == {"id": admin_user.id, "display_name": "Site admin"}
    assert newest["details"] == {"before": ["citizen", "moderator"], "after": ["citizen"]}
    assert (newest["entity_type"], newest["entity_id"]) == ("user", str(target.id))
    mine = client.get("/api/v1/audit-log", params={"actor_id": other.id}, headers=admin).json()
    assert [e["reason"] for e in mine["items"]] == ["Personal attack"]
    area = client.get("/api/v1/audit-log", params={"action": "comment."}, headers=admin).json()
    assert mine["items"] == area["items"]
    exact = client.get("/api/v1/audit-log", params={"action": "roles.set"}, headers=admin).json()
    assert exact["total"] == 2
    day = old.date().isoformat()
    that_day = client.get(
        "/api/v1/audit-log", params={"since": day, "until": day}, headers=admin
    ).json()
    assert [e["action"] for e in that_day["items"]] == ["comment.hide"]
    since = (old.date() + timedelta(days=1)).isoformat()
    recent = client.get("/api/v1/audit-log", params={"since": since}, headers=admin).json()
    assert recent["total"] == 2
    paged = client.get("/api/v1/audit-log", params={"limit": 1, "offset": 1}, headers=admin)
    assert paged.json()["items"] == [log["items"][1]]
    assert paged.json()["prev"] is not None and paged.json()["next"] is not None
    backwards = client.get(
        "/api/v1/audit-log", params={"since": since, "until": day}, headers=admin
    )
    assert backwards.status_code == 422
    assert (backwards.json()["key"], backwards.json()["params"]["field"]) == (
        "date_order",
        "until",
    )
    bad = client.get("/api/v1/audit-log", params={"action": "DROP TABLE"}, headers=admin)
    assert bad.status_code == 422


def test_the_audit_log_is_for_admins(
    client: TestClient, make_user: Callable[..., User], bearer: Callable[[User], Headers]
) -> None:
    got = {}
    for role in ROLES:
        headers = {} if role == "anonymous" else bearer(make_user(role))
        got[role] = client.get("/api/v1/audit-log", headers=headers).status_code
    assert got == {r: 401 if r == "anonymous" else 200 if r == "admin" else 403 for r in ROLES}
