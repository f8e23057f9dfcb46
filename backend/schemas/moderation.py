"""Moderators' lists beside the reports queue."""

from __future__ import annotations

from pydantic import BaseModel, Field

from backend.schemas.comments import CommentModeration


class HiddenComments(BaseModel):
    """Hidden comments (by a moderator or automatically), most recently created first."""

    items: list[CommentModeration]
    total: int = Field(description="hidden comments in all")
    limit: int
    offset: int
    next: str | None = Field(None, description="the next page, when there is one")
