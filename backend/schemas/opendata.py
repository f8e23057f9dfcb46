"""The open-data catalogue: where each public data set can be downloaded or queried."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Download(BaseModel):
    """One public data set in one format."""

    dataset: str = Field(examples=["comments"], description="proposals, comments or opportunities")
    format: str = Field(examples=["geojson"], description="csv or geojson")
    url: str = Field(examples=["/api/v1/opendata/comments.geojson"])


class Catalogue(BaseModel):
    """The open data on offer, its licence, and the APIs that serve the same data."""

    licence: str = Field(examples=["https://creativecommons.org/publicdomain/zero/1.0/"])
    downloads: list[Download]
    ogc_api: str = Field(examples=["/ogc"], description="OGC API - Features landing page")
    ocds: str = Field(
        examples=["/api/v1/opportunities/release-package.json"],
        description="OCDS 1.1 release package of every public opportunity",
    )
