"""Proposals: create, update, stage changes, massing and the public views.

Geometry is GeoJSON (RFC 7946, lon/lat WGS 84), checked by :mod:`backend.schemas.geometry`
(sizes, finite positions in range, closed rings, no empty parts), which names the field and the
place in its message; validity in the plane (self-intersection, area) follows in
:func:`backend.schemas.geometry.shape_of`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from backend.schemas.documents import DOCUMENT_EXAMPLE, DocumentPublic
from backend.schemas.examples import SITE_RING
from backend.schemas.geometry import AreaIn, PolygonIn
from backend.schemas.pagination import Page

Stage = Literal["draft", "consultation", "assessment", "decided"]
Decision = Literal["approved", "refused", "withdrawn"]

_BOUNDARY_EXAMPLE: dict[str, Any] = {
    "type": "Polygon",
    "coordinates": [SITE_RING],
}
_SITE_EXAMPLE: dict[str, Any] = {
    "type": "MultiPolygon",
    "coordinates": [_BOUNDARY_EXAMPLE["coordinates"]],
}
_MASSING_EXAMPLE: dict[str, Any] = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "id": 1,
            "geometry": _BOUNDARY_EXAMPLE,
            "properties": {"name": "Tower", "height_m": 36.0, "base_height_m": 0.0, "storeys": 12},
        }
    ],
}
_PLANNER_EXAMPLE: dict[str, Any] = {"id": 3, "display_name": "City Planning Officer"}
_MODEL_EXAMPLE: dict[str, Any] = {
    "lon": -0.0901,
    "lat": 51.5152,
    "height_m": 14.5,
    "heading_deg": 30.0,
    "scale": 1.0,
}
_SUMMARY_EXAMPLE: dict[str, Any] = {
    "id": 1,
    "reference": "24/00123/FULL",
    "title": "Bank Junction Tower",
    "application_type": "full",
    "stage": "consultation",
    "decision": None,
    "site_address": "1 Poultry, London EC2R",
    "site_boundary": _SITE_EXAMPLE,
    "consultation_start": "2025-04-01",
    "consultation_end": "2025-05-13",
    "published_at": "2025-04-01T08:00:00Z",
    "updated_at": "2025-04-02T16:20:00Z",
}
_PUBLIC_EXAMPLE: dict[str, Any] = {
    **_SUMMARY_EXAMPLE,
    "description": "A 12-storey office and residential building replacing 1-3 Poultry.",
    "use_classes_existing": ["E(g)(i)"],
    "use_classes_proposed": ["E(g)(i)", "C3"],
    "dwellings": 48,
    "floor_area_existing_m2": 5200.0,
    "floor_area_proposed_m2": 18400.0,
    "decision_date": None,
    "tileset": "london",
    "replaces": ["osm-way-4012345"],
    "massing": _MASSING_EXAMPLE,
    "massing_tileset_url": "/tiles/proposals/1/tileset.json",
    "model": {**_MODEL_EXAMPLE, "document_id": 13, "url": "/api/v1/documents/13"},
    "documents": [DOCUMENT_EXAMPLE],
    "created_by": _PLANNER_EXAMPLE,
    "created_at": "2025-03-18T10:30:00Z",
}


#: A site boundary (checked by :mod:`backend.schemas.geometry`, the one geometry validator).
Boundary = AreaIn


class _ProposalFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=200, examples=["Bank Junction Tower"])
    description: str | None = Field(None, max_length=20_000)
    application_type: str | None = Field(None, min_length=1, max_length=50, examples=["full"])
    site_address: str | None = Field(None, max_length=300, examples=["1 Poultry, London EC2R"])
    site_boundary: Boundary | None = Field(
        None,
        description="GeoJSON Polygon or MultiPolygon (lon/lat); stored as a MultiPolygon.",
    )
    use_classes_existing: list[str] | None = Field(None, max_length=20, examples=[["E(g)(i)"]])
    use_classes_proposed: list[str] | None = Field(
        None, max_length=20, examples=[["E(g)(i)", "C3"]]
    )
    dwellings: int | None = Field(None, ge=0, le=100_000)
    floor_area_existing_m2: float | None = Field(None, ge=0, le=10_000_000)
    floor_area_proposed_m2: float | None = Field(None, ge=0, le=10_000_000)
    consultation_start: date | None = None
    consultation_end: date | None = None
    decision_date: date | None = None
    tileset: str | None = Field(
        None,
        max_length=100,
        description="City tileset the site sits in; found from the boundary when omitted.",
    )
    replaces: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        None,
        max_length=500,
        description=(
            "building_ids of the tileset's buildings the scheme replaces, when the planner "
            "lists them; omitted: computed from the site boundary (and recomputed when it "
            "changes). Every id must be a building of the proposal's tileset."
        ),
        examples=[["osm-way-4012345"]],
    )

    @model_validator(mode="after")
    def _dates_in_order(self) -> _ProposalFields:
        start, end = self.consultation_start, self.consultation_end
        if start and end and end < start:
            raise ValueError(
                f"consultation_end ({end}) must not be before consultation_start ({start})"
            )
        return self


class ProposalCreate(_ProposalFields):
    """A new proposal; it starts as a draft, visible to planners only."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reference": "24/00123/FULL",
                    "title": "Bank Junction Tower",
                    "application_type": "full",
                    "site_address": "1 Poultry, London EC2R",
                    "site_boundary": _BOUNDARY_EXAMPLE,
                    "use_classes_existing": ["E(g)(i)"],
                    "use_classes_proposed": ["E(g)(i)", "C3"],
                    "dwellings": 48,
                    "consultation_start": "2025-04-01",
                    "consultation_end": "2025-05-13",
                }
            ]
        }
    )

    reference: str = Field(
        min_length=1,
        max_length=50,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9/._-]*$",
        examples=["24/00123/FULL"],
    )
    title: str = Field(min_length=1, max_length=200, examples=["Bank Junction Tower"])


class ProposalUpdate(_ProposalFields):
    """Fields to change; omitted fields stay as they are, `null` clears optional ones."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"title": "Bank Junction Tower (revised)", "dwellings": 52}]
        }
    )


class StageChange(BaseModel):
    """Move a proposal one stage forward (draft → consultation → assessment → decided)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"stage": "consultation"},
                {
                    "stage": "decided",
                    "decision": "approved",
                    "reason": "Approved by the Planning Applications Sub-Committee",
                },
            ]
        },
    )

    stage: Stage = Field(examples=["consultation"])
    decision: Decision | None = Field(
        None, description="Required when moving to `decided`", examples=["approved"]
    )
    reason: str | None = Field(
        None, max_length=2000, examples=["Approved by the Planning Applications Sub-Committee"]
    )


class MassingProperties(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field("", max_length=100, examples=["Tower"])
    height_m: float | None = Field(
        None, gt=0, le=1000, description="Top above ground; from storeys × 3 m when omitted"
    )
    base_height_m: float = Field(0.0, ge=0, le=999)
    storeys: int | None = Field(None, ge=1, le=300)

    @model_validator(mode="after")
    def _height_or_storeys(self) -> MassingProperties:
        if self.height_m is None and self.storeys is None:
            raise ValueError("give height_m or storeys")
        return self


class MassingFeatureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["Feature"]
    geometry: PolygonIn
    properties: MassingProperties
    id: int | str | None = None


class MassingIn(BaseModel):
    """A proposal's massing as a GeoJSON FeatureCollection of polygons with heights."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": _BOUNDARY_EXAMPLE,
                        "properties": {"name": "Tower", "storeys": 12},
                    }
                ],
            }
        },
    )

    type: Literal["FeatureCollection"]
    features: list[MassingFeatureIn] = Field(max_length=200)


class ModelPlacement(BaseModel):
    """Where a glb model stands: its origin at lon/lat/height, turned by heading, scaled."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_MODEL_EXAMPLE]})

    lon: float = Field(ge=-180, le=180, examples=[-0.09])
    lat: float = Field(ge=-90, le=90, examples=[51.515])
    height_m: float = Field(0.0, ge=-500, le=9000, description="Metres above the ellipsoid")
    heading_deg: float = Field(0.0, ge=0, lt=360, description="Clockwise from north")
    scale: float = Field(1.0, gt=0, le=1000)


class ModelPublic(ModelPlacement):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{**_MODEL_EXAMPLE, "document_id": 13, "url": "/api/v1/documents/13"}]
        }
    )

    document_id: int
    url: str = Field(description="Where to fetch the glb")


class UserRef(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_PLANNER_EXAMPLE]})

    id: int
    display_name: str


class ProposalSummary(BaseModel):
    """A proposal in a list."""

    model_config = ConfigDict(json_schema_extra={"examples": [_SUMMARY_EXAMPLE]})

    id: int
    reference: str
    title: str
    application_type: str
    stage: Stage
    decision: Decision | None
    site_address: str
    site_boundary: dict[str, Any] | None = Field(description="GeoJSON MultiPolygon")
    consultation_start: date | None
    consultation_end: date | None
    published_at: datetime | None
    updated_at: datetime


class ProposalPublic(ProposalSummary):
    """A proposal with its massing, model, documents and the city buildings it replaces."""

    model_config = ConfigDict(json_schema_extra={"examples": [_PUBLIC_EXAMPLE]})

    description: str
    use_classes_existing: list[str]
    use_classes_proposed: list[str]
    dwellings: int | None
    floor_area_existing_m2: float | None
    floor_area_proposed_m2: float | None
    decision_date: date | None
    tileset: str | None
    replaces: list[str] = Field(
        description="building_ids of the tileset's buildings the scheme replaces (hide them)"
    )
    massing: dict[str, Any] = Field(
        description="GeoJSON FeatureCollection; properties name, height_m, base_height_m, storeys"
    )
    massing_tileset_url: str | None = Field(
        description="3D Tiles of the massing (same mesher as the city), null without massing"
    )
    model: ModelPublic | None
    documents: list[DocumentPublic]
    created_by: UserRef | None
    created_at: datetime


class ProposalList(Page[ProposalSummary]):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [_SUMMARY_EXAMPLE],
                    "total": 51,
                    "limit": 50,
                    "offset": 0,
                    "next": "http://localhost:8000/api/v1/proposals?limit=50&offset=50",
                }
            ]
        }
    )


_HISTORY_EXAMPLE: dict[str, Any] = {
    "at": "2025-04-01T08:00:00Z",
    "from_stage": "draft",
    "to_stage": "consultation",
    "decision": None,
    "by": _PLANNER_EXAMPLE,
    "reason": None,
}


class StageHistoryEntry(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_HISTORY_EXAMPLE]})

    at: datetime
    from_stage: Stage | None
    to_stage: Stage
    decision: Decision | None
    by: UserRef | None
    reason: str | None


class StageHistory(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [_HISTORY_EXAMPLE]}]})

    items: list[StageHistoryEntry]
