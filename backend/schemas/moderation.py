"""Moderators' lists beside the reports queue."""

from __future__ import annotations

from pydantic import ConfigDict

from backend.schemas.comments import CommentModeration, moderation_example
from backend.schemas.pagination import Page


class HiddenComments(Page[CommentModeration]):
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
                    "prev": None,
                }
            ]
        }
    )
