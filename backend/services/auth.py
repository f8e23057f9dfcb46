"""Accounts and sign-in: argon2 passwords, server-side sessions, bearer tokens, CSRF, throttling.

A browser signs in and receives two cookies: an HttpOnly session cookie (a random token, stored
only as a SHA-256 hash) and a readable CSRF cookie whose value is an HMAC of the session token.
Cookie-authenticated writes must echo the CSRF value in ``X-CSRF-Token`` (double submit, bound to
the session). API clients use ``Authorization: Bearer <token>`` instead and need no CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from backend.db.models import (
    ROLES,
    ApiToken,
    Organisation,
    OutboxMessage,
    User,
    UserRole,
    UserSession,
)
from backend.db.types import utcnow
from backend.errors import (
    AuthenticationError,
    EmailNotVerifiedError,
    InvalidInputError,
    NotFoundError,
    RateLimitedError,
)
from backend.repositories import account_throttles as throttles
from backend.repositories import session as uow
from backend.repositories import users as repo
from backend.repositories.session import Session
from backend.schemas.users import RegisterRequest
from backend.services.links import Links
from backend.services.passwords import check_password
from backend.settings import Settings

_hasher = PasswordHasher()
# verifying against this keeps the timing of "no such user" close to "wrong password"
_DUMMY_HASH = _hasher.hash("civictwin-timing-equaliser")

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
    check_password(password, email)


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidInputError(f"email: {email!r} is not an e-mail address")
    return email


@dataclass
class Outcome:
    """What a use case leaves to do after its commit: mail to deliver (outbox ids)."""

    user: User | None = None
    mail: list[int] = field(default_factory=list)


def _mail(session: Session, to: str, subject: str, body: str) -> OutboxMessage:
    message = OutboxMessage(to_address=to, subject=subject, body=body)
    session.add(message)
    return message


def _issue(session: Session, user: User, purpose: str, ttl: timedelta) -> str:
    raw = secrets.token_urlsafe(32)
    repo.add_account_token(session, user.id, purpose, _sha256(raw), utcnow() + ttl)
    return raw


def _verification_mail(
    session: Session, user: User, settings: Settings, links: Links
) -> OutboxMessage:
    hours = settings.email_verification_hours
    raw = _issue(session, user, "verify", timedelta(hours=hours))
    return _mail(
        session,
        str(user.email),
        "Confirm your e-mail address for CivicTwin",
        f"Hello {user.display_name},\n\n"
        "please confirm that this is your address by opening this link "
        f"(valid for {hours} hours):\n\n{links.account('verify', raw)}\n\n"
        "Until then you can read and browse, but not comment or report.\n"
        "If you did not register, ignore this message.\n",
    )


def _throttle(session: Session, key: str, rule: throttles.Rule, what: str) -> None:
    """Count an attempt; commit it, and raise 429 if the key is backing off."""
    retry = throttles.hit(session, key, rule, time.time())
    session.commit()
    if retry is not None:
        raise RateLimitedError(
            f"too many {what}; try again in {math.ceil(retry)} s", retry_after_s=math.ceil(retry)
        )


def forget_idle_throttles(session: Session, settings: Settings) -> int:
    """Drop throttle rows idle for a day (longer than any window or back-off), keeping the
    successes that make a client known to an account; run on registration, so the table stays
    bounded by recent activity."""
    now_s = time.time()
    day = 86400.0
    idle = max(
        day, 2 * 60.0 * max(settings.login_window_minutes, settings.login_backoff_max_minutes)
    )
    return throttles.prune(session, now_s - idle, now_s - settings.login_known_client_days * day)


def register(
    session: Session, data: RegisterRequest, client_ip: str, settings: Settings, links: Links
) -> Outcome:
    """Create a citizen or SME account and mail a verification link; the same outcome whether
    or not the address already has an account (its owner is told by mail instead)."""
    hour = 3600.0
    rule = throttles.Rule(settings.registrations_per_ip_per_hour, hour, hour, 24 * hour)
    _throttle(session, f"register-ip:{client_ip}", rule, "registrations from your address")
    forget_idle_throttles(session, settings)
    email = normalise_email(data.email)
    check_password_rules(data.password, email)
    if data.account_type == "sme" and not (data.organisation_name or "").strip():
        raise InvalidInputError("organisation_name: required for an SME account")
    password_hash = hash_password(data.password)  # also for a known address: the same time
    existing = repo.by_email(session, email)
    if existing is not None:
        return _notify_owner(session, existing, settings, links)
    roles = ["citizen"]
    organisation = None
    if data.account_type == "sme":
        organisation = Organisation(name=(data.organisation_name or "").strip(), size="micro")
        roles.append("sme")
    user = User(
        email=email,
        password_hash=password_hash,
        display_name=data.display_name.strip(),
        organisation=organisation,
        consent_at=utcnow(),
        locale=data.locale,
        roles=[UserRole(role=r) for r in roles],
    )
    session.add(user)
    try:
        uow.flush(session)
    except uow.UniqueViolation:  # a concurrent registration of the address won the race
        return Outcome()
    message = _verification_mail(session, user, settings, links)
    session.commit()
    return Outcome(user=user, mail=[message.id])


def _notify_owner(session: Session, user: User, settings: Settings, links: Links) -> Outcome:
    """Someone registered with an address that has an account: tell its owner, nobody else."""
    if not user.is_active or user.deleted_at is not None or not user.email:
        return Outcome()
    body = (
        f"Hello {user.display_name},\n\n"
        "someone (perhaps you) tried to register a CivicTwin account with this address, which "
        "already has one. Nothing was changed.\n\n"
        f"To sign in, open {links.account()}; if you forgot your password, use "
        '"Forgot your password?" there.\n'
    )
    messages = [_mail(session, user.email, "You already have a CivicTwin account", body)]
    if user.email_verified_at is None:
        messages.append(_verification_mail(session, user, settings, links))
    session.commit()
    return Outcome(mail=[m.id for m in messages])


def verify_email(session: Session, token: str) -> User:
    """Use a verification link: the account's address is confirmed (the link works once)."""
    user_id = repo.use_account_token(session, "verify", _sha256(token), utcnow())
    user = repo.by_id(session, user_id) if user_id is not None else None
    if user is None or not user.is_active or user.deleted_at is not None:
        session.rollback()
        raise InvalidInputError("token: this link is invalid, used or expired; ask for a new one")
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    repo.expire_account_tokens(session, user.id, "verify", utcnow())
    session.commit()
    return user


def resend_verification(session: Session, user: User, settings: Settings, links: Links) -> Outcome:
    """Mail a fresh verification link (throttled: 3 an hour)."""
    if user.email_verified_at is not None:
        return Outcome(user=user)
    hour = 3600.0
    _throttle(
        session, f"verify-mail:{user.id}", throttles.Rule(3, hour, hour, 24 * hour), "link mails"
    )
    message = _verification_mail(session, user, settings, links)
    session.commit()
    return Outcome(user=user, mail=[message.id])


def require_verified(principal: Principal, action: str) -> None:
    """Raise :class:`EmailNotVerifiedError` unless the caller confirmed their address."""
    if principal.user.email_verified_at is None:
        raise EmailNotVerifiedError(
            f"confirm your e-mail address before {action}: open the link we mailed you, or ask "
            "for a new one (POST /api/v1/auth/verify-email/resend)"
        )


def request_password_reset(
    session: Session, email: str, client_ip: str, settings: Settings, links: Links
) -> Outcome:
    """Mail a single-use reset link if the address has an account; the same outcome if not."""
    hour = 3600.0
    _throttle(
        session,
        f"reset-ip:{client_ip}",
        throttles.Rule(20, hour, hour, 24 * hour),
        "reset requests from your address",
    )
    try:
        email = normalise_email(email)
    except InvalidInputError:
        return Outcome()
    user = repo.by_email(session, email)
    if user is None or not user.is_active or user.deleted_at is not None:
        return Outcome()
    retry = throttles.hit(
        session, f"reset-mail:{user.id}", throttles.Rule(3, hour, hour, 24 * hour), time.time()
    )
    if retry is not None:  # quietly: the answer must not tell that the account exists
        session.commit()
        return Outcome()
    now = utcnow()
    repo.expire_account_tokens(session, user.id, "reset", now)  # only the newest link works
    minutes = settings.password_reset_minutes
    raw = _issue(session, user, "reset", timedelta(minutes=minutes))
    message = _mail(
        session,
        str(user.email),
        "Reset your CivicTwin password",
        f"Hello {user.display_name},\n\n"
        f"to choose a new password, open this link (valid for {minutes} minutes, once):\n\n"
        f"{links.account('reset', raw)}\n\n"
        "Every browser signed in to your account will be signed out. If you did not ask for "
        "this, ignore this message: your password stays as it is.\n",
    )
    session.commit()
    return Outcome(user=user, mail=[message.id])


def _set_password(session: Session, user: User, password: str) -> None:
    check_password_rules(password, user.email or "")
    user.password_hash = hash_password(password)


def reset_password(session: Session, token: str, new_password: str) -> User:
    """Use a reset link: a new password, every session and API token of the account revoked."""
    now = utcnow()
    found = repo.by_account_token(session, "reset", _sha256(token), now)
    if found is None:
        raise InvalidInputError("token: this link is invalid, used or expired; ask for a new one")
    user = repo.by_id(session, found)
    if user is None or not user.is_active or user.deleted_at is not None:
        raise InvalidInputError("token: this link is invalid, used or expired; ask for a new one")
    _set_password(session, user, new_password)  # check first: a weak choice keeps the link
    if repo.use_account_token(session, "reset", _sha256(token), now) is None:
        session.rollback()  # used by a concurrent request in between
        raise InvalidInputError("token: this link is invalid, used or expired; ask for a new one")
    repo.expire_account_tokens(session, user.id, "reset", now)
    if user.email_verified_at is None:
        user.email_verified_at = now  # the link reached the address
    repo.delete_other_sessions(session, user.id, keep_hash=None)
    repo.revoke_api_tokens(session, user.id, now)
    session.commit()
    return user


def change_password(
    session: Session,
    principal: Principal,
    current_password: str,
    new_password: str,
    settings: Settings,
) -> tuple[int, int]:
    """Change the password (the current one confirms it); every other session is signed out
    and every API token revoked (a token is a session too: whoever may hold one must not keep
    access past the change). Returns (sessions ended, API tokens revoked)."""
    user = principal.user
    rule = _login_rules(settings)[0]
    _throttle(session, f"password-change:{user.id}", rule, "wrong passwords")
    if not verify_password(user, current_password):
        raise AuthenticationError("current_password: does not match")
    _set_password(session, user, new_password)
    keep = _sha256(principal.session_token) if principal.session_token else None
    ended = repo.delete_other_sessions(session, user.id, keep_hash=keep)
    now = utcnow()
    revoked = repo.revoke_api_tokens(session, user.id, now)
    repo.expire_account_tokens(session, user.id, "reset", now)
    throttles.succeed(session, f"password-change:{user.id}", time.time())
    session.commit()
    return ended, revoked


def _login_rules(settings: Settings) -> tuple[throttles.Rule, throttles.Rule, throttles.Rule]:
    """(account, client) pairs back off first; whole accounts and addresses much later."""
    window = settings.login_window_minutes * 60.0
    cap = settings.login_backoff_max_minutes * 60.0
    return (
        throttles.Rule(settings.login_max_failures, window, 30.0, cap),
        throttles.Rule(settings.login_account_max_failures, window, 60.0, cap),
        throttles.Rule(settings.login_ip_max_failures, window, 60.0, cap),
    )


def authenticate(
    session: Session, email: str, password: str, client_ip: str, settings: Settings
) -> User:
    """Check credentials under throttles that slow guessing without locking the owner out.

    Each attempt is counted before the password is checked, atomically, on three keys: the
    (account, client address) pair, which backs off exponentially after
    ``login_max_failures``; the account, with a much looser limit that only applies to
    clients that never signed in to it successfully (so failures from elsewhere do not lock the
    owner out of their own client); and the client address, for guessing across accounts.
    """
    email = email.strip().lower()
    pair_rule, account_rule, ip_rule = _login_rules(settings)
    now_s = time.time()
    pair = f"login:{email}|{client_ip}"
    retry = throttles.hit(session, pair, pair_rule, now_s)
    known = throttles.succeeded_since(
        session, pair, now_s - settings.login_known_client_days * 86400.0
    )
    counted: list[str] = []
    if retry is None and not known:
        for key, rule in (
            (f"login-account:{email}", account_rule),
            (f"login-ip:{client_ip}", ip_rule),
        ):
            retry = throttles.hit(session, key, rule, now_s)
            if retry is not None:
                break
            counted.append(key)
    session.commit()
    if retry is not None:
        raise RateLimitedError(
            f"too many failed sign-ins; try again in {math.ceil(retry)} s",
            retry_after_s=math.ceil(retry),
        )
    user = repo.by_email(session, email)
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        ok = _hasher.verify(stored, password) and user is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None or not user.is_active or user.deleted_at is not None:
        raise AuthenticationError("wrong e-mail address or password")
    if _hasher.check_needs_rehash(stored):
        user.password_hash = hash_password(password)
    throttles.succeed(session, pair, time.time())
    for key in counted:
        throttles.refund(session, key)
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
    # as bytes: compare_digest refuses str with non-ASCII characters
    return bool(supplied) and hmac.compare_digest(
        csrf_token(session_token, settings).encode(), (supplied or "").encode()
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
