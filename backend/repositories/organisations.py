"""Organisation queries. No HTTP, no commit."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models import Organisation


def search(session: Session, text: str, limit: int, offset: int) -> tuple[list[Organisation], int]:
    """Organisations whose name contains ``text`` (any case) or whose identifier is ``text``;
    names starting with it first, then by name. Returns one page and the total."""
    needle = text.lower()
    name = sa.func.lower(Organisation.name)
    where = sa.or_(
        name.contains(needle, autoescape=True), sa.func.lower(Organisation.identifier) == needle
    )
    total = session.scalar(sa.select(sa.func.count()).select_from(Organisation).where(where))
    starts = sa.case((name.startswith(needle, autoescape=True), 0), else_=1)
    rows = session.scalars(
        sa.select(Organisation)
        .where(where)
        .order_by(starts, name, Organisation.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)
