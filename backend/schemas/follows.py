"""Following a proposal or an area: request and response models.

An area is a drawn Polygon or a circle (a point and a radius in metres). Both are bounded: an
area follow may cover at most :data:`MAX_AREA_KM2` and a radius be at most :data:`MAX_RADIUS_M`
(the service checks the area geodesically and names the figure).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from backend.schemas.examples import SITE_RING
from backend.schemas.geometry import PointIn, PolygonIn

MAX_AREA_KM2 = 100.0
MAX_RADIUS_M = 5_000.0
MAX_FOLLOWS_PER_ACCOUNT = 200
_AREA: dict[str, Any] = {"type": "Polygon", "coordinates": [SITE_RING]}


class FollowCreate(BaseModel):
    """Exactly one of ``proposal_id``, ``area`` or ``point`` + ``radius_m``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"proposal_id": 1},
                {
                    "label": "Around my home",
                    "point": {"type": "Point", "coordinates": [-0.095, 51.515]},
                    "radius_m": 500,
                },
                {"label": "Barbican", "area": _AREA},
            ]
        },
    )

    proposal_id: int | None = Field(None, ge=1, le=2**31 - 1)
    label: str = Field("", max_length=200)
    area: PolygonIn | None = None
    point: PointIn | None = None
    radius_m: float | None = Field(None, gt=0, le=MAX_RADIUS_M)

    @model_validator(mode="after")
    def _one_target(self) -> FollowCreate:
        given = [n for n in ("proposal_id", "area", "point") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of proposal_id, area, or point with radius_m "
                f"(got {', '.join(given) or 'none'})"
            )
        if self.point is not None and self.radius_m is None:
            raise ValueError("radius_m: required with point")
        if self.point is None and self.radius_m is not None:
            raise ValueError("radius_m: only allowed with point")
        return self


class FollowPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 5,
                    "proposal_id": None,
                    "label": "Around my home",
                    "area": _AREA,
                    "center": {"type": "Point", "coordinates": [-0.095, 51.515]},
                    "radius_m": 500.0,
                    "area_km2": 0.78,
                    "created_at": "2025-05-01T09:00:00Z",
                }
            ]
        }
    )

    id: int
    proposal_id: int | None
    label: str
    area: dict[str, Any] | None = Field(description="GeoJSON Polygon followed (a circle's too)")
    center: dict[str, Any] | None
    radius_m: float | None
    area_km2: float | None
    created_at: datetime
