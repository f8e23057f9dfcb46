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
        examples=[{"cpv": ["4511"], "lon": -0.0983, "lat": 51.5203, "radius_km": 5}]
    )
    frequency: Frequency = "daily"


class SavedSearchUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "Landscaping in the City", "frequency": "weekly"}]
        },
    )

    name: str | None = Field(
        None, min_length=1, max_length=100, examples=["Landscaping in the City"]
    )
    query: OpportunityFilters | None = None
    frequency: Frequency | None = Field(None, examples=["weekly"])


class SavedSearchPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 5,
                    "name": "Landscaping near me",
                    "query": {
                        "cpv": ["4511"],
                        "lon": -0.0983,
                        "lat": 51.5203,
                        "radius_km": 5,
                        "min_value": None,
                        "max_value": None,
                        "status": [],
                        "closing_after": None,
                        "closing_before": None,
                        "sme_suitable": None,
                        "q": None,
                        "proposal_id": None,
                    },
                    "frequency": "daily",
                    "created_at": "2025-04-10T08:30:00Z",
                    "last_run_at": "2025-05-06T06:00:00Z",
                }
            ]
        }
    )

    id: int
    name: str
    query: OpportunityFilters
    frequency: Frequency
    created_at: datetime
    last_run_at: datetime | None
