"""Comments, reactions, reports and moderation: request and response models.

Anchors are in WGS 84: longitude/latitude in degrees, heights in metres above the ellipsoid (what
CesiumJS reports for a picked position), camera angles in degrees as Cesium defines them
(heading clockwise from north, pitch negative looking down, roll about the view direction).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.schemas.pagination import Page

Sentiment = Literal["objection", "neutral", "supportive"]
Topic = Literal["design", "use", "light", "privacy", "access", "noise", "traffic", "other"]
ReactionKind = Literal["agree", "disagree"]
ReportReason = Literal["spam", "offensive", "off_topic"]
CommentState = Literal["published", "hidden", "deleted"]
CommentSort = Literal["newest", "most_reacted"]

#: A hard ceiling on the body before the configured limit is checked (keeps parsing cheap).
BODY_HARD_LIMIT = 100_000
#: Heights a picked point or a camera may have: below the Dead Sea shore to well above a city view.
MIN_HEIGHT_M = -1_000.0
MAX_POINT_HEIGHT_M = 10_000.0
MAX_CAMERA_HEIGHT_M = 1_000_000.0

_STRICT = ConfigDict(extra="forbid")

_ANCHOR_EXAMPLE: dict[str, Any] = {
    "point": {"lon": -0.0902, "lat": 51.5152, "height_m": 62.5},
    "building_id": "osm-way-4012345",
    "camera": {
        "position": {"lon": -0.0921, "lat": 51.5139, "height_m": 180.0},
        "heading_deg": 35.0,
        "pitch_deg": -25.0,
        "roll_deg": 0.0,
    },
}
_REPLY_EXAMPLE: dict[str, Any] = {
    "id": 102,
    "proposal_id": 1,
    "parent_id": 101,
    "depth": 2,
    "state": "published",
    "body": "Agreed - the shadow study in the documents shows the same.",
    "author": {"id": 58, "display_name": "Sam"},
    "sentiment": "objection",
    "topics": ["light"],
    "anchor": None,
    "agree_count": 1,
    "disagree_count": 0,
    "created_at": "2025-04-03T18:05:00Z",
    "edited_at": None,
    "my_reaction": None,
    "replies": [],
}
_COMMENT_EXAMPLE: dict[str, Any] = {
    "id": 101,
    "proposal_id": 1,
    "parent_id": None,
    "depth": 1,
    "state": "published",
    "body": "The west block will overshadow the school playground after 3 pm.",
    "author": {"id": 42, "display_name": "Ada"},
    "sentiment": "objection",
    "topics": ["design", "light"],
    "anchor": _ANCHOR_EXAMPLE,
    "agree_count": 12,
    "disagree_count": 3,
    "created_at": "2025-04-03T17:41:00Z",
    "edited_at": None,
    "my_reaction": "agree",
    "replies": [_REPLY_EXAMPLE],
}
_REPORT_EXAMPLE: dict[str, Any] = {
    "id": 9,
    "comment_id": 101,
    "reason": "offensive",
    "details": "Personal attack on a named resident",
    "created_at": "2025-04-04T07:12:00Z",
    "resolved_at": None,
    "resolution": None,
}
_MODERATION_EXAMPLE: dict[str, Any] = {
    **_COMMENT_EXAMPLE,
    "state": "hidden",
    "my_reaction": None,
    "replies": [],
    "hidden_reason": "Personal attack on a named resident",
    "report_count": 3,
}


class Position(BaseModel):
    """A position in WGS 84 with an ellipsoidal height in metres."""

    model_config = _STRICT

    lon: float = Field(ge=-180, le=180, description="Longitude in degrees", examples=[-0.0937])
    lat: float = Field(ge=-90, le=90, description="Latitude in degrees", examples=[51.5155])
    height_m: float = Field(
        0.0,
        ge=MIN_HEIGHT_M,
        le=MAX_POINT_HEIGHT_M,
        description="Height above the WGS 84 ellipsoid, in metres",
        examples=[62.5],
    )


class CameraPosition(Position):
    height_m: float = Field(
        ge=MIN_HEIGHT_M,
        le=MAX_CAMERA_HEIGHT_M,
        description="Camera height above the WGS 84 ellipsoid, in metres",
        examples=[180.0],
    )


class Camera(BaseModel):
    """Where the author's camera was, so others see what the author saw."""

    model_config = _STRICT

    position: CameraPosition
    heading_deg: float = Field(
        0.0, ge=0, le=360, description="Clockwise from north, in degrees", examples=[35.0]
    )
    pitch_deg: float = Field(
        -30.0, ge=-90, le=90, description="Negative looks down, in degrees", examples=[-25.0]
    )
    roll_deg: float = Field(0.0, ge=-180, le=180, description="In degrees", examples=[0.0])


class ImpactPointRef(BaseModel):
    """A point of an impact study (``GET …/impact/points/{analysis}/{index}``, issue 13)."""

    model_config = _STRICT

    analysis: Literal["vsc", "apsh", "ground", "visibility"]
    index: int = Field(ge=0, le=10_000_000, description="The point's index in its analysis")
    job_id: int | None = Field(
        None, ge=1, le=2_147_483_647, description="The study (set by the server: the latest)"
    )


class Anchor(BaseModel):
    """Where in 3D a comment is about; every part is optional."""

    model_config = _STRICT

    point: Position | None = Field(None, description="A picked point on a building or the ground")
    building_id: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        pattern=r"^[^\x00-\x1f\x7f]+$",
        description="A building id from the city tileset's metadata or the proposal's massing",
        examples=["osm-way-4012345"],
    )
    camera: Camera | None = None
    impact: ImpactPointRef | None = Field(
        None, description="One point of the proposal's impact study the comment is about"
    )


class CommentCreate(BaseModel):
    model_config = _STRICT

    body: str = Field(
        max_length=BODY_HARD_LIMIT,
        description="Plain text, stored exactly as written (clients escape it when rendering)",
        examples=["The west block will overshadow the school playground after 3 pm."],
    )
    parent_id: int | None = Field(None, description="Reply to this comment (threads nest 3 deep)")
    sentiment: Sentiment = "neutral"
    topics: set[Topic] = Field(default_factory=set, max_length=8, examples=[["light", "design"]])
    anchor: Anchor | None = None
    variant_id: int | None = Field(
        None, ge=1, le=2**31 - 1, description="The design variant the comment is about"
    )


class CommentUpdate(BaseModel):
    """An author's edit within the edit window; omitted fields stay as they are."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "body": "The west block will overshadow the school playground from 2 pm.",
                    "sentiment": "objection",
                    "topics": ["light"],
                }
            ]
        },
    )

    body: str | None = Field(
        None,
        max_length=BODY_HARD_LIMIT,
        examples=["The west block will overshadow the school playground from 2 pm."],
    )
    sentiment: Sentiment | None = Field(None, examples=["objection"])
    topics: set[Topic] | None = Field(None, max_length=8, examples=[["light"]])


class Author(BaseModel):
    id: int | None = Field(description="null for deleted accounts")
    display_name: str = Field(examples=["Ada"])


class CommentPublic(BaseModel):
    """A comment as anyone sees it. Hidden and deleted comments keep their place in the thread
    but lose body, author and anchor."""

    model_config = ConfigDict(json_schema_extra={"examples": [_COMMENT_EXAMPLE]})

    id: int
    proposal_id: int
    parent_id: int | None
    depth: int = Field(ge=1, le=3)
    state: CommentState
    body: str | None
    author: Author | None
    sentiment: Sentiment | None
    topics: list[Topic]
    anchor: Anchor | None
    variant_id: int | None = Field(None, description="The design variant it is about")
    agree_count: int
    disagree_count: int
    created_at: datetime
    edited_at: datetime | None
    my_reaction: ReactionKind | None = Field(
        None, description="The caller's reaction (signed-in callers only)"
    )
    replies: list[CommentPublic] = Field(default_factory=list)


class CommentPage(Page[CommentPublic]):
    """Top-level comments of a proposal with their replies; ``total`` counts top-level ones."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [_COMMENT_EXAMPLE],
                    "total": 21,
                    "limit": 20,
                    "offset": 0,
                    "next": "http://localhost:8000/api/v1/proposals/1/comments?limit=20&offset=20",
                    "prev": None,
                }
            ]
        }
    )


class ReactionSet(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"kind": "agree"}]})

    kind: ReactionKind = Field(examples=["agree"])


class ReactionCounts(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"comment_id": 101, "agree_count": 12, "disagree_count": 3, "my_reaction": "agree"}
            ]
        }
    )

    comment_id: int
    agree_count: int
    disagree_count: int
    my_reaction: ReactionKind | None


class ReportCreate(BaseModel):
    model_config = _STRICT

    reason: ReportReason = Field(examples=["spam"])
    details: str = Field("", max_length=2000, examples=["Advertises a building firm"])


class ReportPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_REPORT_EXAMPLE]})

    id: int
    comment_id: int
    reason: ReportReason
    details: str
    created_at: datetime
    resolved_at: datetime | None = None
    resolution: str | None = None


class ModerationDecision(BaseModel):
    model_config = _STRICT

    reason: str = Field(
        min_length=1, max_length=1000, examples=["Personal attack on a named resident"]
    )


def moderation_example() -> dict[str, Any]:
    """A hidden comment as moderators see it (OpenAPI examples of the moderation lists)."""
    return dict(_MODERATION_EXAMPLE)


class CommentModeration(CommentPublic):
    """A comment as a moderator sees it: with its body whatever its state."""

    model_config = ConfigDict(json_schema_extra={"examples": [_MODERATION_EXAMPLE]})

    hidden_reason: str | None
    report_count: int


class ReportReporter(BaseModel):
    """Who filed a report, as moderators see it."""

    id: int
    display_name: str
    counts_toward_hide: bool = Field(
        description="An established account (verified, old enough or with published comments)"
    )


class ModerationReport(ReportPublic):
    """An open report with its reporter (``null`` once the account is deleted)."""

    reporter: ReportReporter | None


_MODERATION_REPORT_EXAMPLE: dict[str, Any] = {
    **_REPORT_EXAMPLE,
    "reporter": {"id": 42, "display_name": "Ada", "counts_toward_hide": True},
}


class ModerationItem(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "comment": _MODERATION_EXAMPLE,
                    "reports": [_MODERATION_REPORT_EXAMPLE],
                    "first_reported_at": "2025-04-04T07:12:00Z",
                }
            ]
        }
    )

    comment: CommentModeration
    reports: list[ModerationReport] = Field(
        description="Open reports, oldest first, with who filed them"
    )
    first_reported_at: datetime | None


class ModerationQueue(Page[ModerationItem]):
    """Comments with open reports, oldest report first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "comment": _MODERATION_EXAMPLE,
                            "reports": [_REPORT_EXAMPLE],
                            "first_reported_at": "2025-04-04T07:12:00Z",
                        }
                    ],
                    "total": 1,
                    "limit": 20,
                    "offset": 0,
                    "next": None,
                    "prev": None,
                }
            ]
        }
    )
