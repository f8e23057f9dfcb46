"""Notifications: what happened, to whom, by e-mail at once or in a digest, and in the app.

How it flows (docs/engagement.md, "Notifications"):

1. A change that others hear about (a proposal published or moving stage, a document added)
   records a :class:`~backend.db.models_engagement.NotificationEvent` in the change's own
   transaction: if that commits the event is there, if it rolls back there is none.
2. :func:`process_events` (the scheduler step ``civictwin engagement run``, and right after the
   request where the API has one) fans each event out with one set-based ``INSERT … SELECT``
   (``backend.repositories.notifications``) and puts the immediate ones in the outbox with a
   second one. The request that made the change never waits for the fan-out.
3. Replies and official responses have one recipient each and are notified in the same
   transaction as the reply or response.
4. ``(user_id, dedupe_key)`` is unique: no one is notified twice of the same thing, however often
   a step runs or is retried. ``backend.services.mail`` retries what fails, with back-off.

Unsubscribe tokens are ``HMAC-SHA256(secret, "unsubscribe:<user id>")``: checked by recomputing,
so a forged token is refused without a lookup; they are stored only so that SQL can put them
in the links of a set-based fan-out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from backend.db.models import OutboxMessage, Proposal
from backend.db.models_engagement import Notification, NotificationEvent
from backend.db.types import utcnow
from backend.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from backend.repositories import notifications as repo
from backend.repositories import proposals as proposals_repo
from backend.repositories import users as users_repo
from backend.repositories.session import Session
from backend.schemas.notifications import (
    NotificationList,
    NotificationPublic,
    PreferenceItem,
    Preferences,
    ReadResult,
    UnsubscribeResult,
)
from backend.services.auth import Principal
from backend.services.notifications_texts import LOCALES, each_locale, text

logger = logging.getLogger(__name__)

KINDS = (
    "new_proposal",
    "stage_change",
    "new_document",
    "reply",
    "official_response",
    "closing_soon",
)
CLOSING_NOTICE_DAYS = 3
DIGEST_PERIOD = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
#: The operation of the one-click unsubscribe link (``?user=ID&token=TOKEN``).
UNSUBSCRIBE_OPERATION = "unsubscribe"


class AppLinks(Protocol):
    """What notifications link to; ``backend.api.links.Links`` builds them (services never
    type a path)."""

    def proposal(self, proposal_id: int | str, comment_id: int | str | None = None) -> str: ...

    def operation(self, operation_id: str, **path_params: int | str) -> str: ...


#: The e-mail's footer before the unsubscribe link, per locale (notifications_texts.py).
FOOTER = each_locale("footer")
STAGES = ("consultation", "assessment", "decided")
DECISIONS = ("approved", "refused", "withdrawn")


# --- tokens --------------------------------------------------------------------------------


def unsubscribe_token(secret: str, user_id: int) -> str:
    mac = hmac.new(secret.encode(), f"unsubscribe:{user_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:24]).decode().rstrip("=")


def unsubscribe_url(links: AppLinks, secret: str, user_id: int) -> str:
    return _unsubscribe_base(links) + f"{user_id}&token=" + unsubscribe_token(secret, user_id)


def _unsubscribe_base(links: AppLinks) -> str:
    return links.operation(UNSUBSCRIBE_OPERATION) + "?user="


def ensure_token(session: Session, secret: str, user_id: int) -> None:
    """Store the account's token (idempotent; refreshed if the secret changed)."""
    token = unsubscribe_token(secret, user_id)
    if repo.token_of(session, user_id) != token:
        repo.ensure_token(session, user_id, token)


def unsubscribe(session: Session, secret: str, user_id: int, token: str) -> UnsubscribeResult:
    """One-click unsubscribe from every notification e-mail, no sign-in (RFC 8058)."""
    # as bytes: compare_digest refuses str with non-ASCII characters (a 500 for a forged link)
    if not hmac.compare_digest(unsubscribe_token(secret, user_id).encode(), token.encode()):
        raise PermissionDeniedError("token: not a valid unsubscribe link for this account")
    if users_repo.by_id(session, user_id) is None:
        raise NotFoundError(f"user {user_id} not found")
    off = repo.all_off(session, user_id)
    session.commit()
    return UnsubscribeResult(unsubscribed=True, kinds_off=off)


# --- recording what happened -------------------------------------------------------------------


def record_stage_change(session: Session, proposal: Proposal, to_stage: str) -> None:
    """Hook of ``proposals.change_stage`` (before its commit)."""
    if to_stage == "consultation":  # published: news to those following the area
        repo.add_event(session, "new_proposal", proposal.id, f"new_proposal:{proposal.id}", {})
        return
    repo.add_event(
        session,
        "stage_change",
        proposal.id,
        f"stage:{proposal.id}:{to_stage}",
        {"stage": to_stage, "decision": proposal.decision},
    )


def record_document(session: Session, proposal: Proposal, document_id: int, title: str) -> None:
    """Hook of a document added to a public proposal (before the commit)."""
    if proposal.stage == "draft":
        return
    repo.add_event(
        session,
        "new_document",
        proposal.id,
        f"document:{document_id}",
        {"document_id": document_id, "title": title},
    )


def record_for_user(
    session: Session,
    *,
    user_id: int,
    kind: str,
    proposal_id: int,
    dedupe_key: str,
    title: str,
    body: str,
    comment_id: int | None = None,
    words: dict[str, object] | None = None,
) -> None:
    """One recipient (a reply, an official response), recorded in the caller's transaction
    and delivered by :func:`process_events` like the rest.

    ``title`` and ``body`` are the English texts; ``words`` (the parameters of the kind's
    texts in notifications_texts.py) lets the delivery write them in the recipient's language.
    """
    data: dict[str, object] = {
        "user_id": user_id,
        "title": title,
        "body": body,
        "comment_id": comment_id,
    }
    if words is not None:
        data["words"] = words
    repo.add_event(session, kind, proposal_id, dedupe_key, data)


# --- the scheduler steps -------------------------------------------------------------------------


@dataclass
class FanOutReport:
    events: int = 0
    notifications: int = 0
    queued: int = 0
    by_event: dict[str, int] = field(default_factory=dict)


def _texts(
    kind: str, proposal: Proposal, data: dict[str, object]
) -> tuple[dict[str, str], dict[str, str]]:
    """Subject and body of a fanned-out notification in each locale."""
    name = f"{proposal.title} ({proposal.reference})"
    title = proposal.title
    closes = proposal.consultation_end
    subjects: dict[str, str] = {}
    bodies: dict[str, str] = {}
    for locale in LOCALES:
        if kind == "new_proposal":
            subjects[locale] = text(locale, "new_proposal.subject", title=title)
            bodies[locale] = text(locale, "new_proposal.body", name=name) + (
                text(locale, "new_proposal.closes", date=closes) if closes else ""
            )
        elif kind == "stage_change":
            stage = str(data.get("stage"))
            what = text(locale, f"stage.{stage}") if stage in STAGES else stage
            if stage == "decided" and data.get("decision"):
                decision = str(data["decision"])
                if decision in DECISIONS:
                    decision = text(locale, f"decision.{decision}")
                what = text(locale, "stage.decided_as", decision=decision)
            subjects[locale] = text(locale, "stage.subject", title=title, what=what)
            bodies[locale] = text(locale, "stage.body", name=name, what=what)
        elif kind == "new_document":
            subjects[locale] = text(locale, "document.subject", title=title)
            bodies[locale] = text(locale, "document.body", name=name, document=data.get("title"))
        elif kind == "closing_soon":
            subjects[locale] = text(locale, "closing.subject", title=title, date=closes)
            bodies[locale] = text(locale, "closing.body", name=name, date=closes)
        else:
            subjects[locale], bodies[locale] = title, name
    return subjects, bodies


def _personal(kind: str, locale: str, data: dict[str, object]) -> tuple[str, str] | None:
    """Subject and body of a one-recipient notification in its recipient's language."""
    words = data.get("words")
    if not isinstance(words, dict):
        return None  # recorded before the texts were translated: as stored
    if kind == "reply":
        return text(locale, "reply.subject", **words), str(data.get("body", ""))
    if kind == "official_response":
        disposition = str(words.get("disposition"))
        said = text(locale, f"response.{disposition}", detail=words.get("detail"))
        return text(locale, "response.subject", **words), f"{words.get('body')}\n\n{said}"
    return None


def process_events(
    session: Session,
    links: AppLinks,
    secret: str,
    now: datetime | None = None,
    limit: int = 100,
) -> FanOutReport:
    """Deliver every pending event (one transaction each); safe to run concurrently and again.
    Runs until no event is pending (``limit`` per batch)."""
    report = FanOutReport()
    while True:
        events = repo.pending_events(session, limit)
        if not events:
            session.commit()
            return report
        for event in events:
            inserted = _deliver(session, event, links, secret, now or utcnow())
            report.notifications += inserted
            report.by_event[event.dedupe_key] = inserted
            event.processed_at = now or utcnow()
            report.events += 1
            report.queued += repo.queue_immediate(
                session, event.dedupe_key, _unsubscribe_base(links), FOOTER, now or utcnow()
            )
            session.commit()


def _deliver(
    session: Session, event: NotificationEvent, links: AppLinks, secret: str, now: datetime
) -> int:
    data = event.data or {}
    proposal = proposals_repo.get(session, event.proposal_id)
    if proposal is None or proposal.stage == "draft":
        return 0
    if "user_id" in data:
        user_id = int(data["user_id"])
        ensure_token(session, secret, user_id)
        comment = data.get("comment_id")
        recipient = users_repo.by_id(session, user_id)
        own = _personal(event.kind, recipient.locale if recipient else "en", data)
        title, body = own or (str(data.get("title", proposal.title)), str(data.get("body", "")))
        return repo.notify_one(
            session,
            user_id=user_id,
            kind=event.kind,
            proposal_id=proposal.id,
            dedupe_key=event.dedupe_key,
            title=title[:300],
            body=body,
            link=links.proposal(proposal.id, int(comment) if comment else None),
            now=now,
        )
    titles, bodies = _texts(event.kind, proposal, data)
    return repo.fan_out(
        session,
        kind=event.kind,
        proposal_id=proposal.id,
        dedupe_key=event.dedupe_key,
        title={locale: t[:300] for locale, t in titles.items()},
        body=bodies,
        link=links.proposal(proposal.id),
        now=now,
        areas=True,
        # a new proposal is news to those following its area; the rest to both
        proposal_followers=event.kind != "new_proposal",
        followed_by=event.created_at,
        exclude_user_id=proposal.created_by_id,
    )


def record_closing_soon(session: Session, today: date) -> int:
    """Events for consultations closing within :data:`CLOSING_NOTICE_DAYS` days (one per
    closing date: a moved date is notified again, the same one never)."""
    n = 0
    for proposal in repo.closing_between(
        session, today, today + timedelta(days=CLOSING_NOTICE_DAYS)
    ):
        key = f"closing:{proposal.id}:{proposal.consultation_end}"
        if not repo.event_exists(session, key):
            repo.add_event(session, "closing_soon", proposal.id, key, {})
            n += 1
    session.commit()
    return n


def send_digests(
    session: Session, secret: str, links: AppLinks, now: datetime | None = None
) -> int:
    """One digest per account whose oldest waiting daily (weekly) notification is a day (a
    week) old; returns the digests queued."""
    now = now or utcnow()
    queued = 0
    for frequency, period in DIGEST_PERIOD.items():
        for user_id in repo.digest_due(session, frequency, now - period):
            user = users_repo.by_id(session, user_id)
            items = repo.pending_digest(session, user_id, frequency)
            if user is None or user.email is None or not items:
                continue
            ensure_token(session, secret, user_id)
            url = unsubscribe_url(links, secret, user_id)
            lang = user.locale
            lines = [
                text(lang, "digest.hello", name=user.display_name),
                "",
                text(lang, f"digest.{frequency}"),
                "",
            ]
            for n in items:
                lines += [f"- {n.title}", f"  {n.body}", f"  {n.link}", ""]
            many = "one" if len(items) == 1 else "other"
            session.add(
                OutboxMessage(
                    to_address=user.email,
                    subject=text(lang, f"digest.subject.{many}", n=len(items)),
                    body="\n".join(lines) + text(lang, "footer") + url + "\n",
                    unsubscribe_url=url,
                )
            )
            for n in items:
                n.queued_at = now
            session.commit()
            queued += 1
    return queued


# --- the account's own list and preferences --------------------------------------------------


def view(n: Notification) -> NotificationPublic:
    return NotificationPublic(
        id=n.id,
        kind=n.kind,
        proposal_id=n.proposal_id,
        title=n.title,
        body=n.body,
        link=n.link,
        created_at=n.created_at,
        read=n.read_at is not None,
    )


def page(
    session: Session, principal: Principal, *, unread_only: bool, limit: int, offset: int
) -> tuple[list[NotificationPublic], int, int]:
    rows, total, unread = repo.page_of(
        session, principal.user.id, unread_only=unread_only, limit=limit, offset=offset
    )
    return [view(n) for n in rows], total, unread


def mark_read(session: Session, principal: Principal, notification_id: int | None) -> ReadResult:
    ids = None
    if notification_id is not None:
        n = repo.get(session, notification_id)
        if n is None or n.user_id != principal.user.id:
            raise NotFoundError(f"notification {notification_id} not found")
        ids = [notification_id]
    marked = repo.mark_read(session, principal.user.id, ids, utcnow())
    session.commit()
    return ReadResult(marked=marked, unread=repo.unread_count(session, principal.user.id))


def get_preferences(session: Session, principal: Principal) -> Preferences:
    stored = repo.preferences(session, principal.user.id)
    return Preferences(
        items=[PreferenceItem(kind=k, frequency=stored.get(k, "immediate")) for k in KINDS]
    )


def set_preferences(
    session: Session, principal: Principal, data: Preferences, secret: str
) -> Preferences:
    kinds = [item.kind for item in data.items]
    for i, kind in enumerate(kinds):
        if kinds.index(kind) != i:
            raise InvalidInputError(f"items[{i}].kind: {kind} is listed twice")
    for item in data.items:
        repo.set_preference(session, principal.user.id, item.kind, item.frequency)
    ensure_token(session, secret, principal.user.id)
    session.commit()
    return get_preferences(session, principal)


__all__ = ["CLOSING_NOTICE_DAYS", "NotificationList"]
