"""Saved searches and alert digests.

``run`` (``civictwin alerts send``) checks every saved search that is due (immediate: every run;
daily: 24 h after its last run; weekly: 7 days), finds public opportunities matching its filters
that it has not been sent before, and puts one digest per search in the outbox. Each sent
opportunity is recorded in ``alert_deliveries`` in the same transaction as the outbox row, so a
repeated run never sends one twice. ``backend.services.mail`` then delivers the outbox.

A saved search with ``target = "funding"`` (issue 15) stores the funding directory's filters
(``FundingSearchFilters``) and, in the same run, mails the published schemes matching them that
were published since the search was saved and not sent before (``funding_alert_deliveries``), in
the account's language. Deleting a saved search stops its alerts, for either target.

A paused search (``paused``: by its owner in the app, or by the stop link in every digest) is
never due; it keeps its filters and its record of what was sent, so resuming mails only what is
new to it. The stop link carries ``HMAC-SHA256(secret, "alert-stop:<search id>:<user id>")``:
checked by recomputing, nothing stored; the digest's ``List-Unsubscribe`` header points at it
(RFC 8058 one-click: a POST pauses, a GET shows a button and changes nothing).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from backend.db.models import AlertDelivery, OutboxMessage, SavedSearch, User
from backend.db.models_sme import FundingAlertDelivery, FundingScheme
from backend.db.types import utcnow
from backend.errors import NotFoundError, PermissionDeniedError
from backend.repositories import alerts as repo
from backend.repositories.session import Session
from backend.schemas.alerts import (
    AlertsStopped,
    FundingSavedSearchCreate,
    FundingSavedSearchPublic,
    FundingSavedSearchUpdate,
    FundingSearchFilters,
    SavedSearchCreate,
    SavedSearchPublic,
    SavedSearchUpdate,
)
from backend.schemas.funding import SchemeFilters
from backend.schemas.opportunities import OpportunityFilters
from backend.services import funding, opportunities
from backend.services.auth import Principal
from backend.services.links import Links

DUE_AFTER = {"immediate": timedelta(0), "daily": timedelta(days=1), "weekly": timedelta(days=7)}
MAX_ITEMS_PER_DIGEST = 50


def to_public(s: SavedSearch) -> SavedSearchPublic:
    return SavedSearchPublic(
        id=s.id,
        name=s.name,
        query=OpportunityFilters.model_validate(s.query),
        frequency=s.frequency,
        paused=s.paused,
        created_at=s.created_at,
        last_run_at=s.last_run_at,
    )


def _stored(filters: OpportunityFilters) -> dict[str, object]:
    opportunities.check_filters(filters)  # 422 now rather than a failing alert later
    return filters.model_dump(mode="json", exclude_defaults=True)


def create(session: Session, principal: Principal, data: SavedSearchCreate) -> SavedSearch:
    search = SavedSearch(
        user_id=principal.user.id,
        name=data.name.strip(),
        query=_stored(data.query),
        frequency=data.frequency,
    )
    session.add(search)
    session.commit()
    return search


def mine(session: Session, principal: Principal) -> list[SavedSearch]:
    return repo.searches_of(session, principal.user.id, "opportunities")


def _own(
    session: Session, principal: Principal, search_id: int, target: str | None = "opportunities"
) -> SavedSearch:
    """The caller's saved search ``search_id`` of ``target`` (None: of either)."""
    search = repo.search(session, search_id)
    # someone else's search is reported as missing, not forbidden: ids are not revealed
    if search is None or search.user_id != principal.user.id:
        raise NotFoundError(f"saved search {search_id} not found")
    if target is not None and search.target != target:
        raise NotFoundError(f"saved search {search_id} is not a search of {target}")
    return search


def update(
    session: Session, principal: Principal, search_id: int, data: SavedSearchUpdate
) -> SavedSearch:
    search = _own(session, principal, search_id)
    if data.name is not None:
        search.name = data.name.strip()
    if data.query is not None:
        search.query = _stored(data.query)
    if data.frequency is not None:
        search.frequency = data.frequency
    if data.paused is not None:
        search.paused = data.paused
    session.commit()
    return search


def delete(session: Session, principal: Principal, search_id: int) -> None:
    session.delete(_own(session, principal, search_id, None))
    session.commit()


# --- saved searches of funding schemes (issue 15) -----------------------------------------------


def funding_to_public(s: SavedSearch) -> FundingSavedSearchPublic:
    return FundingSavedSearchPublic(
        id=s.id,
        name=s.name,
        query=FundingSearchFilters.model_validate(s.query),
        frequency=s.frequency,
        paused=s.paused,
        created_at=s.created_at,
        last_run_at=s.last_run_at,
    )


def scheme_filters(query: FundingSearchFilters, today: date) -> SchemeFilters:
    """The directory's filters for a saved funding search run on ``today``."""
    return SchemeFilters(
        kind=list(query.kind),
        size=query.size,
        sector=query.sector,
        stage=query.stage,
        open_on=today if query.open_now else None,
        lon=query.lon,
        lat=query.lat,
        q=query.q,
        provider=query.provider,
    )


def _funding_stored(query: FundingSearchFilters) -> dict[str, object]:
    # the directory's own checks (sector code, lon with lat): a 422 now, not a failing alert later
    funding.check_filters(scheme_filters(query, date.today()))
    return query.model_dump(mode="json", exclude_defaults=True)


def create_funding(
    session: Session, principal: Principal, data: FundingSavedSearchCreate
) -> SavedSearch:
    search = SavedSearch(
        user_id=principal.user.id,
        name=data.name.strip(),
        query=_funding_stored(data.query),
        frequency=data.frequency,
        target="funding",
    )
    session.add(search)
    session.commit()
    return search


def mine_funding(session: Session, principal: Principal) -> list[SavedSearch]:
    return repo.searches_of(session, principal.user.id, "funding")


def update_funding(
    session: Session, principal: Principal, search_id: int, data: FundingSavedSearchUpdate
) -> SavedSearch:
    search = _own(session, principal, search_id, "funding")
    if data.name is not None:
        search.name = data.name.strip()
    if data.query is not None:
        search.query = _funding_stored(data.query)
    if data.frequency is not None:
        search.frequency = data.frequency
    if data.paused is not None:
        search.paused = data.paused
    session.commit()
    return search


def funding_matches(session: Session, principal: Principal, search_id: int) -> list[FundingScheme]:
    """Run a saved funding search again: the schemes matching it now, as the directory shows."""
    search = _own(session, principal, search_id, "funding")
    query = FundingSearchFilters.model_validate(search.query)
    return funding.find(session, principal, scheme_filters(query, date.today()))


# --- the e-mail's stop link ----------------------------------------------------------------------

#: The operation of the stop link's page (``?token=TOKEN``); the POST of the same path pauses.
STOP_PAGE_OPERATION = "stopAlertsPage"


def stop_token(secret: str, search: SavedSearch) -> str:
    message = f"alert-stop:{search.id}:{search.user_id}".encode()
    mac = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:24]).decode().rstrip("=")


def stop_url(links: Links, secret: str, search: SavedSearch) -> str:
    page = links.operation(STOP_PAGE_OPERATION, search_id=search.id)
    return f"{page}?token={stop_token(secret, search)}"


def stop_alerts(session: Session, secret: str, search_id: int, token: str) -> AlertsStopped:
    """Pause a saved search's alerts from the link in its digest, no sign-in (RFC 8058)."""
    search = repo.search(session, search_id)
    # a wrong token and a missing search answer alike: the link reveals nothing
    # as bytes: compare_digest refuses str with non-ASCII characters (a 500 for a forged link)
    expected = b"" if search is None else stop_token(secret, search).encode()
    if search is None or not hmac.compare_digest(expected, token.encode()):
        raise PermissionDeniedError("token: not a valid stop link for this saved search")
    search.paused = True
    session.commit()
    return AlertsStopped(id=search.id, paused=True)


# --- digests ---------------------------------------------------------------------------------


@dataclass
class RunReport:
    searches_due: int
    messages: list[OutboxMessage]


def is_due(search: SavedSearch, now: datetime) -> bool:
    if search.paused:
        return False
    last = opportunities.as_utc(search.last_run_at)
    return last is None or now - last >= DUE_AFTER.get(search.frequency, DUE_AFTER["daily"])


def _digest(
    search: SavedSearch, user: User, found: list[opportunities.Found], links: Links, stop: str
) -> tuple[str, str]:
    n = len(found)
    subject = f"CivicTwin: {n} new opportunit{'y' if n == 1 else 'ies'} for “{search.name}”"
    lines = [
        f"Hello {user.display_name},",
        "",
        f"New matches for your saved search “{search.name}”:",
        "",
    ]
    for f in found:
        o = f.opportunity
        closing = o.tender_end.date().isoformat() if o.tender_end else "no closing date yet"
        codes = ", ".join(c.code for c in o.cpv)
        lines += [
            f"- {o.title} ({f.proposal.title})",
            f"  CPV {codes}; status {o.status}; closes {closing}",
            f"  {links.proposal(f.proposal.id)}",
            f"  data: {links.operation('getOpportunity', opportunity_id=o.id)}",
        ]
    # the app has no deep link to the saved searches (they are in its Opportunities tab)
    lines += [
        "",
        f"Change these alerts under Opportunities: {links.home()}",
        f"Stop these alerts: {stop}",
    ]
    return subject, "\n".join(lines) + "\n"


def run(session: Session, links: Links, secret: str, now: datetime | None = None) -> RunReport:
    """Queue one digest per due saved search with matches it has not sent yet; ``links`` (from
    the API layer) makes the links in them, ``secret`` signs their stop links."""
    now = now or utcnow()
    report = RunReport(0, [])
    for search, user in repo.all_searches(session):
        if not is_due(search, now):
            continue
        report.searches_due += 1
        if search.target == "funding":
            message = _run_funding(session, search, user, links, secret, now)
            if message is not None:
                report.messages.append(message)
            session.commit()
            continue
        filters = OpportunityFilters.model_validate(search.query)
        sent = repo.delivered_ids(session, search.id)
        found = opportunities.find(session, filters, sort="closing", exclude_ids=tuple(sent))
        found = found[:MAX_ITEMS_PER_DIGEST]
        search.last_run_at = now
        if found:
            stop = stop_url(links, secret, search)
            subject, body = _digest(search, user, found, links, stop)
            assert user.email is not None
            message = OutboxMessage(
                to_address=user.email, subject=subject, body=body, unsubscribe_url=stop
            )
            session.add(message)
            session.flush()
            session.add_all(
                AlertDelivery(
                    saved_search_id=search.id, opportunity_id=f.opportunity.id, outbox_id=message.id
                )
                for f in found
            )
            report.messages.append(message)
        session.commit()
    return report


# --- funding digests ---------------------------------------------------------------------------

#: The words of a funding digest per account language (``users.locale``); unknown: English.
FUNDING_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "subject.one": "CivicTwin: 1 new funding scheme for “{name}”",
        "subject.other": "CivicTwin: {n} new funding schemes for “{name}”",
        "hello": "Hello {name},",
        "intro": "Newly published schemes matching your saved search “{name}”:",
        "rolling": "open all year",
        "closes": "closes {date}",
        "amount": "{lo}–{hi} {currency}",
        "footer": "Change these alerts under Funding: {url}",
        "stop": "Stop these alerts: {url}",
    },
    "et": {
        "subject.one": "CivicTwin: 1 uus toetusmeede otsingule „{name}”",
        "subject.other": "CivicTwin: {n} uut toetusmeedet otsingule „{name}”",
        "hello": "Tere, {name}!",
        "intro": "Äsja avaldatud meetmed, mis vastavad salvestatud otsingule „{name}”:",
        "rolling": "avatud aasta ringi",
        "closes": "sulgub {date}",
        "amount": "{lo}–{hi} {currency}",
        "footer": "Muuda neid teavitusi jaotises Rahastus: {url}",
        "stop": "Peata need teavitused: {url}",
    },
    "hu": {
        "subject.one": "CivicTwin: 1 új támogatási program a(z) „{name}” kereséshez",
        "subject.other": "CivicTwin: {n} új támogatási program a(z) „{name}” kereséshez",
        "hello": "Kedves {name}!",
        "intro": "Új programok, amelyek megfelelnek a(z) „{name}” mentett keresésnek:",
        "rolling": "egész évben nyitva",
        "closes": "határidő: {date}",
        "amount": "{lo}–{hi} {currency}",
        "footer": "Az értesítéseket a Finanszírozás részben módosíthatja: {url}",
        "stop": "Értesítések leállítása: {url}",
    },
    "it": {
        "subject.one": "CivicTwin: 1 nuovo bando di finanziamento per “{name}”",
        "subject.other": "CivicTwin: {n} nuovi bandi di finanziamento per “{name}”",
        "hello": "Ciao {name},",
        "intro": "Bandi appena pubblicati che corrispondono alla tua ricerca salvata “{name}”:",
        "rolling": "aperto tutto l'anno",
        "closes": "scade il {date}",
        "amount": "{lo}–{hi} {currency}",
        "footer": "Modifica questi avvisi in Finanziamenti: {url}",
        "stop": "Interrompi questi avvisi: {url}",
    },
    "sv": {
        "subject.one": "CivicTwin: 1 nytt stödprogram för ”{name}”",
        "subject.other": "CivicTwin: {n} nya stödprogram för ”{name}”",
        "hello": "Hej {name},",
        "intro": "Nyligen publicerade program som matchar din sparade sökning ”{name}”:",
        "rolling": "öppet året runt",
        "closes": "stänger {date}",
        "amount": "{lo}–{hi} {currency}",
        "footer": "Ändra dessa aviseringar under Finansiering: {url}",
        "stop": "Stoppa dessa aviseringar: {url}",
    },
}


def _funding_digest(
    search: SavedSearch, user: User, schemes: list[FundingScheme], links: Links, stop: str
) -> tuple[str, str]:
    texts = FUNDING_TEXTS.get(user.locale or "en", FUNDING_TEXTS["en"])
    n = len(schemes)
    key = "subject.one" if n == 1 else "subject.other"
    subject = texts[key].format(n=n, name=search.name)
    lines = [texts["hello"].format(name=user.display_name), ""]
    lines += [texts["intro"].format(name=search.name), ""]
    for s in schemes:
        translations = s.translations or {}
        text = translations.get(user.locale or "en") or translations.get("en") or {}
        when = (
            texts["rolling"]
            if s.rolling or s.closes_on is None
            else texts["closes"].format(date=s.closes_on.isoformat())
        )
        facts = [s.kind, when]
        if s.amount_min is not None or s.amount_max is not None:
            lo = "" if s.amount_min is None else f"{s.amount_min:,.0f}"
            hi = "" if s.amount_max is None else f"{s.amount_max:,.0f}"
            facts.append(texts["amount"].format(lo=lo, hi=hi, currency=s.currency))
        lines += [
            f"- {text.get('title', '')} ({s.provider})",
            f"  {'; '.join(facts)}",
            f"  {s.apply_url or links.home()}",
            f"  data: {links.operation('getScheme', scheme_id=s.id)}",
        ]
    lines += ["", texts["footer"].format(url=links.home()), texts["stop"].format(url=stop)]
    return subject, "\n".join(lines) + "\n"


def _utc(value: datetime | None) -> datetime:
    return opportunities.as_utc(value) or datetime.min.replace(tzinfo=UTC)


def _new_schemes(session: Session, search: SavedSearch, today: date) -> list[FundingScheme]:
    """Published schemes matching ``search``, published since it was saved, not yet sent."""
    query = FundingSearchFilters.model_validate(search.query)
    sent = repo.delivered_scheme_ids(session, search.id)
    since = opportunities.as_utc(search.created_at)
    found = [
        s
        for s in funding.find(session, None, scheme_filters(query, today))
        if s.status == "published"
        and s.id not in sent
        and s.published_at is not None
        and since is not None
        and _utc(s.published_at) >= since
    ]
    found.sort(key=lambda s: (_utc(s.published_at), s.id))
    return found[:MAX_ITEMS_PER_DIGEST]


def _run_funding(
    session: Session, search: SavedSearch, user: User, links: Links, secret: str, now: datetime
) -> OutboxMessage | None:
    found = _new_schemes(session, search, now.date())
    search.last_run_at = now
    if not found:
        return None
    stop = stop_url(links, secret, search)
    subject, body = _funding_digest(search, user, found, links, stop)
    assert user.email is not None
    message = OutboxMessage(to_address=user.email, subject=subject, body=body, unsubscribe_url=stop)
    session.add(message)
    session.flush()
    session.add_all(
        FundingAlertDelivery(saved_search_id=search.id, scheme_id=s.id, outbox_id=message.id)
        for s in found
    )
    return message
