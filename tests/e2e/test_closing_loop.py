"""Closing the loop (issue 14), against the real backend and a real SMTP server: a citizen
follows an area; a planner publishes a proposal with two variants there and the citizen is
e-mailed; the citizen states a preference and answers the questionnaire in the page, and
comments on a variant; the planner responds officially and the citizen is e-mailed; the
consultation closes, the report is made and attached with the database's counts; the mailed
unsubscribe link works without signing in. Bad input gets a clear 4xx and changes nothing."""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from tests.e2e.conftest import (
    PASSWORD,
    LiveServer,
    draw_at_half_resolution,
    new_page,
    open_app,
    rect,
    register,
    run_axe,
    screenshot,
    site_centre,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in str(m["To"])]


@pytest.fixture
def smtp() -> Iterator[tuple[str, Inbox]]:
    inbox = Inbox()
    logging.getLogger("mail.log").propagate = False
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", inbox
    finally:
        controller.stop()


def scheduler(monkeypatch: pytest.MonkeyPatch, server: LiveServer, smtp_url: str) -> str:
    """``civictwin engagement run`` in its own process, as cron runs it, on the live server's
    database (in this process it would load a second SQLite beside the server's, whose POSIX
    locks do not see each other)."""
    env = {
        **os.environ,
        "CIVICTWIN_DATABASE_URL": server.db_url,
        "CIVICTWIN_SMTP_URL": smtp_url,
        "CIVICTWIN_PUBLIC_BASE_URL": server.url,
        "CIVICTWIN_UPLOADS_DIR": str(server.tiles_dir.parent / "uploads"),
    }
    result = subprocess.run(
        [str(Path(sys.executable).parent / "civictwin"), "engagement", "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def raw(session: httpx.Client, method: str, path: str, **kw: Any) -> httpx.Response:
    return session.request(method, path, **kw)


def count(db_url: str, sql: str, **params: Any) -> int:
    """A count read from the live server's database, through the same SQLite library as the
    server (it runs in this process: a second SQLite library here would not see the server's
    POSIX locks, and closing its file would drop them, so other processes would miss the
    server's writes)."""
    import sqlean

    engine = sa.create_engine(db_url, module=sqlean)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(sql), params).scalar() or 0)
    finally:
        engine.dispose()


def test_the_participation_loop_closes(
    browser, live_server: LiveServer, smtp: tuple[str, Inbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp_url, inbox = smtp
    base = live_server.url
    resident = register(base, "looper")
    live_server.accounts["looper"] = resident
    seeded = live_server.seed["proposal"]
    lon, lat = site_centre(seeded)

    # 1. the citizen follows the area around the seeded scheme, in the page
    page = new_page(browser, live_server, "looper")
    draw_at_half_resolution(page)  # its panels are checked, not the 3D view
    try:
        open_app(page, live_server, hash_=f"#proposal={seeded['id']}")
        assert page.evaluate("() => window.__civictwin.viewer.resolutionScale") == 0.5
        page.locator("#follow-radius").fill("600")
        page.locator("#follow-area").click()
        page.get_by_text("You now follow the area within 600 m.").first.wait_for()
    finally:
        page.context.close()
    me = live_server.api("looper")
    [area] = [f for f in me.call("GET", "/api/v1/me/follows") if f["radius_m"]]
    assert area["radius_m"] == 600

    # bad input: a country-sized polygon is refused and nothing is stored
    hungary = {"type": "Polygon", "coordinates": rect(16.1, 45.7, 22.9, 48.6)}
    r = raw(
        me.client,
        "POST",
        "/api/v1/me/follows",
        json={"area": hungary},
        headers={"X-CSRF-Token": me.csrf},
    )
    assert r.status_code == 422 and r.json()["detail"].startswith("area: covers")
    assert len(me.call("GET", "/api/v1/me/follows")) == 1

    # 2. a planner publishes a proposal with two variants 150 m away
    planner = live_server.api("planner")
    d = 0.0002
    p = planner.call(
        "POST",
        "/api/v1/proposals",
        json={
            "reference": "E2E/LOOP",
            "title": "Loop Yard (test scheme)",
            "site_address": "Loop Yard, London EC1",
            "site_boundary": {
                "type": "MultiPolygon",
                "coordinates": [rect(lon + 0.002, lat, lon + 0.002 + d, lat + d)],
            },
        },
    )
    pid = p["id"]
    va = planner.call(
        "POST",
        f"/api/v1/proposals/{pid}/variants",
        json={"name": "A: nine storeys", "description": "As submitted."},
    )["id"]
    vb = planner.call(
        "POST",
        f"/api/v1/proposals/{pid}/variants",
        json={"name": "B: seven storeys", "description": "Stepped back."},
    )["id"]
    planner.call(
        "PUT",
        f"/api/v1/proposals/{pid}/questionnaire",
        json={
            "questions": [
                {
                    "kind": "single",
                    "prompt": "Which variant fits the street?",
                    "options": ["A", "B"],
                    "required": True,
                },
                {
                    "kind": "rating",
                    "prompt": "How much do you like the courtyard?",
                    "rating_max": 5,
                },
            ]
        },
    )
    planner.call("POST", f"/api/v1/proposals/{pid}/publish")
    scheduler(monkeypatch, live_server, smtp_url)
    # (the outbox also held the account's verification mail, sent now too)
    [news] = [m for m in inbox.to(resident.email) if "New proposal" in str(m["Subject"])]
    assert news["Subject"] == "New proposal near you: Loop Yard (test scheme)"
    assert news["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = news.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert f"#proposal={pid}" in body

    # 3. the citizen states a preference and answers the questionnaire in the page
    page = new_page(browser, live_server, "looper")
    draw_at_half_resolution(page)  # its panels are checked, not the 3D view
    try:
        open_app(page, live_server, hash_=f"#proposal={pid}")
        assert page.evaluate("() => window.__civictwin.viewer.resolutionScale") == 0.5
        page.locator(f"#variant-{vb}").check()
        page.locator("#save-preference").click()
        page.get_by_text("Your preference is saved.").first.wait_for()
        q = page.locator("#questionnaire-form")
        q.get_by_label("B", exact=True).check()
        q.get_by_label("4", exact=True).check()
        page.locator("#questionnaire-submit").click()
        page.get_by_text("Thank you: your answers are in.").first.wait_for()
        page.get_by_text("You have answered this questionnaire").first.wait_for()
        page.set_viewport_size({"width": 390, "height": 844})  # a phone
        page.locator("#proposal-questionnaire").scroll_into_view_if_needed()
        screenshot(page, "closing_loop_questionnaire_en_390")
        assert run_axe(page) == []
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()
    comment = me.call(
        "POST",
        f"/api/v1/proposals/{pid}/comments",
        json={
            "body": "B keeps the light; call me on 020 7946 0958",
            "sentiment": "supportive",
            "variant_id": vb,
        },
    )

    # bad input: an unknown variant, answering twice — 4xx, nothing changed
    before = count(
        live_server.db_url, "SELECT count(*) FROM comments WHERE proposal_id = :p", p=pid
    )
    r = raw(
        me.client,
        "POST",
        f"/api/v1/proposals/{pid}/comments",
        json={"body": "?", "variant_id": 999_999},
        headers={"X-CSRF-Token": me.csrf},
    )
    assert r.status_code == 422 and r.json()["detail"].startswith("variant_id")
    r = raw(
        me.client,
        "POST",
        f"/api/v1/proposals/{pid}/questionnaire/answers",
        json={"answers": [{"question_id": 1, "choices": [0]}]},
        headers={"X-CSRF-Token": me.csrf},
    )
    assert r.status_code == 409 and "already answered" in r.json()["detail"]
    assert (
        count(live_server.db_url, "SELECT count(*) FROM comments WHERE proposal_id = :p", p=pid)
        == before
    )
    assert (
        count(
            live_server.db_url,
            "SELECT count(*) FROM questionnaire_submissions WHERE proposal_id = :p",
            p=pid,
        )
        == 1
    )
    variants = me.call("GET", f"/api/v1/proposals/{pid}/variants")
    assert variants["my_preference"] == vb
    assert {v["id"]: v["comments"] for v in variants["items"]} == {va: 0, vb: 1}

    # 4. the planner responds officially in the page: the citizen is e-mailed and sees it
    page = new_page(browser, live_server, "planner")
    draw_at_half_resolution(page)  # its panels are checked, not the 3D view
    try:
        open_app(page, live_server, hash_=f"#proposal={pid}")
        assert page.evaluate("() => window.__civictwin.viewer.resolutionScale") == 0.5
        page.locator(f"#respond-{comment['id']}").click()
        page.locator("#response-body").fill("Variant B goes forward.")
        page.locator("#disposition-scheme_changed").check()
        page.locator("#response-submit").click()
        # what changed is required for this disposition: named, and nothing sent
        page.get_by_text("Say what changed in the scheme.").first.wait_for()
        page.locator("#response-change").fill("Seven storeys, stepped back from the street.")
        page.locator("#response-submit").click()
        page.get_by_text(
            f"Official response published (On comment {comment['id']})."
        ).first.wait_for()
        for width, height in ((1280, 720), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.locator("#planner-loop").scroll_into_view_if_needed()
            screenshot(page, f"closing_loop_planner_en_{width}")
        assert run_axe(page) == []
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()
    page = new_page(browser, live_server, "looper")
    draw_at_half_resolution(page)  # its panels are checked, not the 3D view
    try:
        open_app(page, live_server, hash_=f"#proposal={pid}")
        assert page.evaluate("() => window.__civictwin.viewer.resolutionScale") == 0.5
        said_section = page.locator("#proposal-said")
        said_section.get_by_text("Official response from").first.wait_for()
        assert "What changed: Seven storeys, stepped back from the street." in (
            said_section.inner_text()
        )
        assert page.locator("#planner-loop").count() == 0  # the planner's side is not a citizen's
        said_section.scroll_into_view_if_needed()
        screenshot(page, "closing_loop_said_en_1280")
    finally:
        page.context.close()
    # the server fans the response out after answering; the scheduler then mails it
    deadline = time.monotonic() + 60
    while not [
        n
        for n in me.call("GET", "/api/v1/me/notifications")["items"]
        if n["kind"] == "official_response"
    ]:
        assert time.monotonic() < deadline, "the response was not fanned out after the request"
        time.sleep(0.5)
    ran = scheduler(monkeypatch, live_server, smtp_url)
    answered = [m for m in inbox.to(resident.email) if "responded" in str(m["Subject"])]
    assert len(answered) == 1, (ran, [str(m["Subject"]) for m in inbox.messages])
    said = live_server.api().call("GET", f"/api/v1/proposals/{pid}/you-said-we-did")
    assert said["changes"] == ["Seven storeys, stepped back from the street."]

    # 5. the consultation closes: the report is made, attached, and counts what the database holds
    planner.call("POST", f"/api/v1/proposals/{pid}/stage", json={"stage": "assessment"})
    scheduler(monkeypatch, live_server, smtp_url)
    [report] = live_server.api().call("GET", f"/api/v1/proposals/{pid}/reports")["items"]
    assert report["trigger"] == "close"
    counts = report["counts"]
    db = live_server.db_url
    assert (
        counts["comments"]
        == count(
            db,
            "SELECT count(*) FROM comments WHERE proposal_id = :p AND state = 'published'",
            p=pid,
        )
        == 1
    )
    assert counts["questionnaire_submissions"] == count(
        db, "SELECT count(*) FROM questionnaire_submissions WHERE proposal_id = :p", p=pid
    )
    assert {v["id"]: v["preferences"] for v in counts["by_variant"]} == {va: 0, vb: 1}
    docs = live_server.api().call("GET", f"/api/v1/proposals/{pid}")["documents"]
    assert report["html_document_id"] in [d["id"] for d in docs]
    page_html = httpx.get(f"{base}{report['html_url']}", timeout=60).text
    assert "Resident 1" in page_html and resident.name not in page_html and "7946" not in page_html

    # 6. the mailed unsubscribe link works without signing in; a forged one changes nothing
    # a long header is folded (CRLF + space) and may be RFC 2047-encoded on the wire: decode and
    # unfold it, as a mail client does
    header = str(make_header(decode_header(str(news["List-Unsubscribe"]))))
    link = re.sub(r"\s+", "", header).strip("<>")
    forged = re.sub(r"token=[^&]+", "token=forged", link)
    assert httpx.post(forged, timeout=60).status_code == 403
    assert all(
        i["frequency"] != "off"
        for i in me.call("GET", "/api/v1/me/notification-preferences")["items"]
    )
    done = httpx.post(link, data={"List-Unsubscribe": "One-Click"}, timeout=60)
    assert done.status_code == 200 and done.json()["unsubscribed"] is True
    assert {
        i["frequency"] for i in me.call("GET", "/api/v1/me/notification-preferences")["items"]
    } == {"off"}
    assert PASSWORD  # the account itself is untouched: it still signs in
    me.login(resident.email)
