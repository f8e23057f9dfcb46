"""Approved schemes applied to the city tileset: the job and what it did."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.schemas.pagination import Page

ChangeState = Literal["queued", "running", "applied", "failed", "reverted"]

CITY_CHANGE_EXAMPLE: dict[str, Any] = {
    "id": 3,
    "proposal_id": 12,
    "proposal_reference": "24/00012/FULL",
    "tileset": "london",
    "state": "applied",
    "requested_by_id": 2,
    "created_at": "2026-12-02T09:00:00Z",
    "started_at": "2026-12-02T09:00:00Z",
    "finished_at": "2026-12-02T09:00:01Z",
    "tiles": ["content/0_0_0.change-3.glb", "content/1_1_0.change-3.glb"],
    "removed_tiles": ["content/0_0_0.glb", "content/1_1_0.glb"],
    "replaced": ["london:way/174644941"],
    "added": ["massing:41"],
    "seconds": 0.09,
    "error": None,
    "reverted_by_id": None,
    "reverted_at": None,
    "tileset_url": "/tiles/london/tileset.json",
}


class CityChangePublic(BaseModel):
    """A proposal's scheme applied to its city tileset: state and what changed."""

    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [CITY_CHANGE_EXAMPLE]}
    )

    id: int
    proposal_id: int | None = Field(description="None once the proposal is deleted")
    proposal_reference: str
    tileset: str = Field(examples=["london"])
    state: ChangeState = Field(
        description="queued → running → applied or failed; applied → reverted"
    )
    requested_by_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    tiles: list[str] = Field(description="Content files written (paths in the tileset)")
    removed_tiles: list[str] = Field(description="Content files the change took out")
    replaced: list[str] = Field(description="Building ids taken out of the city")
    added: list[str] = Field(description="Building ids put in (the scheme's blocks)")
    seconds: float | None = Field(description="How long applying took")
    error: str | None = Field(description="Why it failed (state failed)")
    reverted_by_id: int | None
    reverted_at: datetime | None
    tileset_url: str = Field(examples=["/tiles/london/tileset.json"])


class CityChangeList(Page[CityChangePublic]):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"items": [CITY_CHANGE_EXAMPLE], "total": 1, "limit": 50, "offset": 0}]
        }
    )
