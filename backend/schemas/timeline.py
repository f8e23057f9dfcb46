"""A proposal's public timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

TimelineKind = Literal["created", "stage", "document", "variant", "decision", "report", "response"]


class TimelineEntry(BaseModel):
    at: datetime
    kind: TimelineKind
    title: str
    detail: str | None = Field(None, description="e.g. the stage change's or decision's reason")
    stage: str | None = None
    document_id: int | None = None
    variant_id: int | None = None


class Timeline(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "proposal_id": 1,
                    "items": [
                        {
                            "at": "2025-04-01T09:00:00Z",
                            "kind": "stage",
                            "title": "Consultation opened",
                            "detail": None,
                            "stage": "consultation",
                            "document_id": None,
                            "variant_id": None,
                        }
                    ],
                }
            ]
        }
    )

    proposal_id: int
    items: list[TimelineEntry] = Field(description="Oldest first")
