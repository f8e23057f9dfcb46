"""Health report."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class DatabaseHealth(BaseModel):
    engine: Literal["spatialite", "postgis"] = Field(examples=["spatialite"])
    server_version: str = Field(examples=["SQLite 3.50.4"])
    spatial_version: str = Field(examples=["SpatiaLite 5.0.1"])
    revision: str | None = Field(description="Alembic revision of the schema", examples=["0001"])
    head: str = Field(description="Newest revision this code knows", examples=["0001"])
    up_to_date: bool


class Health(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "ok",
                    "version": "0.1.0",
                    "database": {
                        "engine": "postgis",
                        "server_version": "PostgreSQL 16.4",
                        "spatial_version": "PostGIS 3.4.2",
                        "revision": "0001",
                        "head": "0001",
                        "up_to_date": True,
                    },
                }
            ]
        }
    )

    status: Literal["ok", "degraded"]
    version: str
    database: DatabaseHealth
