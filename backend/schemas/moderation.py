"""Moderators' lists beside the reports queue."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from backend.schemas.comments import CommentModeration, moderation_example


class HiddenComments(BaseModel):
    """Hidden comments (by a moderator or automatically), most recently created first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [moderation_example()],
                    "total": 1,
                    "limit": 50,
                    "offset": 0,
                    "next": None,
                }
            ]
        }
    )

    items: list[CommentModeration]
    total: int = Field(description="hidden comments in all")
    limit: int
    offset: int
    next: str | None = Field(None, description="the next page, when there is one")
