"""Saved searches and `civictwin alerts send`, delivered to a real local SMTP server."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from email import message_from_bytes
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
