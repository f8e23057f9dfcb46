"""City tilesets built by the pipeline and served under ``/tiles/<name>/``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_TILESET_EXAMPLE: dict[str, Any] = {
    "name": "london",
    "title": "City of London",
    "attribution": "© OpenStreetMap contributors, ODbL 1.0",
    "licence": "ODbL-1.0",
    "bbox": [-0.1135, 51.5065, -0.0725, 51.5235],
    "building_count": 4210,
    "built_at": "2025-03-01T02:00:00Z",
    "tileset_url": "/tiles/london/tileset.json",
}


class TilesetPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_TILESET_EXAMPLE]})

    name: str = Field(examples=["london"])
    title: str = Field(examples=["City of London"])
    attribution: str = Field(examples=["© OpenStreetMap contributors, ODbL 1.0"])
    licence: str | None = Field(None, examples=["ODbL-1.0"])
    bbox: list[float] | None = Field(
        None,
        description="[west, south, east, north] in degrees",
        examples=[[-0.12, 51.5, -0.09, 51.53]],
    )
    building_count: int
    built_at: datetime
    tileset_url: str = Field(examples=["/tiles/london/tileset.json"])


class TilesetList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [_TILESET_EXAMPLE]}]})

    items: list[TilesetPublic]
