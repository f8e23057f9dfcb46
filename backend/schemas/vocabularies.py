"""``GET /api/v1/vocabularies``: the closed vocabularies and the input limits, defined once.

The lists are typed by the same ``Literal`` aliases the request and response models use, so the
OpenAPI document carries each vocabulary as an enum and the frontend's generated client checks
its lists against them; the limits are the values the backend enforces (some are settings).
"""

from __future__ import annotations

from typing import get_args

from pydantic import BaseModel, ConfigDict, Field

from backend.schemas.comments import CommentState, ReportReason, Sentiment, Topic
from backend.schemas.events import EventType
from backend.schemas.proposals import Decision, Stage


class Limits(BaseModel):
    thread_depth: int = Field(description="Replies nest at most this deep (a top comment is 1)")
    comment_max_length: int = Field(description="Longest comment body, in characters")
    comment_topics_max: int = Field(description="Most topics one comment may have")
    display_name_max_length: int = Field(description="Longest display name, in characters")
    organisation_name_max_length: int = Field(description="Longest organisation name")
    massing_height_max_m: float = Field(description="Tallest massing block, metres above ground")
    massing_storeys_max: int = Field(description="Most storeys of a massing block")
    metres_per_storey: float = Field(description="Height of a storey when only storeys are given")


class Vocabularies(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "stages": list(get_args(Stage)),
                    "decisions": list(get_args(Decision)),
                    "sentiments": list(get_args(Sentiment)),
                    "topics": list(get_args(Topic)),
                    "report_reasons": list(get_args(ReportReason)),
                    "comment_states": list(get_args(CommentState)),
                    "event_types": list(get_args(EventType)),
                    "limits": {
                        "thread_depth": 3,
                        "comment_max_length": 5000,
                        "comment_topics_max": 8,
                        "display_name_max_length": 100,
                        "organisation_name_max_length": 200,
                        "massing_height_max_m": 1000.0,
                        "massing_storeys_max": 300,
                        "metres_per_storey": 3.0,
                    },
                }
            ]
        }
    )

    stages: list[Stage] = Field(description="A proposal's stages, in order")
    decisions: list[Decision]
    sentiments: list[Sentiment]
    topics: list[Topic]
    report_reasons: list[ReportReason]
    comment_states: list[CommentState]
    event_types: list[EventType] = Field(description="The live events' `type`s (ProposalEvent)")
    limits: Limits


def vocabularies(limits: Limits) -> Vocabularies:
    """Every vocabulary in its order, with the given limits."""
    return Vocabularies(
        stages=list(get_args(Stage)),
        decisions=list(get_args(Decision)),
        sentiments=list(get_args(Sentiment)),
        topics=list(get_args(Topic)),
        report_reasons=list(get_args(ReportReason)),
        comment_states=list(get_args(CommentState)),
        event_types=list(get_args(EventType)),
        limits=limits,
    )
