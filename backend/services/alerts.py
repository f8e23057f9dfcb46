"""Saved searches and alert digests.

``run`` (``civictwin alerts send``) checks every saved search that is due (immediate: every run;
daily: 24 h after its last run; weekly: 7 days), finds public opportunities matching its filters
that it has not been sent before, and puts one digest per search in the outbox. Each sent
opportunity is recorded in ``alert_deliveries`` in the same transaction as the outbox row, so a
repeated run never sends one twice. ``backend.services.mail`` then delivers the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.db.models import AlertDelivery, OutboxMessage, SavedSearch, User
from backend.db.types import utcnow
from backend.errors import NotFoundError
from backend.repositories import alerts as repo
from backend.repositories.session import Session
from backend.schemas.alerts import SavedSearchCreate, SavedSearchPublic, SavedSearchUpdate
from backend.schemas.opportunities import OpportunityFilters
from backend.services import opportunities
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
    return repo.searches_of(session, principal.user.id)


def _own(session: Session, principal: Principal, search_id: int) -> SavedSearch:
    search = repo.search(session, search_id)
    # someone else's search is reported as missing, not forbidden: ids are not revealed
    if search is None or search.user_id != principal.user.id:
        raise NotFoundError(f"saved search {search_id} not found")
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
    session.commit()
    return search


def delete(session: Session, principal: Principal, search_id: int) -> None:
    session.delete(_own(session, principal, search_id))
    session.commit()


# --- digests ---------------------------------------------------------------------------------


@dataclass
class RunReport:
    searches_due: int
    messages: list[OutboxMessage]


def is_due(search: SavedSearch, now: datetime) -> bool:
    last = opportunities.as_utc(search.last_run_at)
    return last is None or now - last >= DUE_AFTER.get(search.frequency, DUE_AFTER["daily"])


def _digest(
    search: SavedSearch, user: User, found: list[opportunities.Found], links: Links
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
    lines += ["", f"Change or stop these alerts under Opportunities: {links.home()}"]
    return subject, "\n".join(lines) + "\n"


def run(session: Session, links: Links, now: datetime | None = None) -> RunReport:
    """Queue one digest per due saved search with matches it has not sent yet; ``links`` (from
    the API layer) makes the links in them."""
    now = now or utcnow()
    report = RunReport(0, [])
    for search, user in repo.all_searches(session):
        if not is_due(search, now):
            continue
        report.searches_due += 1
        filters = OpportunityFilters.model_validate(search.query)
        sent = repo.delivered_ids(session, search.id)
        found = opportunities.find(session, filters, sort="closing", exclude_ids=tuple(sent))
        found = found[:MAX_ITEMS_PER_DIGEST]
        search.last_run_at = now
        if found:
            subject, body = _digest(search, user, found, links)
            assert user.email is not None
            message = OutboxMessage(to_address=user.email, subject=subject, body=body)
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
