"""Accounts and sign-in: argon2 passwords, server-side sessions, bearer tokens, CSRF, throttling.

A browser signs in and receives two cookies: an HttpOnly session cookie (a random token, stored
only as a SHA-256 hash) and a readable CSRF cookie whose value is an HMAC of the session token.
Cookie-authenticated writes must echo the CSRF value in ``X-CSRF-Token`` (double submit, bound to
the session). API clients use ``Authorization: Bearer <token>`` instead and need no CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.db.models import (
    ROLES,
    ApiToken,
    LoginAttempt,
    Organisation,
    User,
    UserRole,
    UserSession,
)
from backend.db.types import utcnow
from backend.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    RateLimitedError,
)
from backend.repositories import users as repo
from backend.schemas.users import RegisterRequest
from backend.settings import Settings

_hasher = PasswordHasher()
# verifying against this keeps the timing of "no such user" close to "wrong password"
_DUMMY_HASH = _hasher.hash("civictwin-timing-equaliser")

MIN_PASSWORD = 10
MAX_PASSWORD = 128
_COMMON = {
    "password",
    "password1",
    "password123",
    "1234567890",
    "12345678910",
    "qwertyuiop",
    "letmein123",
    "iloveyou12",
    "welcome123",
    "administrator",
    "passw0rd12",
    "changeme123",
}
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")

Via = Literal["cookie", "bearer"]


@dataclass
class Principal:
    """Who is calling, and how they proved it."""

    user: User
    via: Via
    session_token: str | None = None

    @property
    def roles(self) -> set[str]:
        return self.user.role_names

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_password_rules(password: str, email: str) -> None:
    """Raise :class:`InvalidInputError` naming the rule a password breaks."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInputError(f"password: must be at least {MIN_PASSWORD} characters long")
    if len(password) > MAX_PASSWORD:
        raise InvalidInputError(f"password: must be at most {MAX_PASSWORD} characters long")
    if password.lower() in _COMMON or len(set(password)) < 4:
        raise InvalidInputError("password: too common or too repetitive; choose another")
    if email and password.lower() == email.lower():
        raise InvalidInputError("password: must not be your e-mail address")


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidInputError(f"email: {email!r} is not an e-mail address")
    return email


def register(session: Session, data: RegisterRequest) -> User:
    """Create a citizen account, or an SME account with its organisation."""
    email = normalise_email(data.email)
    check_password_rules(data.password, email)
    if repo.by_email(session, email) is not None:
        raise ConflictError("email: an account with this e-mail address already exists")
    roles = ["citizen"]
    organisation = None
    if data.account_type == "sme":
        if not data.organisation_name:
            raise InvalidInputError("organisation_name: required for an SME account")
        organisation = Organisation(name=data.organisation_name.strip(), size="micro")
        roles.append("sme")
    user = User(
        email=email,
        password_hash=hash_password(data.password),
        display_name=data.display_name.strip(),
        organisation=organisation,
        consent_at=utcnow(),
        locale=data.locale,
        roles=[UserRole(role=r) for r in roles],
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError:  # a concurrent registration won the race
        session.rollback()
        raise ConflictError("email: an account with this e-mail address already exists") from None
    return user


def authenticate(
    session: Session, email: str, password: str, client_ip: str, settings: Settings
) -> User:
    """Check credentials; too many recent failures for the e-mail or address raise 429."""
    email = email.strip().lower()
    window = timedelta(minutes=settings.login_window_minutes)
    failures = repo.count_failures(
        session, email=email, client_ip=client_ip, since=utcnow() - window
    )
    if failures >= settings.login_max_failures:
        raise RateLimitedError(
            "too many failed sign-ins; try again later", retry_after_s=int(window.total_seconds())
        )
    user = repo.by_email(session, email)
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        ok = _hasher.verify(stored, password) and user is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None or not user.is_active or user.deleted_at is not None:
        session.add(LoginAttempt(email=email, client_ip=client_ip))
        session.commit()
        raise AuthenticationError("wrong e-mail address or password")
    if _hasher.check_needs_rehash(stored):
        user.password_hash = hash_password(password)
    repo.clear_failures(session, email)
    user.last_login_at = utcnow()
    session.commit()
    return user


def start_session(
    session: Session, user: User, settings: Settings, user_agent: str = ""
) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(hours=settings.session_ttl_hours)
    session.add(
        UserSession(
            token_hash=_sha256(token),
            user_id=user.id,
            expires_at=expires,
            user_agent=user_agent[:300],
        )
    )
    session.commit()
    return token, expires


def end_session(session: Session, token: str) -> None:
    found = repo.by_session_hash(session, _sha256(token), utcnow())
    if found is not None:
        session.delete(found)
        session.commit()


def principal_from_session(session: Session, token: str) -> Principal | None:
    found = repo.by_session_hash(session, _sha256(token), utcnow())
    if found is None:
        return None
    user = repo.by_id(session, found.user_id)
    if user is None or not user.is_active or user.deleted_at is not None:
        return None
    return Principal(user=user, via="cookie", session_token=token)


def principal_from_bearer(session: Session, token: str) -> Principal | None:
    found = repo.by_token_hash(session, _sha256(token), utcnow())
    if found is None:
        return None
    user = repo.by_id(session, found.user_id)
    if user is None or not user.is_active or user.deleted_at is not None:
        return None
    found.last_used_at = utcnow()
    session.commit()
    return Principal(user=user, via="bearer")


def csrf_token(session_token: str, settings: Settings) -> str:
    key = settings.secret_key.get_secret_value().encode()
    return hmac.new(key, b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()


def csrf_valid(session_token: str, supplied: str | None, settings: Settings) -> bool:
    return bool(supplied) and hmac.compare_digest(
        csrf_token(session_token, settings), supplied or ""
    )


def create_api_token(
    session: Session, user: User, name: str, days: int | None
) -> tuple[ApiToken, str]:
    raw = "ct_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=_sha256(raw),
        expires_at=utcnow() + timedelta(days=days) if days else None,
    )
    session.add(token)
    session.commit()
    return token, raw


def revoke_api_token(session: Session, user: User, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise NotFoundError(f"token {token_id} not found")
    token.revoked_at = utcnow()
    session.commit()


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInputError(f"role: {role!r} is not one of {', '.join(ROLES)}")
    return role
