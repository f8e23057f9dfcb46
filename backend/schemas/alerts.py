"""Saved searches: discovery filters with an alert frequency."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.schemas.opportunities import OpportunityFilters

Frequency = Literal["immediate", "daily", "weekly"]


class SavedSearchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, examples=["Landscaping near me"])
    query: OpportunityFilters = Field(
        examples=[{"cpv": ["4511"], "lon": -1.89, "lat": 52.49, "radius_km": 20}]
    )
    frequency: Frequency = "daily"


class SavedSearchUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=100)
    query: OpportunityFilters | None = None
    frequency: Frequency | None = None


class SavedSearchPublic(BaseModel):
    id: int
    name: str
    query: OpportunityFilters
    frequency: Frequency
    created_at: datetime
    last_run_at: datetime | None
