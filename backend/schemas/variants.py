"""Design variants of a proposal and the preferences people state between them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from backend.schemas.proposals import MassingIn, ModelPublic
from backend.schemas.text import visible_text_problem

MIN_VARIANTS = 2
MAX_VARIANTS = 4


def _visible(value: str) -> str:
    problem = visible_text_problem(value) if value else None
    if problem:
        raise ValueError(problem)
    return value.strip()


class VariantCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "B: lower west block", "description": "Seven storeys."}]
        },
    )

    name: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=5_000)
    massing: MassingIn | None = Field(None, description="The variant's blocks, as for massing")
    model_document_id: int | None = Field(
        None, ge=1, le=2**31 - 1, description="A glb model document of this proposal"
    )

    _name = field_validator("name", "description")(_visible)


class VariantUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"description": "Six storeys."}]}
    )

    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=5_000)
    massing: MassingIn | None = None

    @field_validator("name", "description")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return None if value is None else _visible(value)


class VariantPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 2,
                    "proposal_id": 1,
                    "name": "B: lower west block",
                    "description": "Seven storeys.",
                    "position": 1,
                    "massing": None,
                    "model_document_id": None,
                    "model": None,
                    "preferences": 12,
                    "comments": 30,
                    "created_at": "2025-05-01T09:00:00Z",
                }
            ]
        }
    )

    id: int
    proposal_id: int
    name: str
    description: str
    position: int
    massing: dict[str, Any] | None = Field(description="GeoJSON FeatureCollection of blocks")
    model_document_id: int | None
    model: ModelPublic | None = Field(
        description="The variant's glb model as placed (where to fetch it), if it has one"
    )
    preferences: int = Field(description="Accounts preferring this variant")
    comments: int = Field(description="Published comments naming this variant")
    created_at: datetime


class VariantList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"items": [], "my_preference": None, "total_preferences": 0}]
        }
    )

    items: list[VariantPublic]
    my_preference: int | None = Field(description="The caller's preferred variant id, if any")
    total_preferences: int


class PreferenceSet(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"variant_id": 2}]})

    variant_id: int = Field(ge=1, le=2**31 - 1)
