"""Follows, the set-based fan-out, the outbox, digests, the in-app list and unsubscribe."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import OutboxMessage
from backend.db.models_engagement import (
    Follow,
    Notification,
    NotificationEvent,
    NotificationPreference,
)
from backend.db.types import utcnow
from backend.repositories import notifications as repo
from backend.services import mail
from tests.backend.engagement.conftest import SITE_LAT, SITE_LON, Person, comment
from tests.backend.proposals.helpers import square


def follow(client: TestClient, who: Person, **body: Any) -> dict[str, Any]:
    r = client.post("/api/v1/me/follows", json=body, headers=who.headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def near(radius_m: float = 300) -> dict[str, Any]:
    return {"point": {"type": "Point", "coordinates": [SITE_LON, SITE_LAT]}, "radius_m": radius_m}


def outbox(database: Database, to: str | None = None) -> list[OutboxMessage]:
    with database.sessions() as s:
        q = sa.select(OutboxMessage).order_by(OutboxMessage.id)
        if to:
            q = q.where(OutboxMessage.to_address == to)
        rows = list(s.scalars(q))
        s.expunge_all()
        return rows


def notifications_of(database: Database, user_id: int) -> list[Notification]:
    with database.sessions() as s:
        rows = list(s.scalars(sa.select(Notification).where(Notification.user_id == user_id)))
        s.expunge_all()
        return rows


def test_a_proposal_published_in_a_followed_area_notifies_its_followers_once(
    client: TestClient,
    database: Database,
    person: Callable[..., Person],
    new_proposal: Callable[..., dict[str, Any]],
    step: Callable[..., Any],
) -> None:
    near_by, polygon_fan, far_away, nobody = person(), person(), person(), person()
    made = follow(client, near_by, label="Home", **near())
    assert made["radius_m"] == 300 and made["center"]["coordinates"] == [SITE_LON, SITE_LAT]
    # the geodesic circle's area is π r² within 1 %
    assert abs(made["area_km2"] - 3.141592653589793 * 0.3**2) < 0.01 * 0.2827
    follow(client, polygon_fan, area=square(SITE_LON - 0.001, SITE_LAT - 0.001, 0.003))
    follow(
        client,
        far_away,
        point={"type": "Point", "coordinates": [-0.2, 51.5]},
        radius_m=1000,
    )
    proposal = new_proposal(title="Cheapside offices")
    # the request recorded the event; nothing is fanned out before the scheduler step
    assert notifications_of(database, near_by.user.id) == []
    report = step()
    assert report.notifications == 2 and report.queued == 2
    for who in (near_by, polygon_fan):
        [n] = notifications_of(database, who.user.id)
        assert n.kind == "new_proposal" and n.proposal_id == proposal["id"]
        [m] = outbox(database, who.user.email)
        assert "Cheapside offices" in m.subject
        assert f"#proposal={proposal['id']}" in m.body
        assert m.unsubscribe_url and m.unsubscribe_url in m.body
    assert notifications_of(database, far_away.user.id) == []
    assert notifications_of(database, nobody.user.id) == []
    # again: nothing new, nothing sent twice
    again = step()
    assert again.notifications == 0 and again.queued == 0
    assert len(outbox(database)) == 2


def test_stage_changes_and_documents_reach_proposal_followers(
    client: TestClient,
    database: Database,
    person: Callable[..., Person],
    planner: Person,
    new_proposal: Callable[..., dict[str, Any]],
    step: Callable[..., Any],
) -> None:
    proposal = new_proposal()
    fan = person()
    follow(client, fan, proposal_id=proposal["id"])
    assert follow(client, fan, proposal_id=proposal["id"])["id"]  # twice is once
    with database.sessions() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Follow)) == 1
    step()
    r = client.post(
        f"/api/v1/proposals/{proposal['id']}/documents",
        content=b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n",
        params={"title": "Daylight study"},
        headers={**planner.headers, "Content-Type": "application/pdf"},
    )
    assert r.status_code == 201, r.text
    r = client.post(
        f"/api/v1/proposals/{proposal['id']}/stage",
        json={"stage": "assessment"},
        headers=planner.headers,
    )
    assert r.status_code == 200, r.text
    step()
    kinds = sorted(n.kind for n in notifications_of(database, fan.user.id))
    # the publication was before the follow (stage:consultation is not sent afterwards)
    assert kinds == ["new_document", "stage_change"]
    subjects = sorted(m.subject for m in outbox(database, fan.user.email))
    assert any("new document" in s for s in subjects)
    assert any("assessed" in s for s in subjects)
    # the planner who made the change is not told of it
    assert notifications_of(database, planner.user.id) == []


def test_a_country_sized_area_is_a_clear_422_and_nothing_is_stored(
    client: TestClient, database: Database, person: Callable[..., Person]
) -> None:
    who = person()
    hungary = {
        "type": "Polygon",
        "coordinates": [[[16.1, 45.7], [22.9, 45.7], [22.9, 48.6], [16.1, 48.6], [16.1, 45.7]]],
    }
    r = client.post("/api/v1/me/follows", json={"area": hungary}, headers=who.headers)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert detail.startswith("area: covers ") and "100 km²" in detail
    for bad, field in [
        ({**near(), "radius_m": 50_000}, "radius_m"),
        ({"point": near()["point"]}, "radius_m"),
        ({"proposal_id": 1, **near()}, "exactly one"),
        ({"area": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]}}, "area"),
    ]:
        r = client.post("/api/v1/me/follows", json=bad, headers=who.headers)
        assert r.status_code == 422, (bad, r.text)
        assert field in r.json()["detail"], r.text
    with database.sessions() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Follow)) == 0
    assert client.post("/api/v1/me/follows", json=near()).status_code == 401


def test_replies_are_notified_and_the_in_app_list_reads_and_marks(
    client: TestClient,
    database: Database,
    person: Callable[..., Person],
    new_proposal: Callable[..., dict[str, Any]],
    step: Callable[..., Any],
) -> None:
    proposal = new_proposal()
    author, replier = person(), person(name="Sam")
    first = comment(client, proposal["id"], author.headers, body="Too tall")
    comment(client, proposal["id"], replier.headers, body="Agreed", parent_id=first["id"])
    comment(client, proposal["id"], author.headers, body="Own reply", parent_id=first["id"])
    step()
    listed = client.get("/api/v1/me/notifications", headers=author.headers).json()
    assert listed["total"] == 1 and listed["unread"] == 1
    [item] = listed["items"]
    assert item["kind"] == "reply" and item["title"].startswith("Sam replied")
    assert f"comment={first['id'] + 1}" in item["link"]
    assert len(outbox(database, author.user.email)) == 1
    other = client.post(f"/api/v1/me/notifications/{item['id']}/read", headers=replier.headers)
    assert other.status_code == 404  # not theirs
    r = client.post(f"/api/v1/me/notifications/{item['id']}/read", headers=author.headers)
    assert r.json() == {"marked": 1, "unread": 0}
    assert (
        client.get("/api/v1/me/notifications?unread=true", headers=author.headers).json()["total"]
        == 0
    )


def test_daily_preference_waits_for_a_digest_and_off_sends_nothing(
    client: TestClient,
    database: Database,
    person: Callable[..., Person],
    new_proposal: Callable[..., dict[str, Any]],
    step: Callable[..., Any],
) -> None:
    daily, off = person(), person()
    for who, frequency in ((daily, "daily"), (off, "off")):
        follow(client, who, **near())
        r = client.put(
            "/api/v1/me/notification-preferences",
            json={"items": [{"kind": "new_proposal", "frequency": frequency}]},
            headers=who.headers,
        )
        assert r.status_code == 200, r.text
        got = {i["kind"]: i["frequency"] for i in r.json()["items"]}
        assert got["new_proposal"] == frequency and got["reply"] == "immediate"
    bad = client.put(
        "/api/v1/me/notification-preferences",
        json={"items": [{"kind": "reply", "frequency": "daily"}] * 2},
        headers=daily.headers,
    )
    assert bad.status_code == 422 and "items[1].kind" in bad.json()["detail"]
    new_proposal()
    step()
    assert outbox(database) == []  # in the app, not mailed at once
    assert [n.delivery for n in notifications_of(database, off.user.id)] == ["off"]
    assert step(now=utcnow() + timedelta(hours=2)).digests == 0  # not a day old yet
    assert step(now=utcnow() + timedelta(days=1, minutes=1)).digests == 1
    [digest] = outbox(database)
    assert digest.to_address == daily.user.email and "daily" in digest.body
    assert step(now=utcnow() + timedelta(days=2)).digests == 0  # once


def test_unsubscribe_works_without_signing_in_and_a_forged_token_changes_nothing(
    client: TestClient,
    database: Database,
    person: Callable[..., Person],
    new_proposal: Callable[..., dict[str, Any]],
    step: Callable[..., Any],
) -> None:
    who = person()
    follow(client, who, **near())
    new_proposal()
    step()
    [message] = outbox(database, who.user.email)
    assert message.unsubscribe_url is not None
    url = urlsplit(message.unsubscribe_url)
    query = parse_qs(url.query)
    assert query["user"] == [str(who.user.id)]
    forged = client.post(url.path, params={"user": who.user.id, "token": "x" * 32})
    assert forged.status_code == 403 and forged.json()["detail"].startswith("token:")
    other = person()
    swapped = client.post(url.path, params={"user": other.user.id, "token": query["token"][0]})
    assert swapped.status_code == 403
    with database.sessions() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(NotificationPreference)) == 0
    page = client.get(f"{url.path}?{url.query}")
    assert page.status_code == 200 and '<form method="post"' in page.text
    with database.sessions() as s:  # the page (a GET) changed nothing
        assert s.scalar(sa.select(sa.func.count()).select_from(NotificationPreference)) == 0
    done = client.post(f"{url.path}?{url.query}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200, done.text
    assert done.json() == {"unsubscribed": True, "kinds_off": 6}
    prefs = client.get("/api/v1/me/notification-preferences", headers=who.headers).json()
    assert {i["frequency"] for i in prefs["items"]} == {"off"}


def test_the_mail_carries_one_click_headers_and_failures_back_off(database: Database) -> None:
    message = OutboxMessage(
        id=7,
        to_address="a@example.org",
        subject="s",
        body="b",
        unsubscribe_url="https://x.example/api/v1/unsubscribe?user=1&token=t",
    )
    mail_ = mail._email(message, "CivicTwin <noreply@example.org>")
    assert mail_["List-Unsubscribe"] == "<https://x.example/api/v1/unsubscribe?user=1&token=t>"
    assert mail_["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert [mail.backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert mail.backoff(30) == mail.BACKOFF_MAX


def test_a_follow_made_after_the_event_is_not_told_old_news(
    client: TestClient,
    database: Database,
    person: Callable[..., Person],
    new_proposal: Callable[..., dict[str, Any]],
    step: Callable[..., Any],
) -> None:
    before, after = person(), person()
    follow(client, before, **near())
    new_proposal()  # the event is recorded now, fanned out by a later scheduler run
    follow(client, after, **near())
    step()
    assert [n.kind for n in notifications_of(database, before.user.id)] == ["new_proposal"]
    assert notifications_of(database, after.user.id) == []


def test_the_fan_out_returns_the_rows_it_inserted_as_counted_by_the_database(
    client: TestClient,
    database: Database,
    person: Callable[..., Person],
    new_proposal: Callable[..., dict[str, Any]],
    step: Callable[..., Any],
) -> None:
    """The counts are the rows inserted, not a driver's -1: on PostgreSQL counted from the
    INSERT's RETURNING inside the statement, on SQLite the statement's changes; rows skipped by
    ``ON CONFLICT DO NOTHING`` are not counted."""
    fans = [person() for _ in range(3)]
    for who in fans:
        follow(client, who, **near())
    proposal = new_proposal(title="Counted")
    report = step()
    with database.sessions() as s:
        [event] = s.scalars(sa.select(NotificationEvent))
        key = event.dedupe_key
        assert s.scalar(sa.select(sa.func.count()).select_from(Notification)) == 3
    assert report.notifications == 3 and report.queued == 3
    late = person()
    follow(client, late, **near())
    title = {"en": "Counted", "it": "Contato"}
    with database.sessions() as s:
        again: dict[str, Any] = {
            "kind": "new_proposal",
            "proposal_id": proposal["id"],
            "dedupe_key": key,
            "title": title,
            "body": title,
            "link": "http://example.org/#p",
            "now": utcnow(),
            "areas": True,
            "proposal_followers": False,
            "followed_by": utcnow(),
        }
        # three of the four recipients conflict with the rows made before: one inserted
        assert repo.fan_out(s, **again) == 1
        assert repo.fan_out(s, **again) == 0
        assert repo.queue_immediate(s, key, "http://example.org/u?user=", "\n", utcnow()) == 1
        assert repo.queue_immediate(s, key, "http://example.org/u?user=", "\n", utcnow()) == 0
        count = sa.select(sa.func.count()).where(Notification.dedupe_key == key)
        assert s.scalar(count.select_from(Notification)) == 4
        s.commit()
    assert [n.user_id for n in notifications_of(database, late.user.id)] == [late.user.id]
    assert len(outbox(database)) == 4 and len(outbox(database, late.user.email)) == 1
