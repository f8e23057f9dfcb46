"""Queries on comments, reactions and reports. No HTTP, no commit.

Counters on ``comments`` are changed with ``SET x = x + n`` so that concurrent writers (several
workers, PostgreSQL's row locks) never lose an update.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, lazyload

from backend.db.models import Comment, Proposal, Reaction, Report, User


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
