"""Delivering the outbox over SMTP (``CIVICTWIN_SMTP_URL``).

URL forms: ``smtp://[user:password@]host[:port]`` (STARTTLS when the server offers it) and
``smtps://…`` (TLS from the start, port 465 by default). Without a URL the outbox is left for a
later run and the CLI prints the messages instead. A message that fails is retried on the next
run after a back-off (1 minute, doubling to at most 6 hours, :data:`MAX_ATTEMPTS` tries, about
a day and a half in all); its attempts, last error and next try are kept on the row, so the
outbox shows what failed (``civictwin engagement outbox``). A message with an
``unsubscribe_url`` carries ``List-Unsubscribe`` and ``List-Unsubscribe-Post`` (RFC 2369,
RFC 8058 one-click).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlparse

from backend.db.models import OutboxMessage
from backend.db.types import utcnow
from backend.errors import ConfigurationError
from backend.repositories import alerts as repo
from backend.repositories.session import Session

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 12
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure."""
    return min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** max(0, attempts - 1))


def _connect(url: str, timeout: float = 30) -> smtplib.SMTP:
    parsed = urlparse(url)
    if parsed.scheme not in ("smtp", "smtps") or not parsed.hostname:
        raise ConfigurationError(
            f"CIVICTWIN_SMTP_URL {parsed.scheme}://… is not smtp://host:port or smtps://host:port"
        )
    if parsed.scheme == "smtps":
        server: smtplib.SMTP = smtplib.SMTP_SSL(
            parsed.hostname,
            parsed.port or 465,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        server = smtplib.SMTP(parsed.hostname, parsed.port or 25, timeout=timeout)
        server.ehlo()
        if server.has_extn("starttls"):
            server.starttls(context=ssl.create_default_context())
            server.ehlo()
    if parsed.username:
        server.login(unquote(parsed.username), unquote(parsed.password or ""))
    return server


#: Headers fold only where they have spaces: a long link in ``List-Unsubscribe`` stays one
#: ``<URL>`` (RFC 5322 allows 998 characters a line); at 78 the library turned it into an
#: RFC 2047 encoded word, which mail clients do not read as a link.
_POLICY = SMTP.clone(max_line_length=998)


def _email(message: OutboxMessage, sender: str) -> EmailMessage:
    mail = EmailMessage(policy=_POLICY)
    mail["From"] = sender
    mail["To"] = message.to_address
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    if message.unsubscribe_url:
        mail["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(message.body)
    return mail


def _send(
    session: Session, server: smtplib.SMTP, messages: list[OutboxMessage], sender: str
) -> int:
    sent = 0
    for message in messages:
        message.attempts += 1
        try:
            server.send_message(_email(message, sender))
        except smtplib.SMTPException as exc:
            message.last_error = str(exc)[:500]
            message.next_attempt_at = utcnow() + backoff(message.attempts)
            logger.warning("outbox %s to %s failed: %s", message.id, message.to_address, exc)
        else:
            message.sent_at = utcnow()
            message.last_error = None
            message.next_attempt_at = None
            sent += 1
        session.commit()  # one row at a time: a crash never resends what went out
    return sent


def send_outbox(session: Session, smtp_url: str, sender: str) -> int:
    """Send every unsent outbox message; returns how many were sent."""
    now = utcnow()
    pending = [
        m
        for m in repo.unsent(session)
        if m.attempts < MAX_ATTEMPTS and (m.next_attempt_at is None or m.next_attempt_at <= now)
    ]
    if not pending:
        session.commit()
        return 0
    with _connect(smtp_url) as server:
        return _send(session, server, pending, sender)


def deliver(session: Session, message_ids: list[int], smtp_url: str, sender: str) -> int:
    """Send these outbox messages now (account mail such as verification links cannot wait for
    the next ``civictwin alerts send``); what fails stays in the outbox for that run."""
    pending = [
        m
        for m in (session.get(OutboxMessage, i) for i in message_ids)
        if m is not None and m.sent_at is None
    ]
    if not pending:
        return 0
    try:
        with _connect(smtp_url) as server:
            return _send(session, server, pending, sender)
    except (OSError, smtplib.SMTPException) as exc:
        logger.warning("outbox %s: SMTP unreachable, left for later: %s", message_ids, exc)
        session.rollback()
        return 0
