"""Consultation analytics for planners."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field


class SentimentTopicCount(BaseModel):
    sentiment: str = Field(examples=["objection"])
    topic: str = Field(examples=["traffic"])
    count: int


class DayCount(BaseModel):
    day: date
    count: int


class BuildingCount(BaseModel):
    building_id: str
    name: str | None
    count: int


class Analytics(BaseModel):
    proposal_id: int | None = Field(None, description="None for an area")
    bbox: list[float] | None = Field(None, description="[west, south, east, north] of an area")
    comment_count: int
    by_sentiment: dict[str, int]
    by_sentiment_topic: list[SentimentTopicCount]
    over_time: list[DayCount] = Field(description="Comments per day (UTC)")
    most_discussed_buildings: list[BuildingCount]
    heatmap: dict[str, Any] = Field(
        description="GeoJSON FeatureCollection of grid cells with a `count` of comment anchors"
    )
