"""Notification e-mails are written in the recipient's language (the account's own, set with
PATCH /users/me): read back from a real local SMTP server (aiosmtpd), as a mail client sees them."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from email.header import decode_header, make_header
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.services import mail
from tests.backend.engagement.conftest import SITE_LAT, SITE_LON, Person, comment
from tests.backend.opportunities.test_alerts import Inbox


@pytest.fixture
def smtp() -> Iterator[tuple[str, Inbox]]:
    logging.getLogger("mail.log").propagate = False
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", inbox
    finally:
        controller.stop()


def speaking(client: TestClient, who: Person, locale: str) -> Person:
    r = client.patch("/api/v1/users/me", json={"locale": locale}, headers=who.headers)
    assert r.status_code == 200 and r.json()["locale"] == locale, r.text
    return who


def send(database: Database, smtp_url: str) -> int:
    with database.sessions() as session:
        return mail.send_outbox(session, smtp_url, "civictwin@example.org")


def received(inbox: Inbox, to: str) -> list[tuple[str, str]]:
    """(subject, body) of each message to ``to``, decoded as a mail client does."""
    out = []
    for m in inbox.messages:
        if m["To"] != to:
            continue
        subject = str(make_header(decode_header(str(m["Subject"]))))
        payload = m.get_payload(decode=True) if not m.is_multipart() else None
        assert isinstance(payload, bytes), m
        out.append((subject, payload.decode(m.get_content_charset() or "utf-8")))
    return out


#: What each language's reader must see: written here from the translations' meaning, not
#: read from the catalogue, so a wrong or missing catalogue entry fails.
NEW_PROPOSAL = {
    "en": ("New proposal near you: Piazza del Mercato", "in an area you follow"),
    "it": ("Nuovo progetto vicino a te: Piazza del Mercato", "in una zona che segui"),
    "sv": ("Nytt förslag nära dig: Piazza del Mercato", "i ett område du följer"),
    "et": ("Uus projekt sinu lähedal: Piazza del Mercato", "piirkonnas, mida sa jälgid"),
    "hu": ("Új terv a közelében: Piazza del Mercato", "Ön által követett területen"),
}
FOOTER = {
    "en": "Unsubscribe from all:",
    "it": "Annulla tutte le iscrizioni:",
    "sv": "Avsluta alla utskick:",
    "et": "Loobu kõigist kirjadest:",
    "hu": "Leiratkozás mindenről:",
}


def test_a_new_proposal_is_mailed_to_each_follower_in_their_own_language(
    client: TestClient,
    database: Database,
    person: Callable[..., Person],
    new_proposal: Callable[..., dict[str, Any]],
    step: Callable[..., Any],
    smtp: tuple[str, Inbox],
) -> None:
    smtp_url, inbox = smtp
    readers = {locale: speaking(client, person(), locale) for locale in NEW_PROPOSAL}
    for who in readers.values():
        r = client.post(
            "/api/v1/me/follows",
            json={"point": {"type": "Point", "coordinates": [SITE_LON, SITE_LAT]}, "radius_m": 300},
            headers=who.headers,
        )
        assert r.status_code == 201, r.text
    new_proposal(title="Piazza del Mercato")
    report = step()
    assert report.notifications == 5  # one set-based fan-out, whatever the languages
    assert send(database, smtp_url) >= 5
    for locale, (subject, phrase) in NEW_PROPOSAL.items():
        [(got_subject, body)] = received(inbox, readers[locale].user.email)
        assert got_subject == subject, locale
        assert phrase in body and FOOTER[locale] in body, (locale, body)
    # the in-app list speaks the same language as the e-mail
    it = client.get("/api/v1/me/notifications", headers=readers["it"].headers).json()
    assert [n["title"] for n in it["items"]] == [NEW_PROPOSAL["it"][0]]


def test_an_official_response_and_a_reply_are_mailed_in_the_commenters_language(
    client: TestClient,
    database: Database,
    person: Callable[..., Person],
    planner: Person,
    new_proposal: Callable[..., dict[str, Any]],
    step: Callable[..., Any],
    smtp: tuple[str, Inbox],
) -> None:
    smtp_url, inbox = smtp
    anna = speaking(client, person(), "sv")
    mari = speaking(client, person(), "et")
    replier = person(name="Zsófi")
    p = new_proposal(title="Rüütli kvartal")
    step()
    said_sv = comment(client, p["id"], anna.headers, body="För högt mot gatan.")
    said_et = comment(client, p["id"], mari.headers, body="Liiga kõrge.")
    r = client.put(
        f"/api/v1/comments/{said_sv['id']}/response",
        json={
            "body": "The west block is lower now.",
            "disposition": "scheme_changed",
            "change_made": "Seven storeys instead of nine.",
        },
        headers=planner.headers,
    )
    assert r.status_code == 200, r.text
    r = client.post(
        f"/api/v1/proposals/{p['id']}/comments",
        json={"body": "Nõus.", "parent_id": said_et["id"]},
        headers=replier.headers,
    )
    assert r.status_code == 201, r.text
    step()
    send(database, smtp_url)
    [(subject, body)] = received(inbox, anna.user.email)
    assert subject == "Kommunen har svarat på din synpunkt om Rüütli kvartal"
    # the planner's words as written, the labels in the reader's language
    assert "The west block is lower now." in body
    assert "Vad som ändrades: Seven storeys instead of nine." in body
    assert "Avsluta alla utskick:" in body
    [(subject, body)] = received(inbox, mari.user.email)
    assert subject == "Zsófi vastas sinu kommentaarile projekti Rüütli kvartal kohta"
    assert "Nõus." in body and "Loobu kõigist kirjadest:" in body
