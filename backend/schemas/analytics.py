"""Consultation analytics for planners."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "proposal_id": 1,
                    "bbox": None,
                    "comment_count": 37,
                    "by_sentiment": {"objection": 21, "neutral": 9, "supportive": 7},
                    "by_sentiment_topic": [
                        {"sentiment": "objection", "topic": "light", "count": 14},
                        {"sentiment": "supportive", "topic": "design", "count": 5},
                    ],
                    "over_time": [
                        {"day": "2025-04-01", "count": 11},
                        {"day": "2025-04-02", "count": 26},
                    ],
                    "most_discussed_buildings": [
                        {"building_id": "osm-way-4012345", "name": "Tower", "count": 18}
                    ],
                    "heatmap": {
                        "type": "FeatureCollection",
                        "features": [
                            {
                                "type": "Feature",
                                "geometry": {
                                    "type": "Polygon",
                                    "coordinates": [
                                        [
                                            [-0.0904, 51.5150],
                                            [-0.0900, 51.5150],
                                            [-0.0900, 51.5152],
                                            [-0.0904, 51.5152],
                                            [-0.0904, 51.5150],
                                        ]
                                    ],
                                },
                                "properties": {"count": 9},
                            }
                        ],
                    },
                }
            ]
        }
    )

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
