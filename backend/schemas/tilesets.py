"""City tilesets built by the pipeline and served under ``/tiles/<name>/``."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class TilesetPublic(BaseModel):
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
    items: list[TilesetPublic]
