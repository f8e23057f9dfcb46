"""Official responses and themes, design variants and preferences, questionnaires, timeline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import Comment
from backend.db.models_engagement import (
    Answer,
    Notification,
    OfficialResponse,
    QuestionnaireSubmission,
    VariantPreference,
)
from tests.backend.engagement.conftest import SITE_LAT, SITE_LON, Person, comment, stage
from tests.backend.proposals.helpers import massing_body, square


def count(database: Database, table: Any, *where: Any) -> int:
    with database.sessions() as s:
        return int(s.scalar(sa.select(sa.func.count()).select_from(table).where(*where)) or 0)


def test_official_responses_and_themes_give_you_said_we_did_and_notify_commenters(
    client: TestClient,
    database: Database,
    person: Callable[..., Person],
    planner: Person,
    new_proposal: Callable[..., dict[str, Any]],
    step: Callable[..., Any],
) -> None:
    pid = new_proposal()["id"]
    ann, bob, cat = person(), person(), person()
    a = comment(client, pid, ann.headers, body="Too tall", sentiment="objection")
    b = comment(client, pid, bob.headers, body="Blocks light", sentiment="objection")
    c = comment(client, pid, cat.headers, body="Nice", sentiment="supportive")
    comment(client, pid, cat.headers, body="And trees?")
    bad = client.put(
        f"/api/v1/comments/{a['id']}/response",
        json={"body": "We changed it", "disposition": "scheme_changed"},
        headers=planner.headers,
    )
    assert bad.status_code == 422 and "change_made" in bad.json()["detail"]
    not_theirs = client.put(
        f"/api/v1/comments/{a['id']}/response",
        json={"body": "x", "disposition": "noted"},
        headers=person("planner").headers,
    )
    assert not_theirs.status_code == 403
    assert count(database, OfficialResponse) == 0
    theme = client.post(
        f"/api/v1/proposals/{pid}/themes",
        json={"title": "Height", "comment_ids": [a["id"], b["id"]]},
        headers=planner.headers,
    )
    assert theme.status_code == 201, theme.text
    tid = theme.json()["id"]
    wrong = client.post(
        f"/api/v1/proposals/{pid}/themes",
        json={"title": "Other", "comment_ids": [a["id"], 999_999]},
        headers=planner.headers,
    )
    assert wrong.status_code == 422 and wrong.json()["detail"].startswith("comment_ids[1]")
    r = client.put(
        f"/api/v1/themes/{tid}/response",
        json={
            "body": "The west block is lower now.",
            "disposition": "scheme_changed",
            "change_made": "West block from 9 to 7 storeys",
        },
        headers=planner.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["official"] is True and r.json()["theme_id"] == tid
    r = client.put(
        f"/api/v1/comments/{c['id']}/response",
        json={"body": "Thanks", "disposition": "not_taken_forward", "reason": "Out of scope"},
        headers=planner.headers,
    )
    assert r.status_code == 200, r.text
    section = client.get(f"/api/v1/proposals/{pid}/you-said-we-did").json()
    assert section["counts"] == {
        "noted": 0,
        "scheme_changed": 2,
        "not_taken_forward": 1,
        "no_response": 1,
    }
    assert section["changes"] == ["West block from 9 to 7 storeys"]
    assert [t["comment_ids"] for t in section["themes"]] == [sorted([a["id"], b["id"]])]
    assert section["themes"][0]["response"]["disposition"] == "scheme_changed"
    assert [x["comment_id"] for x in section["responses"]] == [c["id"]]
    step()
    for who in (ann, bob, cat):
        kinds = [
            n.kind for n in _notifications(database, who.user.id) if n.kind == "official_response"
        ]
        assert kinds == ["official_response"], who.user.id


def _notifications(database: Database, user_id: int) -> list[Notification]:
    with database.sessions() as s:
        rows = list(s.scalars(sa.select(Notification).where(Notification.user_id == user_id)))
        s.expunge_all()
        return rows


def _variant(client: TestClient, planner: Person, pid: int, name: str, **extra: Any) -> Any:
    return client.post(
        f"/api/v1/proposals/{pid}/variants",
        json={"name": name, "description": f"{name} description", **extra},
        headers=planner.headers,
    )


def test_variants_preferences_and_comments_per_variant(
    client: TestClient,
    database: Database,
    person: Callable[..., Person],
    planner: Person,
    new_proposal: Callable[..., dict[str, Any]],
) -> None:
    pid = new_proposal()["id"]
    block = {"geometry": square(SITE_LON, SITE_LAT, 0.0002), "height_m": 30.0, "name": "A"}
    r = _variant(client, planner, pid, "A: tower", massing=massing_body(block))
    assert r.status_code == 201, r.text
    va = r.json()["id"]
    assert r.json()["massing"]["features"][0]["properties"]["height_m"] == 30.0
    vb = _variant(client, planner, pid, "B: lower").json()["id"]
    assert _variant(client, planner, pid, "B: lower").status_code == 409  # same name
    _variant(client, planner, pid, "C")
    _variant(client, planner, pid, "D")
    fifth = _variant(client, planner, pid, "E")
    assert fifth.status_code == 409 and "4" in fifth.json()["detail"]
    assert _variant(client, person(), pid, "X").status_code == 403
    ann, bob = person(), person()
    for who, v in ((ann, va), (bob, va), (ann, vb)):  # ann changes her mind
        r = client.put(
            f"/api/v1/proposals/{pid}/variant-preference",
            json={"variant_id": v},
            headers=who.headers,
        )
        assert r.status_code == 200, r.text
    listed = client.get(f"/api/v1/proposals/{pid}/variants", headers=ann.headers).json()
    assert listed["my_preference"] == vb and listed["total_preferences"] == 2
    assert {v["id"]: v["preferences"] for v in listed["items"]}[va] == 1
    assert count(database, VariantPreference) == 2
    comment(client, pid, ann.headers, body="B is better", variant_id=vb)
    # an unknown variant, or another proposal's, is a 422 and stores nothing
    other = new_proposal()["id"]
    vo = _variant(client, planner, other, "Other").json()["id"]
    for bad in (999_999, vo):
        r = client.post(
            f"/api/v1/proposals/{pid}/comments",
            json={"body": "?", "variant_id": bad},
            headers=bob.headers,
        )
        assert r.status_code == 422 and r.json()["detail"].startswith("variant_id:"), r.text
        r = client.put(
            f"/api/v1/proposals/{pid}/variant-preference",
            json={"variant_id": bad},
            headers=bob.headers,
        )
        assert r.status_code == 422
    assert count(database, Comment) == 1
    listed = client.get(f"/api/v1/proposals/{pid}/variants").json()
    assert {v["id"]: v["comments"] for v in listed["items"]} == {
        v["id"]: (1 if v["id"] == vb else 0) for v in listed["items"]
    }
    assert listed["my_preference"] is None
    # a variant that goes takes its preferences and leaves its comments without a variant
    assert client.delete(f"/api/v1/variants/{vb}", headers=planner.headers).status_code == 204
    assert count(database, VariantPreference) == 1
    assert count(database, Comment, Comment.variant_id.is_not(None)) == 0


QUESTIONS = {
    "questions": [
        {"kind": "single", "prompt": "Which variant?", "options": ["A", "B"], "required": True},
        {"kind": "multiple", "prompt": "What matters?", "options": ["Light", "Trees", "Noise"]},
        {"kind": "rating", "prompt": "Fit with the street", "rating_max": 5},
        {"kind": "text", "prompt": "Anything else?"},
        {"kind": "point", "prompt": "Where should the crossing go?"},
    ]
}


def test_questionnaire_is_answered_once_and_results_are_aggregated(
    client: TestClient,
    database: Database,
    person: Callable[..., Person],
    planner: Person,
    new_proposal: Callable[..., dict[str, Any]],
) -> None:
    pid = new_proposal()["id"]
    bad = client.put(
        f"/api/v1/proposals/{pid}/questionnaire",
        json={"questions": [{"kind": "single", "prompt": "?", "options": ["only"]}]},
        headers=planner.headers,
    )
    assert bad.status_code == 422 and "2 or more options" in bad.json()["detail"]
    r = client.put(
        f"/api/v1/proposals/{pid}/questionnaire", json=QUESTIONS, headers=planner.headers
    )
    assert r.status_code == 200, r.text
    q = [x["id"] for x in r.json()["questions"]]
    point = {"type": "Point", "coordinates": [SITE_LON, SITE_LAT]}
    ann, bob, cat = person(), person(), person()
    answers = {
        ann: [
            {"question_id": q[0], "choices": [1]},
            {"question_id": q[1], "choices": [0, 2]},
            {"question_id": q[2], "rating": 4},
            {"question_id": q[3], "text": "More benches"},
            {"question_id": q[4], "point": point},
        ],
        bob: [
            {"question_id": q[0], "choices": [1]},
            {"question_id": q[1], "choices": [0]},
            {"question_id": q[2], "rating": 2},
        ],
    }
    for who, given in answers.items():
        r = client.post(
            f"/api/v1/proposals/{pid}/questionnaire/answers",
            json={"answers": given},
            headers=who.headers,
        )
        assert r.status_code == 201, r.text
    # bad answers: named, nothing stored
    for given, where in [
        ([{"question_id": q[0], "choices": [0, 1]}], "answers[0].choices"),
        ([{"question_id": q[0], "choices": [5]}], "answers[0].choices[0]"),
        ([{"question_id": q[0], "rating": 3}], "answers[0]"),
        ([{"question_id": q[0], "choices": [0]}, {"question_id": q[2], "rating": 9}], "answers[1]"),
        ([{"question_id": q[1], "choices": [0]}], f"question {q[0]}"),
        ([{"question_id": 999_999, "choices": [0]}], "answers[0].question_id"),
    ]:
        r = client.post(
            f"/api/v1/proposals/{pid}/questionnaire/answers",
            json={"answers": given},
            headers=cat.headers,
        )
        assert r.status_code == 422, (given, r.text)
        assert where in r.json()["detail"], r.text
    before = count(database, Answer)
    twice = client.post(
        f"/api/v1/proposals/{pid}/questionnaire/answers",
        json={"answers": answers[bob]},
        headers=bob.headers,
    )
    assert twice.status_code == 409 and "already answered" in twice.json()["detail"]
    assert count(database, Answer) == before == 8
    assert count(database, QuestionnaireSubmission) == 2
    locked = client.put(
        f"/api/v1/proposals/{pid}/questionnaire", json=QUESTIONS, headers=planner.headers
    )
    assert locked.status_code == 409
    results = client.get(f"/api/v1/proposals/{pid}/questionnaire/results").json()
    assert results["submissions"] == 2
    by_id = {x["question_id"]: x for x in results["questions"]}
    assert by_id[q[0]]["option_counts"] == [0, 2]
    assert by_id[q[1]]["option_counts"] == [2, 0, 1]
    assert by_id[q[2]]["rating_counts"] == [0, 1, 0, 1, 0] and by_id[q[2]]["rating_mean"] == 3.0
    assert by_id[q[3]]["texts"] == 1 and "More benches" not in str(results)
    assert by_id[q[4]]["points"] == [[SITE_LON, SITE_LAT]]
    mine = client.get(f"/api/v1/proposals/{pid}/questionnaire", headers=ann.headers).json()
    assert mine["answered"] is True and mine["submissions"] == 2


def test_the_timeline_lists_stages_documents_variants_and_the_decision(
    client: TestClient,
    planner: Person,
    new_proposal: Callable[..., dict[str, Any]],
) -> None:
    pid = new_proposal()["id"]
    _variant(client, planner, pid, "A")
    r = client.post(
        f"/api/v1/proposals/{pid}/documents",
        content=b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n",
        params={"title": "Design statement"},
        headers={**planner.headers, "Content-Type": "application/pdf"},
    )
    assert r.status_code == 201, r.text
    stage(client, planner.headers, pid, "assessment")
    stage(client, planner.headers, pid, "decided", decision="approved", reason="Meets policy D9")
    items = client.get(f"/api/v1/proposals/{pid}/timeline").json()["items"]
    kinds = [i["kind"] for i in items]
    assert kinds[0] == "stage" and items[0]["stage"] == "consultation"
    assert "variant" in kinds and "document" in kinds
    assert [i["stage"] for i in items if i["kind"] == "stage"] == [
        "consultation",
        "assessment",
        "decided",
    ]
    [decision] = [i for i in items if i["kind"] == "decision"]
    assert decision["title"] == "Decision: approved" and decision["detail"] == "Meets policy D9"
    assert [i["at"] for i in items] == sorted(i["at"] for i in items)
    draft = new_proposal(draft=True)["id"]
    assert client.get(f"/api/v1/proposals/{draft}/timeline").status_code == 404
