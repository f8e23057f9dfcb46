"""Existing city buildings as GeoJSON features (loaded from the tiles pipeline)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class BuildingProperties(BaseModel):
    tileset: str
    building_id: str = Field(description="Stable id, the same as in the 3D Tiles feature metadata")
    source_id: str | None
    height_m: float = Field(description="Top of the building above ground, metres")
    base_height_m: float
    levels: float | None
    height_source: str = Field(description="Where the height came from (tag, levels, default…)")
    building_type: str | None
    name: str | None
    address: str | None
    dataset: str | None


class BuildingFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: str
    geometry: dict[str, Any] = Field(description="GeoJSON MultiPolygon footprint")
    properties: BuildingProperties


class BuildingCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[BuildingFeature]
    numberMatched: int  # noqa: N815 - OGC API Features member names
    numberReturned: int  # noqa: N815
    limit: int
    offset: int
    next: str | None = Field(None, description="URL of the next page, if any")
