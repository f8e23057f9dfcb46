"""Queries on comments, reactions and reports. No HTTP, no commit.

Counters on ``comments`` are changed with ``SET x = x + n`` so that concurrent writers (several
workers, PostgreSQL's row locks) never lose an update.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, lazyload

from backend.db.models import Comment, Proposal, Reaction, Report, User
from backend.repositories.paging import rows_and_total

# --- the thread list's read path (issue 10) ----------------------------------------------------
# A proposal's comment list is the busiest read of a consultation. Its statements are built once
# here, from the tables (Core rows, not ORM entities: no identity map, no attribute
# instrumentation), with their values bound at execution, so a request compiles nothing and
# computes no cache key; the page and its total come from one statement (count(*) OVER ()), the
# replies of both lower levels (threads nest at most 3 deep) and every author's name from another.

_comments = sa.inspect(Comment).local_table
_users = sa.inspect(User).local_table
_proposals = sa.inspect(Proposal).local_table

#: What a public view of a comment reads: the comment's own columns and its author's name.
THREAD_COLUMNS = (
    _comments.c.id,
    _comments.c.proposal_id,
    _comments.c.parent_id,
    _comments.c.depth,
    _comments.c.state,
    _comments.c.body,
    _comments.c.author_id,
    _comments.c.sentiment,
    _comments.c.topics,
    _comments.c.anchor_point,
    _comments.c.anchor_height_m,
    _comments.c.anchor_building_id,
    _comments.c.anchor_impact,
    _comments.c.camera,
    _comments.c.variant_id,
    _comments.c.agree_count,
    _comments.c.disagree_count,
    _comments.c.created_at,
    _comments.c.edited_at,
    _users.c.id.label("author_user_id"),
    _users.c.display_name.label("author_name"),
    _users.c.deleted_at.label("author_deleted_at"),
)
_WITH_AUTHOR = _comments.outerjoin(_users, _users.c.id == _comments.c.author_id)

_STAGE = sa.select(_proposals.c.stage).where(_proposals.c.id == sa.bindparam("proposal_id"))


#: The orders of a page's roots, as expressions on the comments table or an alias of it.
_ORDERS: dict[str, Callable[[sa.FromClause], tuple[sa.ColumnElement[Any], ...]]] = {
    "newest": lambda t: (t.c.created_at.desc(), t.c.id.desc()),
    "most_reacted": lambda t: (
        (t.c.agree_count + t.c.disagree_count).desc(),
        t.c.created_at.desc(),
        t.c.id.desc(),
    ),
}


def _roots_statement(sort: str) -> sa.Select[Any]:
    return (
        sa.select(*THREAD_COLUMNS, sa.func.count().over().label("total"))
        .select_from(_WITH_AUTHOR)
        .where(_comments.c.proposal_id == sa.bindparam("proposal_id"))
        .where(_comments.c.parent_id.is_(None))
        .order_by(*_ORDERS[sort](_comments))
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .offset(sa.bindparam("offset", type_=sa.Integer))
    )


def _replies_statement(sort: str) -> sa.Select[Any]:
    """Replies to the roots of a page and replies to those, in conversation order (oldest
    first): within one parent the order is the same as listing each level on its own.

    The page's roots are found again in the database from the page's own parameters, so no
    list of ids is bound: the statement is rendered once, where an expanding IN would render
    its parameters at every execution."""
    roots = _comments.alias("page_roots")
    page = (
        sa.select(roots.c.id)
        .where(roots.c.proposal_id == sa.bindparam("proposal_id"))
        .where(roots.c.parent_id.is_(None))
        .order_by(*_ORDERS[sort](roots))
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .offset(sa.bindparam("offset", type_=sa.Integer))
        .subquery("page")
    )
    page_ids = sa.select(page.c.id)
    children = _comments.alias("children")
    return (
        sa.select(*THREAD_COLUMNS)
        .select_from(_WITH_AUTHOR)
        .where(_comments.c.proposal_id == sa.bindparam("proposal_id"))
        .where(
            sa.or_(
                _comments.c.parent_id.in_(page_ids),
                _comments.c.parent_id.in_(
                    sa.select(children.c.id).where(children.c.parent_id.in_(page_ids))
                ),
            )
        )
        .order_by(_comments.c.created_at, _comments.c.id)
    )


#: On PostgreSQL the page's ids are bound as one array (``= ANY``): one parameter, the
#: statement rendered once, and no second search for the page.
_ROOT_IDS = sa.bindparam("roots", type_=postgresql.ARRAY(sa.Integer))
_children_pg = _comments.alias("children")
_REPLIES_PG = (
    sa.select(*THREAD_COLUMNS)
    .select_from(_WITH_AUTHOR)
    .where(_comments.c.proposal_id == sa.bindparam("proposal_id"))
    .where(
        sa.or_(
            _comments.c.parent_id == sa.any_(_ROOT_IDS),
            _comments.c.parent_id.in_(
                sa.select(_children_pg.c.id).where(_children_pg.c.parent_id == sa.any_(_ROOT_IDS))
            ),
        )
    )
    .order_by(_comments.c.created_at, _comments.c.id)
)
_ROOTS = {sort: _roots_statement(sort) for sort in _ORDERS}
_REPLIES = {sort: _replies_statement(sort) for sort in _ORDERS}
_ROOT_COUNT = (
    sa.select(sa.func.count())
    .select_from(_comments)
    .where(_comments.c.proposal_id == sa.bindparam("proposal_id"))
    .where(_comments.c.parent_id.is_(None))
)


def proposal_stage(session: Session, proposal_id: int) -> str | None:
    """The proposal's stage, or None when there is no such proposal."""
    stage = session.connection().execute(_STAGE, {"proposal_id": proposal_id}).scalar()
    return None if stage is None else str(stage)


def thread_page(
    session: Session, proposal_id: int, *, sort: str, limit: int, offset: int
) -> tuple[Sequence[sa.Row[tuple[object, ...]]], Sequence[sa.Row[tuple[object, ...]]], int]:
    """One page of a proposal's top-level comments, their replies two levels down and the
    top-level total, as rows of :data:`THREAD_COLUMNS` (roots newest or most reacted first)."""
    conn = session.connection()
    params = {"proposal_id": proposal_id, "limit": limit, "offset": offset}
    roots, total = rows_and_total(conn, _ROOTS[sort], params, lambda: _ROOT_COUNT, offset=offset)
    if not roots:
        return roots, [], total
    if conn.dialect.name == "postgresql":
        replies = conn.execute(
            _REPLIES_PG, {"proposal_id": proposal_id, "roots": [r.id for r in roots]}
        ).all()
    else:  # the same page again, in the same read transaction: its parameters, no ids
        replies = conn.execute(_REPLIES[sort], params).all()
    return roots, replies, total


def proposal(session: Session, proposal_id: int) -> Proposal | None:
    # what comments need of a proposal is its own row: its massing loads only if asked for
    return session.get(Proposal, proposal_id, options=[lazyload(Proposal.massing)])


def get(session: Session, comment_id: int) -> Comment | None:
    return session.get(Comment, comment_id)


def users_by_id(session: Session, ids: Iterable[int | None]) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    # authors are shown by name: their roles and organisation load only if asked for
    query = sa.select(User).where(User.id.in_(wanted))
    query = query.options(lazyload(User.roles), lazyload(User.organisation))
    return {u.id: u for u in session.scalars(query)}


def top_level_page(
    session: Session, proposal_id: int, *, sort: str, limit: int, offset: int
) -> tuple[list[Comment], int]:
    """One page of a proposal's top-level comments and how many there are."""
    where = (Comment.proposal_id == proposal_id, Comment.parent_id.is_(None))
    total = session.scalar(sa.select(sa.func.count()).select_from(Comment).where(*where)) or 0
    query = sa.select(Comment).where(*where)
    if sort == "most_reacted":
        query = query.order_by(
            (Comment.agree_count + Comment.disagree_count).desc(),
            Comment.created_at.desc(),
            Comment.id.desc(),
        )
    else:
        query = query.order_by(Comment.created_at.desc(), Comment.id.desc())
    rows = session.scalars(query.limit(limit).offset(offset)).all()
    return list(rows), int(total)


def replies_to(session: Session, parent_ids: Iterable[int]) -> list[Comment]:
    """Direct replies to ``parent_ids``, oldest first (conversation order)."""
    ids = list(parent_ids)
    if not ids:
        return []
    return list(
        session.scalars(
            sa.select(Comment)
            .where(Comment.parent_id.in_(ids))
            .order_by(Comment.created_at, Comment.id)
        )
    )


def reactions_of(session: Session, user_id: int, comment_ids: Iterable[int]) -> dict[int, str]:
    ids = list(comment_ids)
    if not ids:
        return {}
    rows = session.execute(
        sa.select(Reaction.comment_id, Reaction.kind).where(
            Reaction.user_id == user_id, Reaction.comment_id.in_(ids)
        )
    )
    return {int(comment_id): str(kind) for comment_id, kind in rows}


def reaction(session: Session, comment_id: int, user_id: int) -> Reaction | None:
    return session.scalars(
        sa.select(Reaction).where(Reaction.comment_id == comment_id, Reaction.user_id == user_id)
    ).first()


def add_to_counts(session: Session, comment_id: int, *, agree: int = 0, disagree: int = 0) -> None:
    session.execute(
        sa.update(Comment)
        .where(Comment.id == comment_id)
        .values(
            agree_count=Comment.agree_count + agree,
            disagree_count=Comment.disagree_count + disagree,
        )
    )


def add_report_count(session: Session, comment_id: int) -> None:
    """Count a report; on PostgreSQL this also locks the comment row until commit, so two
    concurrent reports cannot both miss the hide threshold."""
    session.execute(
        sa.update(Comment)
        .where(Comment.id == comment_id)
        .values(report_count=Comment.report_count + 1)
    )


def report_by(session: Session, comment_id: int, reporter_id: int) -> Report | None:
    return session.scalars(
        sa.select(Report).where(Report.comment_id == comment_id, Report.reporter_id == reporter_id)
    ).first()


def open_reports(session: Session, comment_ids: Iterable[int]) -> list[Report]:
    ids = list(comment_ids)
    if not ids:
        return []
    return list(
        session.scalars(
            sa.select(Report)
            .where(Report.comment_id.in_(ids), Report.resolved_at.is_(None))
            .order_by(Report.created_at, Report.id)
        )
    )


def count_open_reports(session: Session, comment_id: int) -> int:
    return int(
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Report)
            .where(Report.comment_id == comment_id, Report.resolved_at.is_(None))
        )
        or 0
    )


def resolve_reports(session: Session, comment_id: int, resolution: str, at: datetime) -> int:
    result = session.execute(
        sa.update(Report)
        .where(Report.comment_id == comment_id, Report.resolved_at.is_(None))
        .values(resolved_at=at, resolution=resolution)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def report_by_id(session: Session, report_id: int) -> Report | None:
    return session.get(Report, report_id)


def resolve_report(session: Session, report_id: int, resolution: str, at: datetime) -> bool:
    """Resolve one open report, atomically; False if it was resolved already (or by a racer)."""
    result = session.execute(
        sa.update(Report)
        .where(Report.id == report_id, Report.resolved_at.is_(None))
        .values(resolved_at=at, resolution=resolution)
    )
    return bool(getattr(result, "rowcount", 0))


def moderation_queue(session: Session, *, limit: int, offset: int) -> tuple[list[Comment], int]:
    """Comments with open reports (auto-hidden ones included), oldest first report first."""
    first = (
        sa.select(Report.comment_id, sa.func.min(Report.created_at).label("first_at"))
        .where(Report.resolved_at.is_(None))
        .group_by(Report.comment_id)
        .subquery()
    )
    base = (
        sa.select(Comment)
        .join(first, first.c.comment_id == Comment.id)
        .where(Comment.state != "deleted")
    )
    total = session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    rows = session.scalars(
        base.order_by(first.c.first_at, Comment.id).limit(limit).offset(offset)
    ).all()
    return list(rows), int(total)


def hidden_comments(session: Session, *, limit: int, offset: int) -> tuple[list[Comment], int]:
    """Hidden comments (whether their reports are open or resolved), newest first."""
    base = sa.select(Comment).where(Comment.state == "hidden")
    total = session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    rows = session.scalars(
        base.order_by(Comment.created_at.desc(), Comment.id.desc()).limit(limit).offset(offset)
    ).all()
    return list(rows), int(total)


def posted_since(
    session: Session, *, author_id: int | None = None, ip_hash: str | None = None, since: datetime
) -> tuple[int, datetime | None]:
    """How many comments an author (or an address) posted since ``since``, and the oldest time."""
    query = sa.select(sa.func.count(), sa.func.min(Comment.created_at)).where(
        Comment.created_at >= since
    )
    if author_id is not None:
        query = query.where(Comment.author_id == author_id)
    if ip_hash is not None:
        query = query.where(Comment.author_ip_hash == ip_hash)
    count, oldest = session.execute(query).one()
    return int(count or 0), oldest
