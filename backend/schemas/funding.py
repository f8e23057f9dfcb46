"""Funding and business-support schemes, their filters and "schemes for my organisation"."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.schemas.geometry import AreaIn
from backend.schemas.opportunities import Contact, Money
from backend.schemas.pagination import Page
from backend.schemas.text import WebURL

Language = Literal["en", "et", "hu", "it", "sv"]
LANGUAGES: tuple[Language, ...] = ("en", "et", "hu", "it", "sv")
SchemeKind = Literal["grant", "loan", "guarantee", "equity", "advice", "training"]
SchemeStatus = Literal["draft", "published", "closed"]
EligibleSize = Literal["micro", "small", "medium"]
BusinessStage = Literal["idea", "startup", "growth", "established"]
SectorScheme = Literal["CPV", "NACE"]

#: Sectors, sizes, stages, linked opportunities of one scheme: bounded before any work.
MAX_SECTORS = 50
MAX_LINKS = 50

_SCHEME_TEXT_EXAMPLE: dict[str, Any] = {
    "title": "Bid-ready grant",
    "summary": "Up to £5,000 towards the cost of preparing a first public tender.",
}


class SchemeText(BaseModel):
    """A scheme's title and summary in one language."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": _SCHEME_TEXT_EXAMPLE})

    title: str = Field(min_length=1, max_length=200)
    summary: str = Field("", max_length=5000)


class SectorRef(BaseModel):
    """A sector a scheme is for: a CPV 2008 digit prefix or a NACE Rev. 2 code."""

    model_config = ConfigDict(extra="forbid")

    scheme: SectorScheme = Field(examples=["CPV"])
    code: str = Field(
        min_length=1,
        max_length=10,
        description="CPV: 2-8 leading digits (e.g. 45 = construction work); NACE: a section "
        "letter, division, group or class (F, 43, 43.3, 43.32)",
        examples=["45"],
    )


_SCHEME_EXAMPLE: dict[str, Any] = {
    "kind": "grant",
    "provider": "West Midlands Growth Company",
    "translations": {
        "en": _SCHEME_TEXT_EXAMPLE,
        "it": {"title": "Contributo pronti-per-la-gara", "summary": "Fino a £5.000."},
    },
    "amount_min": 500,
    "amount_max": 5000,
    "currency": "GBP",
    "sizes": ["micro", "small"],
    "sectors": [{"scheme": "CPV", "code": "45"}],
    "stages": ["startup", "growth"],
    "area": None,
    "other_criteria": "Registered in the West Midlands for at least a year.",
    "opens_on": "2025-04-01",
    "closes_on": "2026-03-31",
    "rolling": False,
    "how_to_apply": "Apply online; a decision within four weeks.",
    "apply_url": "https://growth.example.org/bid-ready",
    "contact": {"name": "Business support", "email": "support@growth.example.org"},
    "status": "published",
    "opportunity_ids": [4],
}


class SchemeWrite(BaseModel):
    """Fields shared by create and update; on update only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    kind: SchemeKind | None = None
    provider: str | None = Field(None, min_length=1, max_length=200)
    translations: dict[Language, SchemeText] | None = Field(
        None, description="Title and summary per language; English is required"
    )
    amount_min: Money | None = None
    amount_max: Money | None = None
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    sizes: list[EligibleSize] | None = Field(None, max_length=3, description="[] = any size")
    sectors: list[SectorRef] | None = Field(None, max_length=MAX_SECTORS, description="[] = any")
    stages: list[BusinessStage] | None = Field(None, max_length=4, description="[] = any stage")
    area: AreaIn | None = Field(None, description="Where applicants must be based; null = anywhere")
    other_criteria: str | None = Field(None, max_length=5000)
    opens_on: date | None = None
    closes_on: date | None = None
    rolling: bool | None = Field(None, description="Open all year, no closing date")
    how_to_apply: str | None = Field(None, max_length=5000)
    apply_url: WebURL | None = Field(None, max_length=500)
    contact: Contact | None = None
    status: SchemeStatus | None = None
    opportunity_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] | None = Field(
        None, max_length=MAX_LINKS, description="Work packages to show the scheme beside"
    )


class SchemeCreate(SchemeWrite):
    model_config = ConfigDict(json_schema_extra={"examples": [_SCHEME_EXAMPLE]})

    kind: SchemeKind
    provider: str = Field(min_length=1, max_length=200)
    translations: dict[Language, SchemeText] = Field(
        description="Title and summary per language; English is required"
    )


class SchemeUpdate(SchemeWrite):
    model_config = ConfigDict(json_schema_extra={"examples": [{"closes_on": "2026-06-30"}]})


_SCHEME_PUBLIC_EXAMPLE: dict[str, Any] = {
    "id": 3,
    **_SCHEME_EXAMPLE,
    "open": True,
    "published_at": "2025-04-01T09:00:00Z",
    "created_at": "2025-03-20T10:00:00Z",
    "updated_at": "2025-04-01T09:00:00Z",
}


class SchemePublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": _SCHEME_PUBLIC_EXAMPLE})

    id: int
    kind: SchemeKind
    provider: str
    translations: dict[str, SchemeText]
    amount_min: float | None
    amount_max: float | None
    currency: str
    sizes: list[str]
    sectors: list[SectorRef]
    stages: list[str]
    area: dict[str, Any] | None
    other_criteria: str
    opens_on: date | None
    closes_on: date | None
    rolling: bool
    how_to_apply: str
    apply_url: str | None
    contact: Contact
    status: SchemeStatus
    opportunity_ids: list[int]
    open: bool = Field(description="Open for applications today")
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime


class SchemeList(Page[SchemePublic]):
    """A page of schemes."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [_SCHEME_PUBLIC_EXAMPLE],
                    "total": 1,
                    "limit": 20,
                    "offset": 0,
                    "next": None,
                    "prev": None,
                }
            ]
        }
    )


class SchemeFilters(BaseModel):
    """Directory filters; every one optional, all combined with AND."""

    kind: list[SchemeKind] = []
    size: EligibleSize | None = None
    sector: str | None = Field(None, max_length=12, description="CPV prefix or NACE code")
    stage: BusinessStage | None = None
    open_on: date | None = None
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    q: str | None = Field(None, max_length=200)
    opportunity_id: int | None = None
    provider: str | None = Field(None, max_length=200)


MatchCode = Literal[
    "size", "sector", "area", "anywhere", "any_size", "any_sector", "open", "rolling", "linked"
]


class SchemeMatchReason(BaseModel):
    """Why a scheme fits: a code the UI translates, with its parameters."""

    code: MatchCode = Field(examples=["sector"])
    params: dict[str, str | float | int] = Field(
        default_factory=dict, examples=[{"scheme": "CPV", "code": "45", "yours": "4511"}]
    )


_MATCH_EXAMPLE: dict[str, Any] = {
    "scheme": _SCHEME_PUBLIC_EXAMPLE,
    "score": 0.9,
    "reasons": [
        {"code": "size", "params": {"size": "micro"}},
        {"code": "sector", "params": {"scheme": "CPV", "code": "45", "yours": "4511"}},
        {"code": "open", "params": {"closes_on": "2026-03-31"}},
    ],
}


class SchemeMatch(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": _MATCH_EXAMPLE})

    scheme: SchemePublic
    score: float
    reasons: list[SchemeMatchReason]


class SchemeMatchList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"example": {"items": [_MATCH_EXAMPLE], "total": 1}}
    )

    items: list[SchemeMatch]
    total: int
