"""Registration, sign-in, sessions, CSRF, bearer tokens, throttling, personal data."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import User
from tests.conftest import PASSWORD, mailed_token, sign_in

REG = {
    "email": "Ada@Example.org",
    "password": "a long passphrase",
    "display_name": "Ada",
    "accept_terms": True,
}


def _register(client: TestClient, database: Database, body: dict[str, object]) -> str:
    """Register, open the mailed link (signs in); returns the CSRF token."""
    r = client.post("/api/v1/auth/register", json=body)
    assert r.status_code == 202, r.text
    token = mailed_token(database, str(body["email"]).lower(), "verify")
    verified = client.post("/api/v1/auth/verify-email", json={"token": token})
    assert verified.status_code == 200, verified.text
    return str(verified.json()["csrf_token"])


def test_register_mails_a_link_that_confirms_and_signs_in_with_httponly_cookie(
    client: TestClient, database: Database
) -> None:
    r = client.post("/api/v1/auth/register", json=REG)
    assert r.status_code == 202, r.text
    assert not [c for c in r.headers.get_list("set-cookie") if "civictwin_session=" in c]
    assert client.get("/api/v1/auth/me").status_code == 401
    token = mailed_token(database, "ada@example.org", "verify")
    r = client.post("/api/v1/auth/verify-email", json={"token": token})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["email"] == "ada@example.org" and body["email_verified"] is True
    assert body["roles"] == ["citizen"]
    cookies = r.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("civictwin_session="))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
    assert "Secure" not in session_cookie  # development over http
    assert client.get("/api/v1/auth/me").json()["display_name"] == "Ada"


def test_email_is_unique_case_insensitively(client: TestClient, database: Database) -> None:
    _register(client, database, REG)
    client.cookies.clear()
    again = client.post("/api/v1/auth/register", json={**REG, "email": "ADA@example.org"})
    assert again.status_code == 202
    admin_view = client.post(
        "/api/v1/auth/login", json={"email": "ada@example.org", "password": REG["password"]}
    )
    assert admin_view.status_code == 200  # still the one account, its password unchanged


def test_password_rules_are_enforced_with_a_reason(client: TestClient) -> None:
    for pw, reason in [
        ("short", "at least 10"),
        ("aaaaaaaaaaaa", "too common"),
        ("password123", "too common"),
    ]:
        r = client.post("/api/v1/auth/register", json={**REG, "password": pw})
        assert r.status_code == 422
        assert reason in r.json()["detail"]


def test_unknown_fields_are_rejected(client: TestClient) -> None:
    r = client.post("/api/v1/auth/register", json={**REG, "roles": ["admin"]})
    assert r.status_code == 422
    assert "body roles: Extra inputs are not permitted" in r.json()["detail"]


def test_sme_registration_creates_the_organisation(client: TestClient, database: Database) -> None:
    _register(client, database, {**REG, "account_type": "sme", "organisation_name": "Joinery"})
    me = client.get("/api/v1/auth/me").json()
    assert set(me["roles"]) == {"citizen", "sme"}
    assert me["organisation_id"] is not None


def test_cookie_writes_need_the_csrf_token(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    user = make_user("citizen")
    csrf = sign_in(client, str(user.email))
    no_token = client.patch("/api/v1/users/me", json={"display_name": "X"})
    assert no_token.status_code == 403
    assert no_token.json()["code"] == "CSRFError"
    wrong = client.patch(
        "/api/v1/users/me", json={"display_name": "X"}, headers={"X-CSRF-Token": "0" * 64}
    )
    assert wrong.status_code == 403
    ok = client.patch(
        "/api/v1/users/me", json={"display_name": "X"}, headers={"X-CSRF-Token": csrf}
    )
    assert ok.status_code == 200 and ok.json()["display_name"] == "X"


def test_logout_ends_the_session(client: TestClient, make_user: Callable[..., User]) -> None:
    user = make_user()
    csrf = sign_in(client, str(user.email))
    cookie = client.cookies.get("civictwin_session")
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    client.cookies.set("civictwin_session", str(cookie))  # replaying the old cookie
    assert client.get("/api/v1/auth/me").status_code == 401


def test_bearer_tokens_work_without_csrf_and_can_be_revoked(
    client: TestClient, make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]
) -> None:
    user = make_user()
    csrf = sign_in(client, str(user.email))
    made = client.post("/api/v1/auth/tokens", json={"name": "qgis"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201
    token = made.json()["token"]
    client.cookies.clear()
    headers = {"Authorization": f"Bearer {token}"}
    assert (
        client.patch("/api/v1/users/me", json={"locale": "it"}, headers=headers).status_code == 200
    )
    revoke = client.delete(f"/api/v1/auth/tokens/{made.json()['id']}", headers=headers)
    assert revoke.status_code == 204
    after = client.get("/api/v1/auth/me", headers=headers)
    assert after.status_code == 401 and "revoked" in after.json()["detail"]
    assert client.get("/api/v1/auth/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_failed_sign_ins_are_throttled(client: TestClient, make_user: Callable[..., User]) -> None:
    user = make_user()
    for _ in range(5):
        r = client.post("/api/v1/auth/login", json={"email": user.email, "password": "wrong one!!"})
        assert r.status_code == 401
        assert r.json()["detail"] == "wrong e-mail address or password"
    blocked = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0


def test_unknown_email_and_wrong_password_look_the_same(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    a = client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.org", "password": PASSWORD}
    )
    b = client.post("/api/v1/auth/login", json={"email": user.email, "password": "not it at all"})
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json()


def test_export_and_delete_my_account(client: TestClient, make_user: Callable[..., User]) -> None:
    user = make_user("citizen")
    csrf = sign_in(client, str(user.email))
    export = client.get("/api/v1/users/me/export")
    assert export.status_code == 200
    assert export.json()["account"]["email"] == user.email
    assert "attachment" in export.headers["content-disposition"]
    missing = client.request("DELETE", "/api/v1/users/me", json={}, headers={"X-CSRF-Token": csrf})
    assert missing.status_code == 422
    gone = client.request(
        "DELETE", "/api/v1/users/me", json={"password": PASSWORD}, headers={"X-CSRF-Token": csrf}
    )
    assert gone.status_code == 200, gone.text
    assert client.get("/api/v1/auth/me").status_code == 401
    again = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert again.status_code == 401


def test_admins_manage_roles_and_others_cannot(
    client: TestClient, make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]
) -> None:
    admin, citizen = make_user("admin"), make_user("citizen")
    r = client.put(
        f"/api/v1/users/{citizen.id}/roles",
        json={"roles": ["citizen", "moderator"]},
        headers=bearer(admin),
    )
    assert r.status_code == 200 and r.json()["roles"] == ["citizen", "moderator"]
    denied = client.put(
        f"/api/v1/users/{admin.id}/roles", json={"roles": ["citizen"]}, headers=bearer(citizen)
    )
    assert denied.status_code == 403
    own = client.put(
        f"/api/v1/users/{admin.id}/roles", json={"roles": ["citizen"]}, headers=bearer(admin)
    )
    assert own.status_code == 409
    listing = client.get("/api/v1/users", params={"role": "moderator"}, headers=bearer(admin))
    assert [u["id"] for u in listing.json()["items"]] == [citizen.id]


def test_registration_needs_explicit_consent_and_records_when(
    client: TestClient, database: Database
) -> None:
    missing = {k: v for k, v in REG.items() if k != "accept_terms"}
    r = client.post("/api/v1/auth/register", json=missing)
    assert r.status_code == 422 and "accept_terms" in r.json()["detail"], r.json()
    r = client.post("/api/v1/auth/register", json={**REG, "accept_terms": False})
    assert r.status_code == 422
    assert "accept_terms must be true" in r.json()["detail"], r.json()
    # nothing stored: the same address can still register, with consent
    csrf = _register(client, database, REG)
    export = client.get("/api/v1/users/me/export", headers={"X-CSRF-Token": csrf})
    assert export.status_code == 200, export.text
    assert export.json()["account"]["consent_at"] is not None
