"""Queries on proposals and their massing. No HTTP, no commit."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models import Proposal, User
from backend.repositories.buildings import BBox, bbox_filter
from backend.repositories.paging import rows_and_total


def get(session: Session, proposal_id: int) -> Proposal | None:
    return session.get(Proposal, proposal_id)


def by_reference(session: Session, reference: str) -> Proposal | None:
    return session.scalars(sa.select(Proposal).where(Proposal.reference == reference)).first()


#: The columns a proposal's summary shows (``services.proposals.summary`` reads them by name).
_proposals = Proposal.__table__
SUMMARY_COLUMNS: tuple[sa.ColumnElement[object], ...] = tuple(
    _proposals.c[name]
    for name in (
        "id",
        "reference",
        "title",
        "application_type",
        "stage",
        "decision",
        "site_address",
        "site_boundary",
        "consultation_start",
        "consultation_end",
        "published_at",
        "updated_at",
    )
)


def _where(*, stages: bool, include_drafts: bool, text: bool) -> list[sa.ColumnElement[bool]]:
    """The list's filters with their values as bound parameters (``stages``, ``pattern``)."""
    where: list[sa.ColumnElement[bool]] = []
    if stages:
        where.append(_proposals.c.stage.in_(sa.bindparam("stages", expanding=True)))
    if not include_drafts:
        where.append(_proposals.c.stage != "draft")
    if text:
        pattern = sa.bindparam("pattern", type_=sa.String)
        where.append(
            sa.or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (
                        _proposals.c.reference,
                        _proposals.c.title,
                        _proposals.c.description,
                        _proposals.c.site_address,
                    )
                )
            )
        )
    return where


def _page(where: list[sa.ColumnElement[bool]]) -> sa.Select[tuple[object, ...]]:
    return (
        sa.select(*SUMMARY_COLUMNS, sa.func.count().over().label("total"))
        .where(*where)
        .order_by(_proposals.c.updated_at.desc(), _proposals.c.id.desc())
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .offset(sa.bindparam("offset", type_=sa.Integer))
    )


#: The page statement of each combination of filters without a bbox, built once: a statement
#: object keeps its cache key, so a list request neither builds nor keys a statement.
_PAGES = {
    shape: _page(_where(stages=shape[0], include_drafts=shape[1], text=shape[2]))
    for shape in itertools.product((False, True), repeat=3)
}


def search(
    session: Session,
    *,
    text: str | None,
    stages: Sequence[str],
    bbox: BBox | None,
    include_drafts: bool,
    limit: int,
    offset: int,
) -> tuple[Sequence[sa.Row[tuple[object, ...]]], int]:
    """Rows of :data:`SUMMARY_COLUMNS` matching every given filter, newest first, and their
    total: one statement (the total rides on each row as ``count(*) OVER ()``), plain rows,
    no ORM objects (issue 10: a list's cost per request)."""
    shape = (bool(stages), include_drafts, bool(text))
    params: dict[str, object] = {"limit": limit, "offset": offset}
    if stages:
        params["stages"] = list(stages)
    if text:
        # escape LIKE wildcards so a search for "50%" means the text "50%"
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["pattern"] = f"%{escaped}%"
    if bbox is None:
        where = None
        stmt = _PAGES[shape]
    else:
        where = _where(stages=shape[0], include_drafts=shape[1], text=shape[2])
        where.append(
            bbox_filter(session, "proposals", _proposals.c.site_boundary, _proposals.c.id, bbox)
        )
        stmt = _page(where)
    filters = where

    def count() -> sa.Select[tuple[int]]:
        kept = (
            filters
            if filters is not None
            else _where(stages=shape[0], include_drafts=shape[1], text=shape[2])
        )
        return sa.select(sa.func.count()).select_from(_proposals).where(*kept)

    return rows_and_total(session.connection(), stmt, params, count, offset=offset)


def users_by_id(session: Session, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(sa.select(User).where(User.id.in_(ids)))}
