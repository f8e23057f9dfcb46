"""Awards of work packages to suppliers, and the supply-chain KPIs built on them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.schemas.opportunities import Money

SupplierSize = Literal["micro", "small", "medium", "large"]

_AWARD_EXAMPLE: dict[str, Any] = {
    "id": 2,
    "opportunity_id": 4,
    "proposal_id": 1,
    "supplier_id": 8,
    "supplier_name": "Barbican Gardens Ltd",
    "supplier_size": "small",
    "value_amount": 240000.0,
    "currency": "GBP",
    "awarded_on": "2025-07-15",
    "created_at": "2025-07-15T10:00:00Z",
}


class AwardCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "supplier_id": 8,
                    "value_amount": 240000,
                    "currency": "GBP",
                    "awarded_on": "2025-07-15",
                }
            ]
        },
    )

    supplier_id: int = Field(ge=1, le=2**31 - 1, description="The supplier's organisation")
    value_amount: Money
    currency: str = Field("GBP", pattern=r"^[A-Z]{3}$")
    awarded_on: date
    supplier_size: SupplierSize | None = Field(
        None, description="The supplier's size at the award; the profile's size if left out"
    )


class AwardPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": _AWARD_EXAMPLE})

    id: int
    opportunity_id: int
    proposal_id: int
    supplier_id: int
    supplier_name: str
    supplier_size: SupplierSize
    value_amount: float
    currency: str
    awarded_on: date
    created_at: datetime


class Kpis(BaseModel):
    """Supply-chain outcomes of one development or of the whole city."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "proposal_id": None,
                "currency": "GBP",
                "local_radius_km": 30.0,
                "work_packages": 12,
                "awarded_work_packages": 5,
                "awards": 5,
                "awarded_value": 1250000.0,
                "sme_value": 500000.0,
                "local_sme_value": 240000.0,
                "sme_share": 0.4,
                "local_sme_share": 0.192,
                "sme_awards": 3,
                "smes_engaged": 9,
                "interest_registrations": 14,
                "median_days_to_award": 42.0,
                "by_size": {"micro": 0.0, "small": 240000.0, "medium": 260000.0, "large": 750000.0},
            }
        }
    )

    proposal_id: int | None = Field(description="The development, or null for city-wide")
    currency: str | None = Field(description="Currency of the values (null if mixed or none)")
    local_radius_km: float
    work_packages: int
    awarded_work_packages: int
    awards: int
    awarded_value: float
    sme_value: float = Field(description="Won by micro, small and medium suppliers")
    local_sme_value: float = Field(description="Won by SMEs based within the local radius")
    sme_share: float | None = Field(
        description="sme_value / awarded_value, null if nothing awarded"
    )
    local_sme_share: float | None
    sme_awards: int
    smes_engaged: int = Field(description="Distinct SMEs with an active interest registration")
    interest_registrations: int
    median_days_to_award: float | None = Field(
        description="Median days from the tender's close (else publication) to the award"
    )
    by_size: dict[str, float] = Field(description="Awarded value by supplier size")
