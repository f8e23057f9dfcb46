"""Opportunities (work packages of a development), their discovery filters and interest."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from backend.schemas.geometry import LocationIn
from backend.schemas.pagination import Page

OpportunityStatus = Literal["planning", "planned", "active", "cancelled", "complete"]
SocialValue = Literal[
    "local_employment", "buy_local", "green", "apprenticeships", "community", "fair_work"
]
SortKey = Literal["closing", "-closing", "distance", "value", "-value", "newest"]

#: The largest amount of money stored: the columns are NUMERIC(14, 2).
MAX_MONEY = 999_999_999_999.99
#: An amount of money: finite (no Infinity/NaN, which JSON parsers accept), 0..MAX_MONEY.
Money = Annotated[float, Field(ge=0, le=MAX_MONEY, allow_inf_nan=False)]

#: Values of one repeatable filter (``cpv``, ``status``): enough for any real search, few
#: enough that a URL with thousands of repeats is refused before any work.
MAX_FILTER_VALUES = 50
#: A CPV code ("45112710-5") or digit prefix ("4511") as a filter.
CPVFilter = Annotated[str, StringConstraints(min_length=1, max_length=12)]

#: A GeoJSON geometry (RFC 7946, lon/lat WGS 84).
GeoJSONGeometry = dict[str, Any]

POINT_EXAMPLE: dict[str, Any] = {"type": "Point", "coordinates": [-0.0983, 51.5203]}

_CONTACT_EXAMPLE: dict[str, Any] = {
    "name": "Procurement team",
    "email": "procurement@example.org",
    "phone": "+44 20 7946 0000",
}
_OPPORTUNITY_EXAMPLE: dict[str, Any] = {
    "id": 4,
    "ocid": "ocds-civictwin-opp-4",
    "proposal_id": 1,
    "proposal_reference": "24/00123/FULL",
    "proposal_title": "Bank Junction Tower",
    "parent_id": None,
    "title": "Landscaping works",
    "description": "Soft landscaping and planting of the podium garden, about 1,200 m².",
    "cpv": [
        {
            "code": "45112710-5",
            "labels": {"en": "Landscaping work for green areas"},
        }
    ],
    "value": {"amount": 250000.0, "min": None, "max": None, "currency": "GBP"},
    "sme_suitable": True,
    "tender_period": {"start": "2025-05-01T09:00:00Z", "end": "2025-06-13T17:00:00Z"},
    "contract_period": {"start": "2025-09-01", "end": "2026-03-31"},
    "delivery_location": POINT_EXAMPLE,
    "status": "active",
    "social_value": ["local_employment", "green"],
    "contact": _CONTACT_EXAMPLE,
    "documents": [
        {
            "id": 14,
            "title": "Landscape specification",
            "filename": "landscape-specification.pdf",
            "content_type": "application/pdf",
            "size_bytes": 96512,
        }
    ],
    "published_at": "2025-05-01T09:00:00Z",
    "created_at": "2025-04-28T11:20:00Z",
    "updated_at": "2025-05-01T09:00:00Z",
    "distance_km": 1.8,
}
_INTEREST_EXAMPLE: dict[str, Any] = {
    "id": 17,
    "opportunity_id": 4,
    "organisation_id": 8,
    "organisation_name": "Barbican Gardens Ltd",
    "message": "We planted the Barbican podium beds in 2023 and can start in September.",
    "withdrawn": False,
    "created_at": "2025-05-06T14:30:00Z",
    "updated_at": "2025-05-06T14:30:00Z",
}
_INTEREST_FOR_PUBLISHER_EXAMPLE: dict[str, Any] = {
    **_INTEREST_EXAMPLE,
    "organisation_size": "small",
    "organisation_sectors": ["4511", "77310000"],
    "organisation_website": "https://gardens.example.org",
    "contact_name": "Priya Shah",
    "contact_email": "priya@gardens.example.org",
}


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_CONTACT_EXAMPLE]})

    name: str | None = Field(None, max_length=200, examples=["Procurement team"])
    email: str | None = Field(None, max_length=320, examples=["procurement@example.org"])
    phone: str | None = Field(None, max_length=50, examples=["+44 20 7946 0000"])


class OpportunityWrite(BaseModel):
    """Fields shared by create and update."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=200, examples=["Landscaping works"])
    description: str | None = Field(None, max_length=20000)
    cpv_codes: list[str] | None = Field(
        None,
        min_length=1,
        max_length=20,
        description="CPV 2008 codes, with or without check digit",
        examples=[["45112710-5"]],
    )
    value_amount: Money | None = Field(None, examples=[250000])
    value_min: Money | None = None
    value_max: Money | None = None
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", examples=["GBP"])
    sme_suitable: bool | None = None
    tender_start: datetime | None = None
    tender_end: datetime | None = Field(None, description="Closing date of the tender")
    contract_start: date | None = None
    contract_end: date | None = None
    delivery_location: LocationIn | None = Field(
        None, description="Point or (Multi)Polygon, GeoJSON lon/lat", examples=[POINT_EXAMPLE]
    )
    status: OpportunityStatus | None = None
    social_value: list[SocialValue] | None = Field(None, examples=[["local_employment", "green"]])
    contact: Contact | None = None


class OpportunityCreate(OpportunityWrite):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "proposal_id": 1,
                    "title": "Landscaping works",
                    "cpv_codes": ["45112710-5"],
                    "value_amount": 250000,
                    "currency": "GBP",
                    "sme_suitable": True,
                    "tender_end": "2025-06-13T17:00:00Z",
                    "delivery_location": POINT_EXAMPLE,
                    "status": "active",
                    "social_value": ["local_employment", "green"],
                    "contact": _CONTACT_EXAMPLE,
                }
            ]
        }
    )

    proposal_id: int = Field(examples=[1])
    title: str = Field(min_length=1, max_length=200, examples=["Landscaping works"])
    cpv_codes: list[str] = Field(
        min_length=1, max_length=20, description="CPV 2008 codes", examples=[["45112710-5"]]
    )


class OpportunityUpdate(OpportunityWrite):
    """Only the fields sent are changed; send ``null`` to clear an optional field."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"tender_end": "2025-06-27T17:00:00Z", "value_max": 300000}]
        }
    )


class CpvLabelled(BaseModel):
    code: str = Field(examples=["45112710-5"])
    labels: dict[str, str] = Field(
        examples=[{"en": "Landscaping work for green areas", "it": "Lavori di architettura..."}]
    )


class Value(BaseModel):
    amount: float | None
    min: float | None
    max: float | None
    currency: str


class Period(BaseModel):
    start: datetime | date | None
    end: datetime | date | None


class DocumentRef(BaseModel):
    id: int
    title: str
    filename: str
    content_type: str
    size_bytes: int


class OpportunityPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_OPPORTUNITY_EXAMPLE]})

    id: int
    ocid: str = Field(examples=["ocds-civictwin-opp-1"])
    proposal_id: int
    proposal_reference: str
    proposal_title: str
    parent_id: int | None = Field(
        None,
        description="A sub-package's parent work package (posted by the contractor that won it)",
    )
    title: str
    description: str
    cpv: list[CpvLabelled]
    value: Value
    sme_suitable: bool
    tender_period: Period
    contract_period: Period
    delivery_location: GeoJSONGeometry | None
    status: OpportunityStatus
    social_value: list[str]
    contact: Contact
    documents: list[DocumentRef]
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    distance_km: float | None = Field(
        None, description="Geodesic distance from the query point (0 inside a polygon)"
    )


class OpportunityList(Page[OpportunityPublic]):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [_OPPORTUNITY_EXAMPLE],
                    "total": 1,
                    "limit": 20,
                    "offset": 0,
                    "next": None,
                    "prev": None,
                }
            ]
        }
    )


class OpportunityFilters(BaseModel):
    """The discovery filters; also what a saved search stores."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"cpv": ["4511"], "lon": -0.0983, "lat": 51.5203, "radius_km": 5}]
        },
    )

    cpv: list[CPVFilter] = Field(
        default_factory=list,
        max_length=MAX_FILTER_VALUES,
        description="CPV codes or digit prefixes; each matches its subtree",
        examples=[["4511", "45210000-2"]],
    )
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    radius_km: float | None = Field(None, gt=0, le=20000)
    min_value: Money | None = None
    max_value: Money | None = None
    status: list[OpportunityStatus] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    closing_after: datetime | None = None
    closing_before: datetime | None = None
    sme_suitable: bool | None = None
    q: str | None = Field(None, max_length=200, description="Free text in title and description")
    proposal_id: int | None = None


class MatchReason(BaseModel):
    """Why an opportunity matches: ``kind`` is the code a UI translates with ``params``
    (sector: ``cpv``, ``prefix``; distance: ``distance_km``, ``radius_km``; sme: none);
    ``detail`` says it in English."""

    kind: Literal["sector", "distance", "sme"]
    detail: str = Field(examples=["CPV 45112710-5 is in your sector 4511 (Site preparation work)"])
    params: dict[str, str | float] = Field(
        default_factory=dict, examples=[{"cpv": "45112710-5", "prefix": "4511"}]
    )


class Match(BaseModel):
    opportunity: OpportunityPublic
    score: float = Field(ge=0, le=1, description="Higher is better")
    reasons: list[MatchReason]


class MatchList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "opportunity": _OPPORTUNITY_EXAMPLE,
                            "score": 0.86,
                            "reasons": [
                                {
                                    "kind": "sector",
                                    "detail": "CPV 45112710-5 (Landscaping work for green "
                                    "areas) is in your sector 4511",
                                    "params": {"cpv": "45112710-5", "prefix": "4511"},
                                },
                                {
                                    "kind": "distance",
                                    "detail": "1.8 km from your base, within your 30 km "
                                    "service radius",
                                    "params": {"distance_km": 1.8, "radius_km": 30},
                                },
                                {
                                    "kind": "sme",
                                    "detail": "marked as suitable for SMEs",
                                    "params": {},
                                },
                            ],
                        }
                    ],
                    "total": 1,
                }
            ]
        }
    )

    items: list[Match]
    total: int


class InterestWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field("", max_length=5000, examples=["We did the landscaping of ..."])


class InterestPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_INTEREST_EXAMPLE]})

    id: int
    opportunity_id: int
    organisation_id: int
    organisation_name: str
    message: str
    withdrawn: bool
    created_at: datetime
    updated_at: datetime


class InterestForPublisher(InterestPublic):
    """What the publishing planner sees: the organisation and who to contact."""

    model_config = ConfigDict(json_schema_extra={"examples": [_INTEREST_FOR_PUBLISHER_EXAMPLE]})

    organisation_size: str
    organisation_sectors: list[str]
    organisation_website: str | None
    contact_name: str | None
    contact_email: str | None


class InterestList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [_INTEREST_FOR_PUBLISHER_EXAMPLE], "total": 1}]}
    )

    items: list[InterestForPublisher]
    total: int
