"""Queries on proposals and their massing. No HTTP, no commit."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session, lazyload

from backend.db.models import Proposal, User
from backend.repositories.buildings import BBox, bbox_filter


def get(session: Session, proposal_id: int) -> Proposal | None:
    return session.get(Proposal, proposal_id)


def by_reference(session: Session, reference: str) -> Proposal | None:
    return session.scalars(sa.select(Proposal).where(Proposal.reference == reference)).first()


def search(
    session: Session,
    *,
    text: str | None,
    stages: Sequence[str],
    bbox: BBox | None,
    include_drafts: bool,
    limit: int,
    offset: int,
) -> tuple[list[Proposal], int]:
    """Proposals matching every given filter, newest first, with the total count."""
    query = sa.select(Proposal)
    if stages:
        query = query.where(Proposal.stage.in_(list(stages)))
    if not include_drafts:
        query = query.where(Proposal.stage != "draft")
    if text:
        # escape LIKE wildcards so a search for "50%" means the text "50%"
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            sa.or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (
                        Proposal.reference,
                        Proposal.title,
                        Proposal.description,
                        Proposal.site_address,
                    )
                )
            )
        )
    if bbox is not None:
        query = query.where(
            bbox_filter(session, "proposals", Proposal.site_boundary, Proposal.id, bbox)
        )
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    # a list shows summaries: the massing (selectin by default) loads only if asked for
    query = query.options(lazyload(Proposal.massing))
    rows = session.scalars(
        query.order_by(Proposal.updated_at.desc(), Proposal.id.desc()).limit(limit).offset(offset)
    ).all()
    return list(rows), int(total)


def users_by_id(session: Session, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(sa.select(User).where(User.id.in_(ids)))}
