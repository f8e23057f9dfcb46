"""Authorization matrix of the participation-loop endpoints: every endpoint × every role, and
the proposal's own planner versus another planner where ownership matters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.backend.engagement.conftest import Person, comment
from tests.backend.proposals.helpers import create, publish

ROLES = ("anonymous", "citizen", "sme", "planner", "moderator", "admin")
COVERED_OPERATIONS = {
    "getYouSaidWeDid",
    "createTheme",
    "deleteTheme",
    "respondToComment",
    "respondToTheme",
    "listMyFollows",
    "createFollow",
    "deleteFollow",
    "listMyNotifications",
    "markNotificationRead",
    "markAllNotificationsRead",
    "getNotificationPreferences",
    "setNotificationPreferences",
    "unsubscribePage",
    "unsubscribe",
    "listVariants",
    "createVariant",
    "updateVariant",
    "deleteVariant",
    "setVariantPreference",
    "withdrawVariantPreference",
    "getQuestionnaire",
    "setQuestionnaire",
    "answerQuestionnaire",
    "getQuestionnaireResults",
    "getTimeline",
    "listConsultationReports",
    "createConsultationReport",
}


def _expect(
    anonymous: int, others: int, owner: int | None = None, admin: int | None = None
) -> dict[str, int]:
    out = dict.fromkeys(ROLES, others)
    out["anonymous"] = anonymous
    if owner is not None:
        out["owner"] = owner
    if admin is not None:
        out["admin"] = admin
    return out


def test_planner_tools_need_the_proposals_own_planner_or_an_admin(
    client: TestClient, person: Callable[..., Person], planner: Person
) -> None:
    got: dict[str, dict[str, int]] = {}
    people = {r: (None if r == "anonymous" else person(r)) for r in ROLES}
    people["owner"] = planner
    for role, who in people.items():
        h = who.headers if who else {}
        pid = publish(client, planner.headers, create(client, planner.headers)["id"])["id"]
        cid = comment(client, pid, person().headers)["id"]
        theme = client.post(
            f"/api/v1/proposals/{pid}/themes",
            json={"title": "t", "comment_ids": [cid]},
            headers=planner.headers,
        ).json()["id"]
        variant = client.post(
            f"/api/v1/proposals/{pid}/variants", json={"name": "A"}, headers=planner.headers
        ).json()["id"]
        calls: dict[str, Any] = {
            "theme": client.post(
                f"/api/v1/proposals/{pid}/themes",
                json={"title": "t2", "comment_ids": [cid]},
                headers=h,
            ),
            "respond": client.put(
                f"/api/v1/comments/{cid}/response",
                json={"body": "b", "disposition": "noted"},
                headers=h,
            ),
            "respondTheme": client.put(
                f"/api/v1/themes/{theme}/response",
                json={"body": "b", "disposition": "noted"},
                headers=h,
            ),
            "variant": client.post(
                f"/api/v1/proposals/{pid}/variants", json={"name": "B"}, headers=h
            ),
            "updateVariant": client.patch(
                f"/api/v1/variants/{variant}", json={"description": "d"}, headers=h
            ),
            "questions": client.put(
                f"/api/v1/proposals/{pid}/questionnaire",
                json={"questions": [{"kind": "text", "prompt": "?"}]},
                headers=h,
            ),
            "report": client.post(f"/api/v1/proposals/{pid}/reports", headers=h),
            "deleteTheme": client.delete(f"/api/v1/themes/{theme}", headers=h),
            "deleteVariant": client.delete(f"/api/v1/variants/{variant}", headers=h),
        }
        for name, response in calls.items():
            got.setdefault(name, {})[role] = response.status_code
    ok = {"theme": 201, "variant": 201, "report": 201, "deleteTheme": 204, "deleteVariant": 204}
    for name, statuses in got.items():
        want = ok.get(name, 200)
        assert statuses == _expect(401, 403, owner=want, admin=want), name


def test_reading_is_open_and_my_things_need_an_account(
    client: TestClient, person: Callable[..., Person], planner: Person
) -> None:
    pid = publish(client, planner.headers, create(client, planner.headers)["id"])["id"]
    client.put(
        f"/api/v1/proposals/{pid}/questionnaire",
        json={"questions": [{"kind": "rating", "prompt": "?"}]},
        headers=planner.headers,
    )
    qid = client.get(f"/api/v1/proposals/{pid}/questionnaire").json()["questions"][0]["id"]
    variant = client.post(
        f"/api/v1/proposals/{pid}/variants", json={"name": "A"}, headers=planner.headers
    ).json()["id"]
    got: dict[str, dict[str, int]] = {}
    for role in ROLES:
        who = None if role == "anonymous" else person(role)
        h = who.headers if who else {}
        follow = client.post("/api/v1/me/follows", json={"proposal_id": pid}, headers=h)
        fid = follow.json().get("id", 1)
        calls = {
            "yousaid": client.get(f"/api/v1/proposals/{pid}/you-said-we-did", headers=h),
            "variants": client.get(f"/api/v1/proposals/{pid}/variants", headers=h),
            "questionnaire": client.get(f"/api/v1/proposals/{pid}/questionnaire", headers=h),
            "results": client.get(f"/api/v1/proposals/{pid}/questionnaire/results", headers=h),
            "timeline": client.get(f"/api/v1/proposals/{pid}/timeline", headers=h),
            "reports": client.get(f"/api/v1/proposals/{pid}/reports", headers=h),
            "follow": follow,
            "follows": client.get("/api/v1/me/follows", headers=h),
            "notifications": client.get("/api/v1/me/notifications", headers=h),
            "readAll": client.post("/api/v1/me/notifications/read", headers=h),
            "prefs": client.get("/api/v1/me/notification-preferences", headers=h),
            "setPrefs": client.put(
                "/api/v1/me/notification-preferences", json={"items": []}, headers=h
            ),
            "prefer": client.put(
                f"/api/v1/proposals/{pid}/variant-preference",
                json={"variant_id": variant},
                headers=h,
            ),
            "withdraw": client.delete(f"/api/v1/proposals/{pid}/variant-preference", headers=h),
            "answer": client.post(
                f"/api/v1/proposals/{pid}/questionnaire/answers",
                json={"answers": [{"question_id": qid, "rating": 3}]},
                headers=h,
            ),
            "readOne": client.post("/api/v1/me/notifications/1/read", headers=h),
            "unfollow": client.delete(f"/api/v1/me/follows/{fid}", headers=h),
        }
        for name, response in calls.items():
            got.setdefault(name, {})[role] = response.status_code
    for name in ("yousaid", "variants", "questionnaire", "results", "timeline", "reports"):
        assert got[name] == _expect(200, 200), name
    for name, status in {
        "follow": 201,
        "follows": 200,
        "notifications": 200,
        "readAll": 200,
        "prefs": 200,
        "setPrefs": 200,
        "prefer": 200,
        "withdraw": 200,
        "answer": 201,
        "readOne": 404,  # nobody's notification 1: not found, never someone else's
        "unfollow": 204,
    }.items():
        assert got[name] == _expect(401, status), name


def test_unsubscribe_needs_the_signed_link_not_an_account(
    client: TestClient, person: Callable[..., Person]
) -> None:
    who = person()
    for role in ROLES:
        h = {} if role == "anonymous" else person(role).headers
        r = client.post(
            "/api/v1/unsubscribe", params={"user": who.user.id, "token": "x"}, headers=h
        )
        assert r.status_code == 403, role
        page = client.get("/api/v1/unsubscribe", params={"user": who.user.id, "token": "x"})
        assert page.status_code == 200  # the page only shows a button
    # a forged token with non-ASCII characters is refused too, not a server error
    forged = client.post("/api/v1/unsubscribe", params={"user": who.user.id, "token": "é✓"})
    assert forged.status_code == 403 and "token" in forged.json()["detail"]
