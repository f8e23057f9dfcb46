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
    oc4ids: str = Field(
        "/api/v1/oc4ids/project-package.json",
        examples=["/api/v1/oc4ids/project-package.json"],
        description="OC4IDS 0.9 project package: each proposal with procurement and its contracts",
    )
    grants_360giving: str = Field(
        "/api/v1/grants/360giving.json",
        examples=["/api/v1/grants/360giving.json"],
        description="360Giving package of the grants awarded under funding schemes",
    )
    sme_kpis: str = Field(
        "/api/v1/awards/kpis.csv",
        examples=["/api/v1/awards/kpis.csv"],
        description="Supply-chain KPIs (SME and local-SME shares of awarded value) as CSV",
    )
