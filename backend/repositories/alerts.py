"""Saved searches, alert deliveries and the outbox. No HTTP, no commit."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models import AlertDelivery, OutboxMessage, SavedSearch, User
from backend.db.models_sme import FundingAlertDelivery


def searches_of(session: Session, user_id: int, target: str) -> list[SavedSearch]:
    return list(
        session.scalars(
            sa.select(SavedSearch)
            .where(SavedSearch.user_id == user_id, SavedSearch.target == target)
            .order_by(SavedSearch.id)
        )
    )


def search(session: Session, search_id: int) -> SavedSearch | None:
    return session.get(SavedSearch, search_id)


def all_searches(session: Session) -> list[tuple[SavedSearch, User]]:
    rows = session.execute(
        sa.select(SavedSearch, User)
        .join(User, User.id == SavedSearch.user_id)
        .where(User.deleted_at.is_(None), User.is_active.is_(True), User.email.is_not(None))
        .order_by(SavedSearch.id)
    ).all()
    return [(s, u) for s, u in rows]


def delivered_ids(session: Session, search_id: int) -> set[int]:
    return set(
        session.scalars(
            sa.select(AlertDelivery.opportunity_id).where(
                AlertDelivery.saved_search_id == search_id
            )
        )
    )


def delivered_scheme_ids(session: Session, search_id: int) -> set[int]:
    return set(
        session.scalars(
            sa.select(FundingAlertDelivery.scheme_id).where(
                FundingAlertDelivery.saved_search_id == search_id
            )
        )
    )


def unsent(session: Session) -> list[OutboxMessage]:
    return list(
        session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None))
            .order_by(OutboxMessage.id)
            .with_for_update(skip_locked=True)
        )
    )
