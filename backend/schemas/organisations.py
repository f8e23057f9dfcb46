"""SME organisation profiles."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.schemas.geometry import PointIn
from backend.schemas.pagination import Page
from backend.schemas.text import WebURL

OrganisationSize = Literal["micro", "small", "medium", "large"]


class OrganisationUpdate(BaseModel):
    """Only the fields sent are changed."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "size": "small",
                    "sectors": ["4542", "45421000-4"],
                    "location": {"type": "Point", "coordinates": [-0.0983, 51.5203]},
                    "service_radius_km": 30,
                }
            ]
        },
    )

    name: str | None = Field(None, min_length=1, max_length=200, examples=["Barbican Joinery Ltd"])
    size: OrganisationSize | None = Field(None, examples=["small"])
    description: str | None = Field(None, max_length=5000)
    website: WebURL | None = Field(
        None,
        max_length=500,
        description="An http or https address",
        examples=["https://joinery.example.org"],
    )
    sectors: list[str] | None = Field(
        None,
        max_length=50,
        description="CPV codes or digit prefixes; stored as subtree prefixes",
        examples=[["4542", "45421000-4"]],
    )
    location: PointIn | None = Field(
        None,
        description="GeoJSON Point (lon/lat) of the base",
        examples=[{"type": "Point", "coordinates": [-0.0983, 51.5203]}],
    )
    service_radius_km: float | None = Field(None, gt=0, le=2000, examples=[30])
    identifier: str | None = Field(None, max_length=100, examples=["GB-COH-01234567"])


class SectorPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"prefix": "4542", "label": "Joinery and carpentry installation work"}]
        }
    )

    prefix: str = Field(examples=["4542"])
    label: str | None = Field(None, description="Label of the subtree's head code, if any")


_ORGANISATION_EXAMPLE: dict[str, Any] = {
    "id": 8,
    "name": "Barbican Joinery Ltd",
    "size": "small",
    "description": "Bespoke joinery and shop fitting in the City since 1998.",
    "website": "https://joinery.example.org",
    "sectors": [{"prefix": "4542", "label": "Joinery and carpentry installation work"}],
    "location": {"type": "Point", "coordinates": [-0.0983, 51.5203]},
    "service_radius_km": 30.0,
    "identifier": "GB-COH-01234567",
    "created_at": "2025-02-11T10:00:00Z",
    "updated_at": "2025-04-30T16:45:00Z",
}


class OrganisationPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_ORGANISATION_EXAMPLE]})

    id: int
    name: str
    size: OrganisationSize
    description: str
    website: str | None
    sectors: list[SectorPublic]
    location: dict[str, Any] | None
    service_radius_km: float | None
    identifier: str | None
    created_at: datetime
    updated_at: datetime


class OrganisationList(Page[OrganisationPublic]):
    """A page of the organisation directory."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [_ORGANISATION_EXAMPLE],
                    "total": 1,
                    "limit": 10,
                    "offset": 0,
                    "next": None,
                    "prev": None,
                }
            ]
        }
    )
