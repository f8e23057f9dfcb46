"""Saved searches: discovery filters (of work packages or of funding schemes) with an alert
frequency."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.schemas.funding import BusinessStage, EligibleSize, SchemeKind
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
    paused: bool | None = Field(
        None, description="true: no alert e-mails until set false again", examples=[True]
    )


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
                    "paused": False,
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
    paused: bool = Field(description="Alerts paused (by the owner or the e-mail's stop link)")
    created_at: datetime
    last_run_at: datetime | None


# --- funding schemes (issue 15) ----------------------------------------------------------------


class FundingSearchFilters(BaseModel):
    """What a saved funding search stores: the directory's filters, with "open now" instead of a
    fixed day (a saved search runs for months)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"kind": ["grant"], "size": "small", "sector": "45"}]},
    )

    kind: list[SchemeKind] = Field(default_factory=list, max_length=6)
    size: EligibleSize | None = None
    sector: str | None = Field(
        None, max_length=12, description="CPV prefix (45, 4511) or NACE code (F, 43.3)"
    )
    stage: BusinessStage | None = None
    lon: float | None = Field(None, ge=-180, le=180, description="Applicant's longitude")
    lat: float | None = Field(None, ge=-90, le=90, description="Applicant's latitude")
    q: str | None = Field(None, max_length=200, description="Free text, any language")
    provider: str | None = Field(None, max_length=200, description="Provider name contains")
    open_now: bool = Field(False, description="Only schemes open for applications on the day")


class FundingSavedSearchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, examples=["Grants for small builders"])
    query: FundingSearchFilters = Field(
        default_factory=FundingSearchFilters,
        examples=[{"kind": ["grant"], "size": "small", "sector": "45"}],
    )
    frequency: Frequency = "daily"


class FundingSavedSearchUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"frequency": "weekly"}]}
    )

    name: str | None = Field(None, min_length=1, max_length=100)
    query: FundingSearchFilters | None = None
    frequency: Frequency | None = Field(None, examples=["weekly"])
    paused: bool | None = Field(
        None, description="true: no alert e-mails until set false again", examples=[True]
    )


class FundingSavedSearchPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 12,
                    "name": "Grants for small builders",
                    "target": "funding",
                    "query": {
                        "kind": ["grant"],
                        "size": "small",
                        "sector": "45",
                        "stage": None,
                        "lon": None,
                        "lat": None,
                        "q": None,
                        "provider": None,
                        "open_now": True,
                    },
                    "frequency": "weekly",
                    "paused": False,
                    "created_at": "2026-11-02T09:00:00Z",
                    "last_run_at": "2026-11-30T06:00:00Z",
                }
            ]
        }
    )

    id: int
    name: str
    target: Literal["funding"] = "funding"
    query: FundingSearchFilters
    frequency: Frequency
    paused: bool = Field(description="Alerts paused (by the owner or the e-mail's stop link)")
    created_at: datetime
    last_run_at: datetime | None


class AlertsStopped(BaseModel):
    """The answer of the e-mail's one-click stop link."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 5, "paused": True}]})

    id: int
    paused: bool
