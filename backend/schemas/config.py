"""What the viewer needs to start: base layers, home view, default tileset."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Imagery(BaseModel):
    type: Literal["natural-earth", "xyz", "wmts"] = Field(
        description="`natural-earth`: the offline imagery shipped with the viewer"
    )
    url: str | None = None
    layer: str | None = None
    credit: str = ""


class Home(BaseModel):
    lon: float = Field(examples=[-0.103])
    lat: float = Field(examples=[51.517])
    height: float = Field(description="metres above the ellipsoid", examples=[1800.0])


class ViewerConfig(BaseModel):
    imagery: Imagery
    terrain_url: str | None = None
    default_tileset: str = Field(examples=["london"])
    home: Home
    attribution: str = Field(examples=["© OpenStreetMap contributors, ODbL 1.0"])
    time_zone: str = Field(
        description="IANA time zone of the sites: the sun study's clock times are read there",
        examples=["Europe/London"],
    )
