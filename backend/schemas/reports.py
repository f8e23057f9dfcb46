"""Consultation reports: what a report counted and where its files are."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ConsultationReportPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "proposal_id": 1,
                    "trigger": "close",
                    "counts": {"comments": 40, "supportive": 10, "neutral": 5, "objection": 25},
                    "html_document_id": 12,
                    "csv_document_id": 13,
                    "html_url": "/api/v1/documents/12",
                    "csv_url": "/api/v1/documents/13",
                    "created_at": "2025-05-10T00:00:00Z",
                }
            ]
        }
    )

    id: int
    proposal_id: int
    trigger: Literal["close", "on_demand"]
    counts: dict[str, Any] = Field(description="The figures the report shows")
    html_document_id: int | None
    csv_document_id: int | None
    html_url: str | None
    csv_url: str | None
    created_at: datetime


class ConsultationReportList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": []}]})

    items: list[ConsultationReportPublic]
