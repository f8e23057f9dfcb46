"""SME organisation profiles."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

OrganisationSize = Literal["micro", "small", "medium", "large"]


class OrganisationUpdate(BaseModel):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200, examples=["Barbican Joinery Ltd"])
    size: OrganisationSize | None = Field(None, examples=["small"])
    description: str | None = Field(None, max_length=5000)
    website: str | None = Field(None, max_length=500, examples=["https://joinery.example.org"])
    sectors: list[str] | None = Field(
        None,
        max_length=50,
        description="CPV codes or digit prefixes; stored as subtree prefixes",
        examples=[["4542", "45421000-4"]],
    )
    location: dict[str, Any] | None = Field(
        None,
        description="GeoJSON Point (lon/lat) of the base",
        examples=[{"type": "Point", "coordinates": [-1.8904, 52.4862]}],
    )
    service_radius_km: float | None = Field(None, gt=0, le=2000, examples=[30])
    identifier: str | None = Field(None, max_length=100, examples=["GB-COH-01234567"])


class SectorPublic(BaseModel):
    prefix: str = Field(examples=["4542"])
    label: str | None = Field(None, description="Label of the subtree's head code, if any")


class OrganisationPublic(BaseModel):
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
