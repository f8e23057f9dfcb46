"""Grants awarded under a funding scheme (exported as 360Giving)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from backend.schemas.opportunities import Money

_GRANT_EXAMPLE: dict[str, Any] = {
    "id": 5,
    "scheme_id": 3,
    "organisation_id": 8,
    "organisation_name": "Barbican Gardens Ltd",
    "amount": 4500.0,
    "currency": "GBP",
    "awarded_on": "2025-06-02",
    "title": "Bid-ready grant: first tender",
}


class GrantCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"organisation_id": 8, "amount": 4500, "awarded_on": "2025-06-02"}]
        },
    )

    organisation_id: int = Field(ge=1, le=2**31 - 1)
    amount: Money
    currency: str = Field("GBP", pattern=r"^[A-Z]{3}$")
    awarded_on: date
    title: str | None = Field(None, max_length=200)


class GrantPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": _GRANT_EXAMPLE})

    id: int
    scheme_id: int
    organisation_id: int
    organisation_name: str
    amount: float
    currency: str
    awarded_on: date
    title: str
