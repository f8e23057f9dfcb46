"""Sign-in throttles: atomic on both engines, per account and client with back-off, so that an
attacker slows guessing without locking the owner out (issue 10 points 3 and 4)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import User
from backend.errors import AuthenticationError, RateLimitedError
from backend.main import create_app
from backend.repositories import account_throttles as throttles
from backend.services import auth
from backend.settings import Settings
from tests.conftest import PASSWORD

LOGIN = "/api/v1/auth/login"


@pytest.fixture
def from_address(app: FastAPI, client: TestClient) -> Callable[[str], TestClient]:
    """A client of the running app seen as coming from ``address``."""

    def make(address: str) -> TestClient:
        return TestClient(app, client=(address, 40000))

    return make


@pytest.fixture
def app_with(settings: Settings, database: Database) -> Iterator[Callable[..., FastAPI]]:
    opened: list[TestClient] = []

    def make(**overrides: Any) -> FastAPI:
        app = create_app(settings.model_copy(update=overrides), database=database)
        opened.append(TestClient(app).__enter__())
        return app

    yield make
    for c in opened:
        c.__exit__(None, None, None)


def test_parallel_wrong_passwords_are_checked_only_up_to_the_limit(
    database: Database, settings: Settings, make_user: Callable[..., User]
) -> None:
    user = make_user()

    def attempt(_: int) -> str:
        with database.sessions() as session:
            try:
                auth.authenticate(
                    session, str(user.email), "wrong guess!!", "203.0.113.5", settings
                )
            except AuthenticationError:
                return "checked"
            except RateLimitedError:
                return "throttled"
        return "signed in"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, range(40)))
    # before: each request counted the failures of the others not yet written (18 of 40 checked)
    assert outcomes.count("checked") == settings.login_max_failures, outcomes
    assert outcomes.count("throttled") == 40 - settings.login_max_failures


def test_an_attacker_elsewhere_does_not_lock_the_owner_out(
    make_user: Callable[..., User], from_address: Callable[[str], TestClient]
) -> None:
    user = make_user()
    owner, attacker = from_address("198.51.100.7"), from_address("203.0.113.66")
    good = {"email": user.email, "password": PASSWORD}
    bad = {"email": user.email, "password": "a wrong guess"}
    for _ in range(5):
        assert attacker.post(LOGIN, json=bad).status_code == 401
    blocked = attacker.post(LOGIN, json=good)
    assert blocked.status_code == 429  # the guessing client backs off, even with the password
    assert 0 < int(blocked.headers["retry-after"]) <= 30
    # before: the account was locked for 15 minutes for everybody
    assert owner.post(LOGIN, json=good).status_code == 200


def test_guessing_from_many_addresses_backs_off_strangers_but_not_the_owners_client(
    app_with: Callable[..., FastAPI], make_user: Callable[..., User]
) -> None:
    app = app_with(login_account_max_failures=8)
    user = make_user()
    good = {"email": user.email, "password": PASSWORD}
    owner = TestClient(app, client=("198.51.100.7", 40000))
    assert owner.post(LOGIN, json=good).status_code == 200  # this client is now known
    for n in range(8):  # one guess from each of many addresses
        guess = TestClient(app, client=(f"203.0.113.{n + 1}", 40000))
        assert guess.post(LOGIN, json={**good, "password": f"guess {n} xx"}).status_code == 401
    stranger = TestClient(app, client=("192.0.2.200", 40000))
    assert stranger.post(LOGIN, json={**good, "password": "guess 9 xx"}).status_code == 429
    assert owner.post(LOGIN, json=good).status_code == 200


def test_one_address_guessing_many_accounts_backs_off(
    app_with: Callable[..., FastAPI], make_user: Callable[..., User]
) -> None:
    app = app_with(login_ip_max_failures=6)
    spray = TestClient(app, client=("203.0.113.200", 40000))
    users = [make_user() for _ in range(7)]
    codes = [
        spray.post(LOGIN, json={"email": u.email, "password": "Summer2026!!"}).status_code
        for u in users
    ]
    assert codes == [401] * 6 + [429]
    # the victims themselves, elsewhere, are not affected
    other = TestClient(app, client=("198.51.100.8", 40000))
    assert (
        other.post(LOGIN, json={"email": users[-1].email, "password": PASSWORD}).status_code == 200
    )


def test_a_right_password_clears_the_clients_failures(
    make_user: Callable[..., User], from_address: Callable[[str], TestClient]
) -> None:
    user = make_user()
    me = from_address("198.51.100.9")
    for _ in range(4):
        assert (
            me.post(LOGIN, json={"email": user.email, "password": "typo typo"}).status_code == 401
        )
    assert me.post(LOGIN, json={"email": user.email, "password": PASSWORD}).status_code == 200
    for _ in range(4):  # a fresh allowance, not one left
        assert (
            me.post(LOGIN, json={"email": user.email, "password": "typo typo"}).status_code == 401
        )


def test_back_off_doubles_up_to_its_cap_and_a_quiet_window_starts_afresh(
    database: Database,
) -> None:
    rule = throttles.Rule(limit=3, window_s=900, base_s=30, cap_s=100)
    t0 = 1_000_000.0
    with database.sessions() as session:

        def hit(at: float) -> float | None:
            return throttles.hit(session, "login:k", rule, t0 + at)

        assert [hit(0), hit(0), hit(0)] == [None, None, None]  # the third reaches the limit
        assert hit(1) == pytest.approx(29)  # blocked attempts are not counted
        assert hit(31) is None  # one attempt after the back-off, then twice as long
        assert hit(32) == pytest.approx(59)
        assert hit(92) is None
        assert hit(93) == pytest.approx(99)  # 120 s capped at 100 s
        assert hit(193) is None
        assert hit(194) == pytest.approx(99)
        quiet = 193 + 900 + 1  # untouched for the window: a full allowance again
        assert [hit(quiet), hit(quiet), hit(quiet)] == [None, None, None]
        assert hit(quiet + 1) == pytest.approx(29)
        session.commit()


def test_idle_throttles_are_forgotten_but_known_clients_are_kept(
    database: Database, settings: Settings
) -> None:
    rule = throttles.Rule(limit=5, window_s=900, base_s=30, cap_s=900)
    now = time.time()
    old = now - 3 * 86400
    with database.sessions() as session:
        throttles.hit(session, "login:a@example.org|203.0.113.1", rule, old)
        throttles.succeed(session, "login:b@example.org|198.51.100.1", old)
        throttles.hit(session, "login:c@example.org|203.0.113.2", rule, now)
        session.commit()
        assert auth.forget_idle_throttles(session, settings) == 1
        session.commit()
        assert throttles.succeeded_since(session, "login:b@example.org|198.51.100.1", old - 1)
        assert throttles.hit(session, "login:c@example.org|203.0.113.2", rule, now) is None
