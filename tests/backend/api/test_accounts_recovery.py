"""E-mail verification, registration that reveals nothing, password strength, change and reset
(issue 10 points 5 and 9)."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import AccountToken, ApiToken, OutboxMessage, Proposal, User
from backend.db.types import utcnow
from backend.main import create_app
from backend.settings import Settings
from tests.conftest import PASSWORD, mailed_token, sign_in

REG = {
    "email": "grace@example.org",
    "password": "a long passphrase",
    "display_name": "Grace",
    "accept_terms": True,
}
NEW_PASSWORD = "another long passphrase"


def _outbox(database: Database, to: str) -> list[OutboxMessage]:
    with database.sessions() as session:
        return list(
            session.scalars(
                sa.select(OutboxMessage)
                .where(OutboxMessage.to_address == to)
                .order_by(OutboxMessage.id)
            )
        )


def _users(database: Database, email: str) -> int:
    with database.sessions() as session:
        return int(
            session.scalar(sa.select(sa.func.count()).select_from(User).where(User.email == email))
            or 0
        )


@pytest.fixture
def proposal_id(database: Database) -> int:
    today = utcnow().date()
    with database.sessions() as session:
        proposal = Proposal(
            reference="TEST/ACC/1",
            title="Barbican East infill",
            stage="consultation",
            consultation_start=today - timedelta(days=3),
            consultation_end=today + timedelta(days=10),
        )
        session.add(proposal)
        session.commit()
        return proposal.id


# --- registration and verification -----------------------------------------------------------


def test_registering_a_known_address_looks_the_same_and_mails_the_owner_instead(
    client: TestClient, database: Database, make_user: Callable[..., User]
) -> None:
    owner = make_user(email="owner@example.org")
    new = client.post("/api/v1/auth/register", json={**REG, "email": "fresh@example.org"})
    known = client.post("/api/v1/auth/register", json={**REG, "email": "Owner@Example.org"})
    assert new.status_code == known.status_code == 202
    assert new.json() == known.json()
    assert {k for k in new.headers if k != "content-length"} == {
        k for k in known.headers if k != "content-length"
    }
    # before: 409 "an account with this e-mail address already exists"
    assert _users(database, "owner@example.org") == 1
    mails = _outbox(database, str(owner.email))
    assert [m.subject for m in mails] == ["You already have a CivicTwin account"]
    assert "#verify=" not in mails[0].body  # the owner's address is already confirmed
    assert "#verify=" in _outbox(database, "fresh@example.org")[0].body
    # the owner's password is unchanged
    assert (
        client.post(
            "/api/v1/auth/login", json={"email": owner.email, "password": PASSWORD}
        ).status_code
        == 200
    )


def test_posting_and_reporting_wait_for_the_mailed_link(
    client: TestClient, database: Database, proposal_id: int, make_user: Callable[..., User]
) -> None:
    author = make_user()
    author_csrf = sign_in(client, str(author.email))
    posted = client.post(
        f"/api/v1/proposals/{proposal_id}/comments",
        json={"body": "Too tall for the street"},
        headers={"X-CSRF-Token": author_csrf},
    )
    assert posted.status_code == 201
    client.cookies.clear()
    assert client.post("/api/v1/auth/register", json=REG).status_code == 202
    csrf = sign_in(client, REG["email"], REG["password"])  # signing in works before verifying
    assert client.get("/api/v1/auth/me").json()["email_verified"] is False
    headers = {"X-CSRF-Token": csrf}
    comment = client.post(
        f"/api/v1/proposals/{proposal_id}/comments", json={"body": "Hello"}, headers=headers
    )
    assert comment.status_code == 403, comment.text
    assert comment.json()["code"] == "EmailNotVerifiedError"
    assert "confirm your e-mail address before posting" in comment.json()["detail"]
    report = client.post(
        f"/api/v1/comments/{posted.json()['id']}/reports", json={"reason": "spam"}, headers=headers
    )
    assert report.status_code == 403 and report.json()["code"] == "EmailNotVerifiedError"
    # a new link may be asked for; the newest link (and the first) confirms the address
    assert client.post("/api/v1/auth/verify-email/resend", headers=headers).status_code == 202
    token = mailed_token(database, REG["email"], "verify")
    verified = client.post("/api/v1/auth/verify-email", json={"token": token})
    assert verified.status_code == 200 and verified.json()["email_verified"] is True
    headers = {"X-CSRF-Token": verified.json()["csrf_token"]}
    comment = client.post(
        f"/api/v1/proposals/{proposal_id}/comments", json={"body": "Hello"}, headers=headers
    )
    assert comment.status_code == 201, comment.text
    again = client.post("/api/v1/auth/verify-email", json={"token": token})
    assert again.status_code == 422 and "invalid, used or expired" in again.json()["detail"]


def test_registration_is_throttled_per_address(client: TestClient, settings: Settings) -> None:
    codes = [
        client.post(
            "/api/v1/auth/register", json={**REG, "email": f"bulk{n}@example.org"}
        ).status_code
        for n in range(settings.registrations_per_ip_per_hour + 1)
    ]
    # before: 30 accounts in 27 s
    assert codes == [202] * settings.registrations_per_ip_per_hour + [429]
    other = TestClient(client.app, client=("198.51.100.20", 40000))
    assert other.post("/api/v1/auth/register", json=REG).status_code == 202


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("1234567890a", "too common a pattern"),
        ("short1!", "at least 10 characters"),
        ("grace@example.org", "must not be your e-mail address"),
        ("grace2026!!", "must not be your e-mail address"),
        ("iloveyou2026", "too common (in the list of most-used passwords)"),
        ("qwertyuiop", "too common"),
    ],
)
def test_weak_passwords_are_refused_with_the_rule(
    client: TestClient, database: Database, password: str, reason: str
) -> None:
    r = client.post("/api/v1/auth/register", json={**REG, "password": password})
    assert r.status_code == 422 and reason in r.json()["detail"], r.text
    assert _users(database, REG["email"]) == 0


# --- password change ---------------------------------------------------------------------------


def test_changing_the_password_needs_the_current_one_and_signs_out_other_sessions(
    app: FastAPI, client: TestClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    other = TestClient(app)
    sign_in(other, str(user.email))
    csrf = sign_in(client, str(user.email))
    headers = {"X-CSRF-Token": csrf}
    url = "/api/v1/users/me/password"
    wrong = client.post(
        url,
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
        headers=headers,
    )
    assert wrong.status_code == 401 and "current_password" in wrong.json()["detail"]
    weak = client.post(
        url, json={"current_password": PASSWORD, "new_password": "1234567890a"}, headers=headers
    )
    assert weak.status_code == 422
    ok = client.post(
        url, json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}, headers=headers
    )
    assert ok.status_code == 200 and ok.json() == {"sessions_ended": 1, "api_tokens_revoked": 0}
    assert client.get("/api/v1/auth/me").status_code == 200  # this browser stays signed in
    assert other.get("/api/v1/auth/me").status_code == 401
    login = "/api/v1/auth/login"
    assert other.post(login, json={"email": user.email, "password": PASSWORD}).status_code == 401
    assert (
        other.post(login, json={"email": user.email, "password": NEW_PASSWORD}).status_code == 200
    )


def test_changing_the_password_revokes_every_api_token(
    app: FastAPI,
    client: TestClient,
    database: Database,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
) -> None:
    user = make_user()
    first, second = bearer(user), bearer(user)
    someone_else = bearer(make_user(email="someone.else@example.org"))
    api = TestClient(app)  # no cookie: only the bearer token speaks
    for headers in (first, second, someone_else):
        assert api.get("/api/v1/auth/me", headers=headers).status_code == 200
    csrf = sign_in(client, str(user.email))
    ok = client.post(
        "/api/v1/users/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"sessions_ended": 0, "api_tokens_revoked": 2}
    for headers in (first, second):
        assert api.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert api.get("/api/v1/auth/me", headers=someone_else).status_code == 200
    with database.sessions() as session:
        live = session.scalar(
            sa.select(sa.func.count())
            .select_from(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        )
    assert live == 0
    # a token made after the change works: the change revokes, it does not forbid
    assert api.get("/api/v1/auth/me", headers=bearer(user)).status_code == 200


# --- password reset ----------------------------------------------------------------------------


def test_reset_by_a_mailed_single_use_link_revokes_every_session_and_token(
    app: FastAPI,
    client: TestClient,
    database: Database,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
) -> None:
    user = make_user()
    email = str(user.email)
    signed_in = TestClient(app)
    sign_in(signed_in, email)
    api = bearer(user)
    unknown = client.post("/api/v1/auth/password-reset", json={"email": "nobody@example.org"})
    known = client.post("/api/v1/auth/password-reset", json={"email": email.upper()})
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()  # nothing tells whether the address has an account
    assert _outbox(database, "nobody@example.org") == []
    first = mailed_token(database, email, "reset")
    assert client.post("/api/v1/auth/password-reset", json={"email": email}).status_code == 202
    token = mailed_token(database, email, "reset")
    assert token != first
    confirm = "/api/v1/auth/password-reset/confirm"
    stale = client.post(confirm, json={"token": first, "new_password": NEW_PASSWORD})
    assert stale.status_code == 422  # only the newest link works
    weak = client.post(confirm, json={"token": token, "new_password": "password2026"})
    assert weak.status_code == 422 and "too common" in weak.json()["detail"]
    done = client.post(confirm, json={"token": token, "new_password": NEW_PASSWORD})
    assert done.status_code == 204, done.text  # the weak attempt did not use up the link
    reused = client.post(confirm, json={"token": token, "new_password": "yet another passphrase"})
    assert reused.status_code == 422 and "invalid, used or expired" in reused.json()["detail"]
    assert signed_in.get("/api/v1/auth/me").status_code == 401
    assert client.get("/api/v1/auth/me", headers=api).status_code == 401
    login = "/api/v1/auth/login"
    assert client.post(login, json={"email": email, "password": PASSWORD}).status_code == 401
    assert client.post(login, json={"email": email, "password": NEW_PASSWORD}).status_code == 200


def test_an_expired_reset_link_is_refused(
    client: TestClient, database: Database, make_user: Callable[..., User]
) -> None:
    user = make_user()
    assert client.post("/api/v1/auth/password-reset", json={"email": user.email}).status_code == 202
    token = mailed_token(database, str(user.email), "reset")
    with database.sessions() as session:
        session.execute(sa.update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        session.commit()
    r = client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert r.status_code == 422 and "expired" in r.json()["detail"]


# --- delivery over SMTP ------------------------------------------------------------------------


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


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


def test_account_mail_goes_out_over_smtp_right_away(
    settings: Settings, database: Database, smtp: tuple[str, Inbox]
) -> None:
    url, inbox = smtp
    app = create_app(settings.model_copy(update={"smtp_url": url}), database=database)
    with TestClient(app) as client:
        assert client.post("/api/v1/auth/register", json=REG).status_code == 202
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["To"] == REG["email"]
    text = str(mail.get_payload(decode=True), "utf-8")
    assert "http://localhost:8000/#verify=" in text
    assert all(m.sent_at is not None for m in _outbox(database, REG["email"]))
