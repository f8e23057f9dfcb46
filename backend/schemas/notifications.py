"""Notifications and their preferences: request and response models."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.schemas.pagination import Page

NotificationKind = Literal[
    "new_proposal", "stage_change", "new_document", "reply", "official_response", "closing_soon"
]
Frequency = Literal["immediate", "daily", "weekly", "off"]


class NotificationPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 9,
                    "kind": "new_proposal",
                    "proposal_id": 1,
                    "title": "New proposal in Around my home: Cheapside offices",
                    "body": "A proposal was published in an area you follow.",
                    "link": "http://localhost:8000/#proposal=1",
                    "created_at": "2025-05-01T09:00:00Z",
                    "read": False,
                }
            ]
        }
    )

    id: int
    kind: NotificationKind
    proposal_id: int | None
    title: str
    body: str
    link: str
    created_at: datetime
    read: bool


class NotificationList(Page[NotificationPublic]):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [],
                    "total": 0,
                    "limit": 20,
                    "offset": 0,
                    "next": None,
                    "prev": None,
                    "unread": 0,
                }
            ]
        }
    )

    unread: int = Field(ge=0, description="Unread notifications over all pages")


class PreferenceItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: NotificationKind
    frequency: Frequency


class Preferences(BaseModel):
    """How often each kind is e-mailed (``off``: in the app only). Kinds left out stay."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {"kind": "new_proposal", "frequency": "weekly"},
                        {"kind": "reply", "frequency": "immediate"},
                    ]
                }
            ]
        },
    )

    items: list[PreferenceItem] = Field(max_length=6)


class ReadResult(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"marked": 3, "unread": 0}]})

    marked: int
    unread: int


class UnsubscribeResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"unsubscribed": True, "kinds_off": 6}]}
    )

    unsubscribed: bool
    kinds_off: int
