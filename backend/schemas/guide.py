"""The one-stop-shop guide: journeys through a business's life as curated, ordered steps."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.schemas.funding import Language
from backend.schemas.text import WebURL

Journey = Literal["start", "grow", "bid", "abroad"]
JOURNEYS: tuple[Journey, ...] = ("start", "grow", "bid", "abroad")
#: Steps of one journey: a guide, not a catalogue.
MAX_STEPS = 50

_TEXT_EXAMPLE: dict[str, Any] = {
    "title": "Register your company",
    "description": "Register with Companies House; you get a company number the same day.",
}
_STEP_EXAMPLE: dict[str, Any] = {
    "journey": "start",
    "position": 1,
    "translations": {"en": _TEXT_EXAMPLE},
    "provider": "Companies House",
    "cost": "£50",
    "duration": "1 day",
    "url": "https://www.gov.uk/limited-company-formation",
}


class StepText(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": _TEXT_EXAMPLE})

    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5000)


class StepWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    journey: Journey | None = None
    position: int | None = Field(None, ge=1, le=MAX_STEPS, description="1 = first; moves others")
    translations: dict[Language, StepText] | None = Field(
        None, description="Title and description per language; English is required"
    )
    provider: str | None = Field(None, max_length=200, description="Who provides the service")
    cost: str | None = Field(None, max_length=200, examples=["free"])
    duration: str | None = Field(None, max_length=200, examples=["1-2 weeks"])
    url: WebURL | None = Field(None, max_length=500)


class StepCreate(StepWrite):
    model_config = ConfigDict(json_schema_extra={"examples": [_STEP_EXAMPLE]})

    journey: Journey
    translations: dict[Language, StepText]


class StepUpdate(StepWrite):
    model_config = ConfigDict(json_schema_extra={"examples": [{"position": 2, "cost": "free"}]})


class StepPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"id": 7, **_STEP_EXAMPLE, "updated_at": "2025-04-01T09:00:00Z"}
        }
    )

    id: int
    journey: Journey
    position: int
    translations: dict[str, StepText]
    provider: str
    cost: str
    duration: str
    url: str | None
    updated_at: datetime


class JourneyPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "journey": "start",
                "steps": [{"id": 7, **_STEP_EXAMPLE, "updated_at": "2025-04-01T09:00:00Z"}],
            }
        }
    )

    journey: Journey
    steps: list[StepPublic]
