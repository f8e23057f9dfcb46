"""Existing city buildings as GeoJSON features (loaded from the tiles pipeline)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.schemas.examples import SITE_RING

_PROPERTIES_EXAMPLE: dict[str, Any] = {
    "tileset": "london",
    "building_id": "osm-way-4012345",
    "source_id": "way/4012345",
    "height_m": 34.5,
    "base_height_m": 0.0,
    "levels": 9.0,
    "height_source": "tag",
    "building_type": "office",
    "name": "Mansion House Chambers",
    "address": "1 Poultry, London EC2R 8EJ",
    "dataset": "openstreetmap",
}
_FEATURE_EXAMPLE: dict[str, Any] = {
    "type": "Feature",
    "id": "london/osm-way-4012345",
    "geometry": {
        "type": "MultiPolygon",
        "coordinates": [[SITE_RING]],
    },
    "properties": _PROPERTIES_EXAMPLE,
}


class BuildingProperties(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_PROPERTIES_EXAMPLE]})

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
    model_config = ConfigDict(json_schema_extra={"examples": [_FEATURE_EXAMPLE]})

    type: Literal["Feature"] = "Feature"
    id: str
    geometry: dict[str, Any] = Field(description="GeoJSON MultiPolygon footprint")
    properties: BuildingProperties


class BuildingCollection(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "FeatureCollection",
                    "features": [_FEATURE_EXAMPLE],
                    "numberMatched": 1,
                    "numberReturned": 1,
                    "limit": 100,
                    "offset": 0,
                    "next": None,
                }
            ]
        }
    )

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[BuildingFeature]
    numberMatched: int  # noqa: N815 - OGC API Features member names
    numberReturned: int  # noqa: N815
    limit: int
    offset: int
    next: str | None = Field(None, description="URL of the next page, if any")
