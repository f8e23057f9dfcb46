"""Saved searches of funding schemes and their alerts (issue 15), through `civictwin alerts send`
and a real local SMTP server, on both engines."""

from __future__ import annotations

from collections.abc import Callable
from email.header import decode_header, make_header

import pytest
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import User
from tests.backend.opportunities.test_alerts import Inbox, _send, smtp  # noqa: F401 - fixture
from tests.backend.sme.conftest import create_scheme

URL = "/api/v1/saved-searches/funding"


def _text(inbox: Inbox, i: int) -> str:
    return inbox.messages[i].get_payload(decode=True).decode()  # type: ignore[union-attr]


def _subject(inbox: Inbox, i: int) -> str:
    return str(make_header(decode_header(inbox.messages[i]["Subject"])))


def test_funding_searches_are_validated_naming_the_field_and_kept_apart(
    client: TestClient, make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]
) -> None:
    sme = bearer(make_user("sme"))
    other = bearer(make_user("sme"))
    body = {"name": "Small builders", "query": {"kind": ["grant"], "size": "small", "sector": "45"}}
    made = client.post(URL, json=body, headers=sme)
    assert made.status_code == 201, made.text
    sid = made.json()["id"]
    assert made.json()["target"] == "funding" and made.json()["frequency"] == "daily"
    assert made.json()["query"]["sector"] == "45" and made.json()["query"]["open_now"] is False
    # a funding search is not among the opportunity searches, nor the other way round
    assert client.get("/api/v1/saved-searches", headers=sme).json() == []
    opp = client.post("/api/v1/saved-searches", json={"name": "All", "query": {}}, headers=sme)
    assert [s["id"] for s in client.get(URL, headers=sme).json()] == [sid]
    r = client.patch(f"/api/v1/saved-searches/{sid}", json={"name": "x"}, headers=sme)
    assert r.status_code == 404
    r = client.patch(f"{URL}/{opp.json()['id']}", json={"name": "x"}, headers=sme)
    assert r.status_code == 404

    for query, field in [
        ({"sector": "X9"}, "sector"),
        ({"lon": 1.0}, "lon"),
        ({"kind": ["lottery"]}, "kind"),
        ({"size": "large"}, "size"),
        ({"open_on": "2026-01-01"}, "open_on"),  # a saved search has open_now instead
    ]:
        r = client.post(URL, json={"name": "bad", "query": query}, headers=sme)
        assert r.status_code == 422 and field in str(r.json()["detail"]), (query, r.text)
    r = client.post(URL, json={"name": "", "query": {}}, headers=sme)
    assert r.status_code == 422 and "name" in str(r.json()["detail"])
    r = client.patch(f"{URL}/{sid}", json={"query": {"sector": "??"}}, headers=sme)
    assert r.status_code == 422 and "sector" in r.json()["detail"]

    # another user neither sees, changes, runs nor deletes it; nobody signed out does
    assert client.get(URL, headers=other).json() == []
    assert client.patch(f"{URL}/{sid}", json={"name": "x"}, headers=other).status_code == 404
    assert client.get(f"{URL}/{sid}/schemes", headers=other).status_code == 404
    assert client.delete(f"/api/v1/saved-searches/{sid}", headers=other).status_code == 404
    assert client.get(URL).status_code == 401
    assert client.post(URL, json=body).status_code == 401

    changed = client.patch(
        f"{URL}/{sid}", json={"frequency": "weekly", "query": {"open_now": True}}, headers=sme
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["frequency"] == "weekly"
    assert changed.json()["query"] == {**changed.json()["query"], "open_now": True, "sector": None}
    assert client.delete(f"/api/v1/saved-searches/{sid}", headers=sme).status_code == 204
    assert client.get(URL, headers=sme).json() == []


def test_run_again_returns_the_current_matches(
    client: TestClient, make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]
) -> None:
    funder = bearer(make_user("funder"))
    grant = create_scheme(client, funder)
    create_scheme(client, funder, kind="loan")
    closed = create_scheme(client, funder, opens_on="2020-01-01", closes_on="2021-01-01")
    sme = bearer(make_user("sme"))
    made = client.post(
        URL, json={"name": "Grants", "query": {"kind": ["grant"], "sector": "4511"}}, headers=sme
    ).json()
    r = client.get(f"{URL}/{made['id']}/schemes", headers=sme)
    assert r.status_code == 200, r.text
    assert {s["id"] for s in r.json()["items"]} == {grant["id"], closed["id"]}
    assert r.json()["total"] == 2
    client.patch(
        f"{URL}/{made['id']}", json={"query": {"kind": ["grant"], "open_now": True}}, headers=sme
    )
    r = client.get(f"{URL}/{made['id']}/schemes", headers=sme)
    assert [s["id"] for s in r.json()["items"]] == [grant["id"]]


def test_alerts_mail_newly_published_matching_schemes_once(
    client: TestClient,
    db_url: str,
    database: Database,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    smtp: tuple[str, Inbox],  # noqa: F811 - the fixture
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    smtp_url, inbox = smtp
    funder = bearer(make_user("funder"))
    before = create_scheme(client, funder, provider="Published before the search")
    user = make_user("sme", email="builder@example.org")
    sme = bearer(user)
    query = {"kind": ["grant"], "sector": "45", "open_now": True}
    r = client.post(
        URL, json={"name": "Builders", "query": query, "frequency": "immediate"}, headers=sme
    )
    assert r.status_code == 201, r.text
    sid = r.json()["id"]

    match = create_scheme(client, funder, provider="Chamber of Commerce")
    create_scheme(client, funder, kind="loan", provider="Loan fund")  # another kind
    create_scheme(  # another sector
        client, funder, provider="Digital fund", sectors=[{"scheme": "CPV", "code": "72"}]
    )
    draft = create_scheme(client, funder, provider="Draft bank", status="draft")

    out = _send(monkeypatch, db_url, smtp_url)
    assert "1 digests queued" in out and "1 messages sent" in out, out
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["To"] == "builder@example.org"
    assert _subject(inbox, 0) == "CivicTwin: 1 new funding scheme for “Builders”"
    text = _text(inbox, 0)
    assert "Chamber of Commerce" in text and f"/api/v1/schemes/{match['id']}" in text
    for absent in ("Published before", "Loan fund", "Digital fund", "Draft bank"):
        assert absent not in text
    assert before["id"] != match["id"]

    out = _send(monkeypatch, db_url, smtp_url)  # nothing new: nothing sent twice
    assert "0 digests queued" in out and len(inbox.messages) == 1

    # the draft published later is new then; the account reads Italian, so does the digest
    with database.sessions() as session:
        loaded = session.get(User, user.id)
        assert loaded is not None
        loaded.locale = "it"
        session.commit()
    r = client.patch(f"/api/v1/schemes/{draft['id']}", json={"status": "published"}, headers=funder)
    assert r.status_code == 200, r.text
    out = _send(monkeypatch, db_url, smtp_url)
    assert "1 digests queued" in out and len(inbox.messages) == 2
    second = _text(inbox, 1)
    assert _subject(inbox, 1) == "CivicTwin: 1 nuovo bando di finanziamento per “Builders”"
    assert "Contributo per la prima gara" in second and "Draft bank" in second
    assert "Chamber of Commerce" not in second
    # its stop link, in Italian, pauses this search in one click (no sign-in); resuming in the
    # app mails only what was published meanwhile
    stop = f"/api/v1/saved-searches/{sid}/stop?token="
    line = next(x for x in second.splitlines() if x.startswith("Interrompi questi avvisi: "))
    assert stop in line and str(inbox.messages[1]["List-Unsubscribe"]).strip("<>") in line
    assert client.post(line[line.index(stop) :]).json() == {"id": sid, "paused": True}
    create_scheme(client, funder, provider="While paused")
    out = _send(monkeypatch, db_url, smtp_url)
    assert "0 saved searches due" in out and len(inbox.messages) == 2
    r = client.patch(f"{URL}/{sid}", json={"paused": False}, headers=sme)
    assert r.status_code == 200 and r.json()["paused"] is False, r.text
    out = _send(monkeypatch, db_url, smtp_url)
    assert "1 digests queued" in out and "While paused" in _text(inbox, 2)

    # deleting the search stops its alerts
    assert client.delete(f"/api/v1/saved-searches/{sid}", headers=sme).status_code == 204
    create_scheme(client, funder, provider="After the end")
    out = _send(monkeypatch, db_url, smtp_url)
    assert "0 saved searches due" in out and len(inbox.messages) == 3
