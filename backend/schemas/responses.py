"""Official responses, dispositions and themes ("you said, we did"): request and response models.

A response answers one comment or one theme (a planner-selected group of comments) as the
council. Its disposition says what became of what was said: ``noted``; ``scheme_changed``,
with ``change_made`` saying what changed; ``not_taken_forward``, with the ``reason``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from backend.schemas.text import visible_text_problem

Disposition = Literal["noted", "scheme_changed", "not_taken_forward"]
#: Comments one theme may group.
MAX_THEME_COMMENTS = 500
MAX_RESPONSE_CHARS = 5_000

_STRICT = ConfigDict(extra="forbid")


def _visible(value: str | None) -> str | None:
    if value is None:
        return None
    problem = visible_text_problem(value)
    if problem:
        raise ValueError(problem)
    return value.strip()


class ThemeCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"title": "Overshadowing of the school", "comment_ids": [101, 104]}]
        },
    )

    title: str = Field(min_length=1, max_length=200)
    comment_ids: list[int] = Field(
        min_length=1,
        max_length=MAX_THEME_COMMENTS,
        description=f"Comments of this proposal grouped in the theme (1 to {MAX_THEME_COMMENTS})",
    )

    _title = field_validator("title")(_visible)

    @field_validator("comment_ids")
    @classmethod
    def _ids(cls, ids: list[int]) -> list[int]:
        for i, value in enumerate(ids):
            if not 1 <= value <= 2**31 - 1:
                raise ValueError(f"comment_ids[{i}]: {value} is not a comment id")
        if len(set(ids)) != len(ids):
            raise ValueError("comment_ids: lists a comment twice")
        return ids


class ResponseCreate(BaseModel):
    """An official response and its disposition (replaces an earlier one on the same target)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "body": "We asked the architects to step back the west block.",
                    "disposition": "scheme_changed",
                    "change_made": "West block reduced from 9 to 7 storeys.",
                }
            ]
        },
    )

    body: str = Field(min_length=1, max_length=MAX_RESPONSE_CHARS)
    disposition: Disposition
    change_made: str | None = Field(None, max_length=MAX_RESPONSE_CHARS)
    reason: str | None = Field(None, max_length=MAX_RESPONSE_CHARS)

    _text = field_validator("body", "change_made", "reason")(_visible)

    @model_validator(mode="after")
    def _disposition_fields(self) -> ResponseCreate:
        if self.disposition == "scheme_changed" and not self.change_made:
            raise ValueError("change_made: required when the disposition is scheme_changed")
        if self.disposition == "not_taken_forward" and not self.reason:
            raise ValueError("reason: required when the disposition is not_taken_forward")
        return self


class ResponsePublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "proposal_id": 1,
                    "comment_id": 101,
                    "theme_id": None,
                    "official": True,
                    "responder": "Planning team",
                    "body": "We asked the architects to step back the west block.",
                    "disposition": "scheme_changed",
                    "change_made": "West block reduced from 9 to 7 storeys.",
                    "reason": None,
                    "created_at": "2025-05-02T10:00:00Z",
                    "updated_at": "2025-05-02T10:00:00Z",
                }
            ]
        }
    )

    id: int
    proposal_id: int
    comment_id: int | None
    theme_id: int | None
    official: bool = Field(True, description="Always true: the council's own answer")
    responder: str = Field(description="Who answered for the council (display name)")
    body: str
    disposition: Disposition
    change_made: str | None
    reason: str | None
    created_at: datetime
    updated_at: datetime


class ThemePublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "proposal_id": 1,
                    "title": "Overshadowing of the school",
                    "comment_ids": [101, 104],
                    "response": None,
                    "created_at": "2025-05-01T09:00:00Z",
                }
            ]
        }
    )

    id: int
    proposal_id: int
    title: str
    comment_ids: list[int]
    response: ResponsePublic | None
    created_at: datetime


class DispositionCounts(BaseModel):
    noted: int = 0
    scheme_changed: int = 0
    not_taken_forward: int = 0
    no_response: int = Field(0, description="Published comments without a disposition yet")


class YouSaidWeDid(BaseModel):
    """The public "you said, we did" section of a proposal."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "proposal_id": 1,
                    "themes": [],
                    "responses": [],
                    "changes": ["West block reduced from 9 to 7 storeys."],
                    "counts": {
                        "noted": 3,
                        "scheme_changed": 1,
                        "not_taken_forward": 1,
                        "no_response": 12,
                    },
                }
            ]
        }
    )

    proposal_id: int
    themes: list[ThemePublic]
    responses: list[ResponsePublic] = Field(description="Responses to single comments")
    changes: list[str] = Field(description="What changed in the scheme, once each")
    counts: DispositionCounts = Field(
        description="Published top-level comments by disposition (a theme's applies to each)"
    )
