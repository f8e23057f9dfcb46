"""The live events of a proposal (``GET /api/v1/proposals/{id}/events``), one model per type.

Defined once here and published in the OpenAPI document as the ``ProposalEvent`` union
(discriminated by ``type``), so the frontend's generated client has the payloads instead of a copy.
Every event also carries the proposal's id and the stream's event ``id`` (added when published).
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import BaseModel, Field

from backend.schemas.comments import CommentPublic
from backend.schemas.proposals import Stage

EventType = Literal[
    "comment_created",
    "comment_edited",
    "comment_hidden",
    "comment_restored",
    "comment_deleted",
    "reaction_counts",
    "stage_changed",
]
#: every event type, in the order the stream's documentation lists them
EVENT_TYPES: tuple[str, ...] = get_args(EventType)


class _Event(BaseModel):
    proposal_id: int = Field(examples=[1])
    id: str | None = Field(
        None, description="The stream's event id", examples=["1746518400000-4182-7"]
    )


class CommentEvent(_Event):
    """A comment was posted, edited or restored: the comment as anyone sees it."""

    type: Literal["comment_created", "comment_edited", "comment_restored"]
    comment: CommentPublic


class CommentGoneEvent(_Event):
    """A comment was hidden by a moderator or deleted by its author."""

    type: Literal["comment_hidden", "comment_deleted"]
    comment_id: int = Field(examples=[101])


class ReactionCountsEvent(_Event):
    """A comment's agree/disagree counts changed."""

    type: Literal["reaction_counts"]
    comment_id: int = Field(examples=[101])
    agree_count: int = Field(examples=[13])
    disagree_count: int = Field(examples=[3])


class StageChangedEvent(_Event):
    """The proposal moved to another stage (a consultation opened or closed)."""

    type: Literal["stage_changed"]
    stage: Stage


ProposalEvent = Annotated[
    CommentEvent | CommentGoneEvent | ReactionCountsEvent | StageChangedEvent,
    Field(discriminator="type"),
]
