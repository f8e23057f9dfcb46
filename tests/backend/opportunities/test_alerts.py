"""Saved searches and `civictwin alerts send`, delivered to a real local SMTP server."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from backend.cli import app as cli
from backend.db.models import Proposal, User
from tests.backend.opportunities.conftest import BHAM, publish


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[str, Inbox]]:
    inbox = Inbox()
    # the CLI points logging at CliRunner's (then closed) stream: keep aiosmtpd's chatter apart
    monkey = logging.getLogger("mail.log")
    monkey.propagate = False
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", inbox
    finally:
        controller.stop()


def _subject(mail: Message) -> str:
    return str(make_header(decode_header(str(mail["Subject"]))))


def _send(monkeypatch: pytest.MonkeyPatch, db_url: str, smtp_url: str | None) -> str:
    monkeypatch.setenv("CIVICTWIN_DATABASE_URL", db_url)
    if smtp_url:
        monkeypatch.setenv("CIVICTWIN_SMTP_URL", smtp_url)
    else:
        monkeypatch.delenv("CIVICTWIN_SMTP_URL", raising=False)
    result = CliRunner().invoke(cli, ["alerts", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def test_saved_searches_belong_to_their_owner_and_are_validated(
    client: TestClient, make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]
) -> None:
    sme = bearer(make_user("sme"))
    other = bearer(make_user("citizen"))
    body = {"name": "Near me", "query": {"cpv": ["4511"], "lon": 1, "lat": 2, "radius_km": 5}}
    made = client.post("/api/v1/saved-searches", json=body, headers=sme)
    assert made.status_code == 201, made.text
    sid = made.json()["id"]
    assert made.json()["frequency"] == "daily"
    assert client.get("/api/v1/saved-searches", headers=other).json() == []
    assert client.delete(f"/api/v1/saved-searches/{sid}", headers=other).status_code == 404
    changed = client.patch(
        f"/api/v1/saved-searches/{sid}", json={"frequency": "weekly"}, headers=sme
    )
    assert changed.json()["frequency"] == "weekly"
    for query, param in [
        ({"radius_km": 5}, "radius_km"),
        ({"cpv": ["99"]}, "cpv"),
        ({"x": 1}, "x"),
    ]:
        r = client.post("/api/v1/saved-searches", json={"name": "bad", "query": query}, headers=sme)
        assert r.status_code == 422 and param in r.json()["detail"], r.text
    assert client.delete(f"/api/v1/saved-searches/{sid}", headers=sme).status_code == 204


def test_alerts_send_digests_of_new_matches_over_smtp_without_duplicates(
    client: TestClient,
    db_url: str,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    make_proposal: Callable[..., Proposal],
    smtp: tuple[str, Inbox],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    smtp_url, inbox = smtp
    planner = make_user("planner")
    ph = bearer(planner)
    proposal = make_proposal(planner)
    first = publish(client, ph, proposal.id, title="Courtyard landscaping")
    publish(client, ph, proposal.id, title="Security", cpv_codes=["79710000"])  # not a match
    sme_user = make_user("sme", email="sme@example.org")
    sme = bearer(sme_user)
    query = {"cpv": ["4511"], "lon": BHAM[0], "lat": BHAM[1], "radius_km": 10}
    client.post(
        "/api/v1/saved-searches",
        json={"name": "Landscaping", "query": query, "frequency": "immediate"},
        headers=sme,
    )
    # a weekly search that already ran is not due
    out = _send(monkeypatch, db_url, smtp_url)
    assert "1 digests queued" in out and "1 messages sent" in out
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["To"] == "sme@example.org"
    text = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "Courtyard landscaping" in text and "Security" not in text
    assert f"/api/v1/opportunities/{first['id']}" in text

    out = _send(monkeypatch, db_url, smtp_url)
    assert "0 digests queued" in out and len(inbox.messages) == 1  # nothing new, nothing sent

    publish(client, ph, proposal.id, title="Tree planting", cpv_codes=["45112710"])
    _send(monkeypatch, db_url, smtp_url)
    assert len(inbox.messages) == 2
    second = inbox.messages[1].get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "Tree planting" in second and "Courtyard landscaping" not in second


def test_without_smtp_the_digest_waits_in_the_outbox_and_goes_out_later(
    client: TestClient,
    db_url: str,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    make_proposal: Callable[..., Proposal],
    smtp: tuple[str, Inbox],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    smtp_url, inbox = smtp
    planner = make_user("planner")
    publish(client, bearer(planner), make_proposal(planner).id)
    sme = bearer(make_user("sme"))
    client.post(
        "/api/v1/saved-searches",
        json={"name": "All", "query": {}, "frequency": "daily"},
        headers=sme,
    )
    out = _send(monkeypatch, db_url, None)
    assert "1 digests queued" in out and "stay in the outbox" in out
    assert "Landscaping works" in out
    # daily: not due again today, but the queued message is delivered once SMTP is configured
    out = _send(monkeypatch, db_url, smtp_url)
    assert "0 digests queued" in out and "1 messages sent" in out
    assert len(inbox.messages) == 1


def test_a_paused_search_sends_nothing_and_resuming_sends_only_what_is_new(
    client: TestClient,
    db_url: str,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    make_proposal: Callable[..., Proposal],
    smtp: tuple[str, Inbox],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    smtp_url, inbox = smtp
    planner = make_user("planner")
    ph = bearer(planner)
    proposal = make_proposal(planner)
    publish(client, ph, proposal.id, title="Courtyard landscaping")
    sme = bearer(make_user("sme", email="paused@example.org"))
    made = client.post(
        "/api/v1/saved-searches",
        json={"name": "All", "query": {}, "frequency": "immediate"},
        headers=sme,
    ).json()
    assert made["paused"] is False
    sid = made["id"]
    paused = client.patch(f"/api/v1/saved-searches/{sid}", json={"paused": True}, headers=sme)
    assert paused.status_code == 200 and paused.json()["paused"] is True
    assert client.get("/api/v1/saved-searches", headers=sme).json()[0]["paused"] is True
    out = _send(monkeypatch, db_url, smtp_url)
    assert "0 saved searches due" in out and inbox.messages == []

    client.patch(f"/api/v1/saved-searches/{sid}", json={"paused": False}, headers=sme)
    _send(monkeypatch, db_url, smtp_url)
    assert len(inbox.messages) == 1
    assert "Courtyard landscaping" in inbox.messages[0].get_payload(decode=True).decode()  # type: ignore[union-attr]
    r = client.patch(f"/api/v1/saved-searches/{sid}", json={"paused": "maybe"}, headers=sme)
    assert r.status_code == 422 and "paused" in r.json()["detail"], r.text


def test_the_digests_stop_link_pauses_that_search_in_one_click_without_signing_in(
    client: TestClient,
    db_url: str,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    make_proposal: Callable[..., Proposal],
    smtp: tuple[str, Inbox],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    smtp_url, inbox = smtp
    planner = make_user("planner")
    ph = bearer(planner)
    proposal = make_proposal(planner)
    publish(client, ph, proposal.id, title="Courtyard landscaping")
    sme = bearer(make_user("sme", email="stop@example.org"))
    searches = [
        client.post(
            "/api/v1/saved-searches",
            json={"name": name, "query": {}, "frequency": "immediate"},
            headers=sme,
        ).json()["id"]
        for name in ("First", "Second")
    ]
    _send(monkeypatch, db_url, smtp_url)
    assert len(inbox.messages) == 2
    first = next(m for m in inbox.messages if "First" in _subject(m))
    # RFC 2369 / 8058 headers point at this search's own stop link
    raw = str(first["List-Unsubscribe"])
    assert raw.startswith("<http") and raw.endswith(">"), raw  # a link, not an encoded word
    header = raw.strip("<>")
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = first.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert f"Stop these alerts: {header}" in text
    path = "/" + header.split("/", 3)[3]
    assert path.startswith(f"/api/v1/saved-searches/{searches[0]}/stop?token=")

    page = client.get(path)  # a mail scanner's GET changes nothing
    assert page.status_code == 200 and '<form method="post"' in page.text
    listed = {
        s["id"]: s["paused"] for s in client.get("/api/v1/saved-searches", headers=sme).json()
    }
    assert listed == {searches[0]: False, searches[1]: False}

    # a forged or another search's token is refused, and says which parameter is wrong
    token = path.split("token=")[1]
    for bad in (
        f"/api/v1/saved-searches/{searches[1]}/stop?token={token}",
        f"/api/v1/saved-searches/{searches[0]}/stop?token=x{token[1:]}",
        f"/api/v1/saved-searches/999999/stop?token={token}",
    ):
        r = client.post(bad)
        assert r.status_code == 403 and "token" in r.json()["detail"], (bad, r.text)
    assert client.post(f"/api/v1/saved-searches/{searches[0]}/stop").status_code == 422

    stopped = client.post(path)  # the one-click POST a mail client sends, no cookie, no bearer
    assert stopped.status_code == 200 and stopped.json() == {"id": searches[0], "paused": True}
    listed = {
        s["id"]: s["paused"] for s in client.get("/api/v1/saved-searches", headers=sme).json()
    }
    assert listed == {searches[0]: True, searches[1]: False}

    publish(client, ph, proposal.id, title="Tree planting", cpv_codes=["45112710"])
    _send(monkeypatch, db_url, smtp_url)
    assert len(inbox.messages) == 3  # only the search still on
    assert "Second" in _subject(inbox.messages[2])
