"""A contractor's sub-package under a work package it won."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from backend.schemas.opportunities import POINT_EXAMPLE, OpportunityWrite


class SubPackageCreate(OpportunityWrite):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Planting of the podium beds",
                    "cpv_codes": ["77310000-6"],
                    "value_amount": 40000,
                    "currency": "GBP",
                    "tender_end": "2025-08-29T17:00:00Z",
                    "delivery_location": POINT_EXAMPLE,
                    "status": "active",
                }
            ]
        }
    )

    title: str = Field(min_length=1, max_length=200, examples=["Planting of the podium beds"])
    cpv_codes: list[str] = Field(
        min_length=1, max_length=20, description="CPV 2008 codes", examples=[["77310000-6"]]
    )
