"""Consultation reports: their numbers are the database's, personal data is redacted, they are
attached at close (a stage change or the closing date passing) and on demand."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import Comment, Document, Proposal
from backend.db.models_engagement import ConsultationReport, VariantPreference
from backend.db.types import utcnow
from tests.backend.engagement.conftest import SITE_LAT, SITE_LON, Person, comment, stage


def _anchor(dx: float) -> dict[str, Any]:
    return {"point": {"lon": SITE_LON + dx, "lat": SITE_LAT + 0.0001, "height_m": 20.0}}


def _independent_counts(database: Database, pid: int) -> dict[str, Any]:
    """The figures straight from the tables, computed apart from the report's code."""
    with database.sessions() as s:
        published = (Comment.proposal_id == pid, Comment.state == "published")
        total = s.scalar(sa.select(sa.func.count()).where(*published))
        sentiments: dict[str, int] = dict(
            s.execute(
                sa.select(Comment.sentiment, sa.func.count())
                .where(*published)
                .group_by(Comment.sentiment)
            )
            .tuples()
            .all()
        )
        topics: Counter[str] = Counter()
        for row in s.scalars(sa.select(Comment.topics).where(*published)):
            topics.update(row or [])
        authors = s.scalar(
            sa.select(sa.func.count(sa.distinct(Comment.author_id))).where(*published)
        )
        anchored = s.scalar(
            sa.select(sa.func.count()).where(*published, Comment.anchor_point.is_not(None))
        )
        per_variant: dict[int | None, int] = dict(
            s.execute(
                sa.select(Comment.variant_id, sa.func.count())
                .where(*published, Comment.variant_id.is_not(None))
                .group_by(Comment.variant_id)
            )
            .tuples()
            .all()
        )
        prefs: dict[int, int] = dict(
            s.execute(
                sa.select(VariantPreference.variant_id, sa.func.count())
                .where(VariantPreference.proposal_id == pid)
                .group_by(VariantPreference.variant_id)
            )
            .tuples()
            .all()
        )
    return {
        "comments": total,
        "sentiments": sentiments,
        "topics": topics,
        "commenters": authors,
        "anchored": anchored,
        "per_variant": per_variant,
        "prefs": prefs,
    }


def _document(client: TestClient, doc_id: int) -> str:
    r = client.get(f"/api/v1/documents/{doc_id}")
    assert r.status_code == 200, r.text
    return r.content.decode()


def test_a_report_counts_what_the_database_holds_and_redacts_personal_data(
    client: TestClient,
    database: Database,
    person: Callable[..., Person],
    planner: Person,
    new_proposal: Callable[..., dict[str, Any]],
) -> None:
    pid = new_proposal(reference="24/00099/FULL")["id"]
    va, vb = (
        client.post(
            f"/api/v1/proposals/{pid}/variants", json={"name": n}, headers=planner.headers
        ).json()["id"]
        for n in ("A", "B")
    )
    ann, bob, cat = person(name="Ann Smith"), person(name="Bob Jones"), person(name="Cat")
    first = comment(
        client,
        pid,
        ann.headers,
        body="Too tall. Mail me at ann.smith@example.org or call 020 7946 0958.",
        sentiment="objection",
        topics=["light", "design"],
        anchor=_anchor(0.0001),
        variant_id=va,
    )
    comment(client, pid, bob.headers, body="Fine", sentiment="supportive", topics=["use"])
    comment(client, pid, cat.headers, body="B please", anchor=_anchor(0.0002), variant_id=vb)
    comment(client, pid, bob.headers, body="Agreed", parent_id=first["id"], sentiment="objection")
    hidden = comment(client, pid, cat.headers, body="spam spam", sentiment="supportive")
    with database.sessions() as s:  # a moderator hid it: never in the report
        s.execute(sa.update(Comment).where(Comment.id == hidden["id"]).values(state="hidden"))
        s.commit()
    for who, v in ((ann, va), (bob, vb), (cat, vb)):
        client.put(
            f"/api/v1/proposals/{pid}/variant-preference",
            json={"variant_id": v},
            headers=who.headers,
        )
    r = client.put(
        f"/api/v1/comments/{first['id']}/response",
        json={"body": "Noted, thank you", "disposition": "noted"},
        headers=planner.headers,
    )
    assert r.status_code == 200, r.text
    assert client.post(f"/api/v1/proposals/{pid}/reports", headers=ann.headers).status_code == 403
    r = client.post(f"/api/v1/proposals/{pid}/reports", headers=planner.headers)
    assert r.status_code == 201, r.text
    report = r.json()
    counts = report["counts"]
    truth = _independent_counts(database, pid)
    assert counts["comments"] == truth["comments"] == 4
    assert counts["commenters"] == truth["commenters"] == 3
    assert counts["anchored"] == truth["anchored"] == 2
    assert {k: v for k, v in counts["by_sentiment"].items() if v} == truth["sentiments"]
    assert {k: v for k, v in counts["by_topic"].items() if v} == dict(truth["topics"])
    assert sum(counts["by_day"].values()) == truth["comments"]
    assert {v["id"]: v["comments"] for v in counts["by_variant"] if v["comments"]} == truth[
        "per_variant"
    ]
    assert {v["id"]: v["preferences"] for v in counts["by_variant"]} == truth["prefs"]
    assert counts["by_disposition"] == {
        "noted": 1,
        "scheme_changed": 0,
        "not_taken_forward": 0,
        "no_response": 2,
    }
    page = _document(client, report["html_document_id"])
    for secret in ("Ann Smith", "Bob Jones", "ann.smith@example.org", "7946", "spam spam"):
        assert secret not in page, secret
    assert "Resident 1" in page and "Resident 3" in page and "[e-mail removed]" in page
    assert page.count("<article") == truth["comments"]
    assert len(re.findall(r"<circle ", page)) == truth["anchored"]
    assert "<polygon" in page  # the site outline under the dots
    summary = list(csv.DictReader(io.StringIO(_document(client, report["csv_document_id"]))))
    assert summary == [
        {
            "reference": "24/00099/FULL",
            "totalComments": "4",
            "totalConsulted": "3",
            "supportive": "1",
            "neutral": "1",
            "objection": "2",
            "approved": "1",
            "amendmentsNeeded": "1",
            "objected": "2",
            "noted": "1",
            "schemeChanged": "0",
            "notTakenForward": "0",
            "noResponse": "2",
            "questionnaireSubmissions": "0",
        }
    ]
    rows = list(csv.DictReader(io.StringIO(_document(client, counts["comments_csv_document_id"]))))
    assert len(rows) == truth["comments"]
    assert {r["author"] for r in rows} == {"Resident 1", "Resident 2", "Resident 3"}
    assert "@" not in "".join(r["comment"] for r in rows)
    assert [r["variant"] for r in rows if r["variant"]] == ["A", "B"]


def test_reports_are_made_and_attached_at_close_once(
    client: TestClient,
    database: Database,
    person: Callable[..., Person],
    planner: Person,
    new_proposal: Callable[..., dict[str, Any]],
    step: Callable[..., Any],
) -> None:
    moved = new_proposal()["id"]
    lapsed = new_proposal()["id"]
    still_open = new_proposal()["id"]
    comment(client, moved, person().headers, body="Hello")
    stage(client, planner.headers, moved, "assessment")
    with database.sessions() as s:  # its closing date passed yesterday
        s.execute(
            sa.update(Proposal)
            .where(Proposal.id == lapsed)
            .values(consultation_end=(utcnow() - timedelta(days=1)).date())
        )
        s.commit()
    made = step().reports
    assert len(made) == 2 and step().reports == []
    with database.sessions() as s:
        reports = {
            r.proposal_id: r
            for r in s.scalars(sa.select(ConsultationReport).where(ConsultationReport.id.in_(made)))
        }
        assert set(reports) == {moved, lapsed}
        assert {r.trigger for r in reports.values()} == {"close"}
        assert reports[moved].counts["comments"] == 1
        docs = s.scalars(
            sa.select(Document.content_type).where(
                Document.proposal_id == moved, Document.kind == "report"
            )
        ).all()
        assert sorted(docs) == ["text/csv", "text/csv", "text/html"]
    listed = client.get(f"/api/v1/proposals/{moved}").json()["documents"]
    assert any(d["title"].startswith("Consultation report") for d in listed)
    assert client.get(f"/api/v1/proposals/{still_open}/reports").json() == {"items": []}
    timeline = client.get(f"/api/v1/proposals/{moved}/timeline").json()["items"]
    assert "report" in [i["kind"] for i in timeline]
