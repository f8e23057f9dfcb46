"""Questionnaires of a consultation: the planner's questions, an account's answers, results.

Kinds: ``single`` (one option), ``multiple`` (any options), ``rating`` (1 to ``rating_max``),
``text`` (free text) and ``point`` (a place on the map, a GeoJSON Point). An account answers
once per proposal: a second submission is 409 (answers are not edited, so the results are a
count of first answers; see docs/engagement.md).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from backend.schemas.geometry import PointIn
from backend.schemas.text import visible_text_problem

QuestionKind = Literal["single", "multiple", "rating", "text", "point"]
MAX_QUESTIONS = 20
MAX_OPTIONS = 12
MAX_TEXT_ANSWER = 2_000


def _visible(value: str) -> str:
    problem = visible_text_problem(value)
    if problem:
        raise ValueError(problem)
    return value.strip()


class QuestionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: QuestionKind
    prompt: str = Field(min_length=1, max_length=300)
    options: list[str] = Field(default_factory=list, max_length=MAX_OPTIONS)
    required: bool = False
    rating_max: int = Field(5, ge=2, le=10)

    _prompt = field_validator("prompt")(_visible)

    @field_validator("options")
    @classmethod
    def _options(cls, options: list[str]) -> list[str]:
        out = []
        for i, option in enumerate(options):
            if not 1 <= len(option.strip()) <= 200:
                raise ValueError(f"options[{i}]: 1 to 200 characters")
            problem = visible_text_problem(option)
            if problem:
                raise ValueError(f"options[{i}]: {problem}")
            out.append(option.strip())
        if len(set(out)) != len(out):
            raise ValueError("options: an option is listed twice")
        return out

    @model_validator(mode="after")
    def _kind_fields(self) -> QuestionIn:
        if self.kind in ("single", "multiple") and len(self.options) < 2:
            raise ValueError(f"options: a {self.kind} choice question needs 2 or more options")
        if self.kind not in ("single", "multiple") and self.options:
            raise ValueError(f"options: only choice questions have options, not {self.kind}")
        return self


class QuestionnaireIn(BaseModel):
    """All questions, in order (replaces the questionnaire while nobody has answered)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "questions": [
                        {
                            "kind": "single",
                            "prompt": "Which variant do you prefer?",
                            "options": ["A", "B"],
                        },
                        {
                            "kind": "rating",
                            "prompt": "How well does it fit the street?",
                            "rating_max": 5,
                        },
                        {"kind": "point", "prompt": "Where should the new crossing go?"},
                    ]
                }
            ]
        },
    )

    questions: list[QuestionIn] = Field(max_length=MAX_QUESTIONS)


class QuestionPublic(BaseModel):
    id: int
    position: int
    kind: QuestionKind
    prompt: str
    options: list[str]
    required: bool
    rating_max: int


class QuestionnairePublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "proposal_id": 1,
                    "questions": [
                        {
                            "id": 4,
                            "position": 0,
                            "kind": "single",
                            "prompt": "Which variant do you prefer?",
                            "options": ["A", "B"],
                            "required": True,
                            "rating_max": 5,
                        }
                    ],
                    "answered": False,
                    "submissions": 14,
                }
            ]
        }
    )

    proposal_id: int
    questions: list[QuestionPublic]
    answered: bool = Field(description="Whether the caller has answered (false if anonymous)")
    submissions: int


class AnswerIn(BaseModel):
    """One answer: ``choices`` (option indices) for choice questions, ``rating``, ``text`` or
    ``point`` for the others."""

    model_config = ConfigDict(extra="forbid")

    question_id: int = Field(ge=1, le=2**31 - 1)
    choices: list[int] | None = Field(None, max_length=MAX_OPTIONS)
    rating: int | None = Field(None, ge=1, le=10)
    text: str | None = Field(None, max_length=MAX_TEXT_ANSWER)
    point: PointIn | None = None


class SubmissionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "answers": [
                        {"question_id": 4, "choices": [1]},
                        {"question_id": 5, "rating": 4},
                        {
                            "question_id": 6,
                            "point": {"type": "Point", "coordinates": [-0.095, 51.515]},
                        },
                    ]
                }
            ]
        },
    )

    answers: list[AnswerIn] = Field(max_length=MAX_QUESTIONS)


class SubmissionPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"id": 31, "proposal_id": 1, "answers": 3}]}
    )

    id: int
    proposal_id: int
    answers: int


class QuestionResult(BaseModel):
    question_id: int
    kind: QuestionKind
    prompt: str
    answers: int = Field(description="How many answered this question")
    options: list[str] = Field(default_factory=list)
    option_counts: list[int] = Field(default_factory=list, description="Per option, in order")
    rating_counts: list[int] = Field(
        default_factory=list, description="How many gave 1, 2, … rating_max"
    )
    rating_mean: float | None = None
    points: list[list[float]] = Field(
        default_factory=list, description="[lon, lat] of placed points (no account attached)"
    )
    texts: int = Field(0, description="Free-text answers given (texts are in the report only)")


class QuestionnaireResults(BaseModel):
    """Aggregated only: counts, means and anonymous points; never who answered what."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "proposal_id": 1,
                    "submissions": 2,
                    "questions": [
                        {
                            "question_id": 4,
                            "kind": "single",
                            "prompt": "Which variant do you prefer?",
                            "answers": 2,
                            "options": ["A", "B"],
                            "option_counts": [1, 1],
                            "rating_counts": [],
                            "rating_mean": None,
                            "points": [],
                            "texts": 0,
                        }
                    ],
                }
            ]
        }
    )

    proposal_id: int
    submissions: int
    questions: list[QuestionResult]


def point_coordinates(point: Any) -> tuple[float, float]:
    return float(point.coordinates[0]), float(point.coordinates[1])
