"""Official responses, themes and their comments. No HTTP, no commit."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models import Comment
from backend.db.models_engagement import CommentTheme, CommentThemeMember, OfficialResponse


def comments_of(session: Session, proposal_id: int, ids: list[int]) -> list[Comment]:
    return list(
        session.scalars(
            sa.select(Comment).where(Comment.proposal_id == proposal_id, Comment.id.in_(ids))
        )
    )


def theme(session: Session, theme_id: int) -> CommentTheme | None:
    return session.get(CommentTheme, theme_id)


def themes_of(session: Session, proposal_id: int) -> list[CommentTheme]:
    return list(
        session.scalars(
            sa.select(CommentTheme)
            .where(CommentTheme.proposal_id == proposal_id)
            .order_by(CommentTheme.id)
        )
    )


def members(session: Session, theme_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {t: [] for t in theme_ids}
    if not theme_ids:
        return out
    rows = session.execute(
        sa.select(CommentThemeMember.theme_id, CommentThemeMember.comment_id)
        .where(CommentThemeMember.theme_id.in_(theme_ids))
        .order_by(CommentThemeMember.comment_id)
    ).all()
    for t, c in rows:
        out[int(t)].append(int(c))
    return out


def add_members(session: Session, theme_id: int, comment_ids: list[int]) -> None:
    session.add_all(CommentThemeMember(theme_id=theme_id, comment_id=c) for c in comment_ids)


def response_for(
    session: Session, *, comment_id: int | None = None, theme_id: int | None = None
) -> OfficialResponse | None:
    if comment_id is not None:
        return session.scalar(
            sa.select(OfficialResponse).where(OfficialResponse.comment_id == comment_id)
        )
    return session.scalar(sa.select(OfficialResponse).where(OfficialResponse.theme_id == theme_id))


def responses_of(session: Session, proposal_id: int) -> list[OfficialResponse]:
    return list(
        session.scalars(
            sa.select(OfficialResponse)
            .where(OfficialResponse.proposal_id == proposal_id)
            .order_by(OfficialResponse.id)
        )
    )


def author_ids(session: Session, comment_ids: list[int]) -> dict[int, int]:
    """comment id → author id, for the published comments among ``comment_ids``."""
    if not comment_ids:
        return {}
    rows = session.execute(
        sa.select(Comment.id, Comment.author_id).where(
            Comment.id.in_(comment_ids),
            Comment.author_id.is_not(None),
            Comment.state == "published",
        )
    ).all()
    return {int(c): int(a) for c, a in rows}


def published_top_level_ids(session: Session, proposal_id: int) -> list[int]:
    return list(
        session.scalars(
            sa.select(Comment.id).where(
                Comment.proposal_id == proposal_id,
                Comment.state == "published",
                Comment.parent_id.is_(None),
            )
        )
    )
