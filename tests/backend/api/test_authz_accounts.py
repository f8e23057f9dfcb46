"""Authorization matrix of the account endpoints: every endpoint × every role."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from backend.db.models import User
from tests.conftest import PASSWORD

ROLES = ("anonymous", "citizen", "sme", "planner", "moderator", "admin")
COVERED_OPERATIONS = {
    "getHealth",
    "getViewerConfig",
    "register",
    "login",
    "logout",
    "getMe",
    "createApiToken",
    "revokeApiToken",
    "updateMe",
    "exportMyData",
    "deleteMe",
    "listUsers",
    "setUserRoles",
    "deleteUser",
    "verifyEmail",
    "resendVerification",
    "requestPasswordReset",
    "resetPassword",
    "changeMyPassword",
}

Caller = Callable[[str], tuple[User | None, dict[str, str]]]


@pytest.fixture
def caller(make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]) -> Caller:
    # one admin exists besides the caller, so an admin caller may delete itself
    make_user("admin")

    def as_role(role: str) -> tuple[User | None, dict[str, str]]:
        if role == "anonymous":
            return None, {}
        user = make_user(role)
        return user, bearer(user)

    return as_role


def expect(
    client: TestClient,
    caller: Caller,
    method: str,
    path: str,
    expected: dict[str, int],
    json: object = None,
) -> None:
    got = {}
    for role in ROLES:
        _, headers = caller(role)
        got[role] = client.request(method, path.format(), headers=headers, json=json).status_code
    assert got == expected


def everyone(status: int, anonymous: int = 401) -> dict[str, int]:
    return {r: (anonymous if r == "anonymous" else status) for r in ROLES}


def admins_only(status: int) -> dict[str, int]:
    return {r: (401 if r == "anonymous" else status if r == "admin" else 403) for r in ROLES}


def test_public_health_and_config(client: TestClient, caller: Caller) -> None:
    expect(client, caller, "GET", "/api/v1/health", everyone(200, anonymous=200))
    expect(client, caller, "GET", "/api/v1/config", everyone(200, anonymous=200))


def test_register_and_login_are_open(client: TestClient, make_user: Callable[..., User]) -> None:
    r = client.post(
        "/api/v1/auth/register",
        json={
            "email": "x@example.org",
            "password": "a long passphrase",
            "display_name": "X",
            "accept_terms": True,
        },
    )
    assert r.status_code == 202
    user = make_user("planner")
    assert (
        client.post(
            "/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}
        ).status_code
        == 200
    )


def test_own_account_endpoints_need_a_user(client: TestClient, caller: Caller) -> None:
    expect(client, caller, "GET", "/api/v1/auth/me", everyone(200))
    expect(client, caller, "PATCH", "/api/v1/users/me", everyone(200), json={"locale": "sv"})
    expect(client, caller, "GET", "/api/v1/users/me/export", everyone(200))
    expect(client, caller, "POST", "/api/v1/auth/tokens", everyone(201), json={"name": "t"})
    expect(client, caller, "POST", "/api/v1/auth/logout", everyone(204, anonymous=204))
    expect(client, caller, "DELETE", "/api/v1/users/me", everyone(200), json={"password": PASSWORD})


def test_tokens_are_revoked_only_by_their_owner(
    client: TestClient,
    caller: Caller,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
) -> None:
    owner = make_user("citizen")
    owner_headers = bearer(owner)
    made = client.post("/api/v1/auth/tokens", json={"name": "t"}, headers=owner_headers).json()
    path = f"/api/v1/auth/tokens/{made['id']}"
    # anyone else (any role, admins included) sees no such token
    expect(client, caller, "DELETE", path, everyone(404))
    assert client.delete(path, headers=owner_headers).status_code == 204


def test_user_administration_is_for_admins(
    client: TestClient, caller: Caller, make_user: Callable[..., User]
) -> None:
    expect(client, caller, "GET", "/api/v1/users", admins_only(200))
    target = make_user("citizen")
    expect(
        client,
        caller,
        "PUT",
        f"/api/v1/users/{target.id}/roles",
        admins_only(200),
        json={"roles": ["citizen", "planner"]},
    )
    for role in ROLES:
        victim = make_user("citizen")
        _, headers = caller(role)
        status = client.delete(f"/api/v1/users/{victim.id}", headers=headers).status_code
        assert status == admins_only(200)[role], role


def test_recovery_endpoints_are_open_and_password_change_needs_a_user(
    client: TestClient, caller: Caller
) -> None:
    # a token proves itself: anyone may present one (a wrong one is a 422 for everybody)
    bad = {"token": "not-a-token"}
    expect(client, caller, "POST", "/api/v1/auth/verify-email", everyone(422, 422), json=bad)
    reset = {"token": "not-a-token", "new_password": "a new long passphrase"}
    expect(
        client,
        caller,
        "POST",
        "/api/v1/auth/password-reset/confirm",
        everyone(422, 422),
        json=reset,
    )
    asked = {"email": "someone@example.org"}
    expect(client, caller, "POST", "/api/v1/auth/password-reset", everyone(202, 202), json=asked)
    # verified callers (every role here) have nothing to resend; anonymous callers cannot
    expect(client, caller, "POST", "/api/v1/auth/verify-email/resend", everyone(202))
    change = {"current_password": PASSWORD, "new_password": "a new long passphrase"}
    expect(client, caller, "POST", "/api/v1/users/me/password", everyone(200), json=change)
