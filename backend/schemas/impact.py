"""Impact studies of proposals: job status, the summary as codes and numbers, viewpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from backend.schemas.text import visible_text_problem

JobStatus = Literal["queued", "running", "done", "failed", "superseded"]
Analysis = Literal["vsc", "apsh", "ground", "visibility"]
#: Landmark building ids per viewpoint, and their length.
MAX_LANDMARKS = 20


def _plain(value: str) -> str:
    problem = visible_text_problem(value)
    if problem:
        raise ValueError(problem)
    return value.strip()


JOB_EXAMPLE: dict[str, Any] = {
    "id": 7,
    "proposal_id": 1,
    "variant_id": None,
    "status": "running",
    "reason": "massing",
    "progress": 35,
    "stage": "apsh",
    "error": None,
    "created_at": "2025-03-18T10:42:00Z",
    "started_at": "2025-03-18T10:42:01Z",
    "finished_at": None,
}
FACTS_EXAMPLE: list[dict[str, Any]] = [
    {"code": "vsc", "failing": 14, "points": 212, "buildings": 4},
    {"code": "apsh", "failing": 3, "points": 96, "buildings": 2},
    {
        "code": "ground",
        "area": "open ground",
        "radius_m": 357,
        "after_pct": 61,
        "before_pct": 78,
        "adverse": False,
    },
    {"code": "visibility", "seen_pct": 42},
    {"code": "view", "name": "St Paul's from Fleet Street", "scheme_pct": 3.2},
    {"code": "grid"},
]


class ImpactJobPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [JOB_EXAMPLE]})

    id: int
    proposal_id: int
    variant_id: int | None = Field(description="The design variant studied; null: the scheme")
    status: JobStatus
    reason: str = Field(description="requested, massing, model or published")
    progress: int = Field(ge=0, le=100, description="Percent done (the stage that started)")
    stage: str | None = Field(description="scene, vsc, apsh, ground, visibility, done")
    error: str | None = Field(description="Why it failed, when it did")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ImpactFact(BaseModel):
    """One sentence of the summary as a code and its numbers (the UI words it)."""

    model_config = ConfigDict(extra="allow")

    code: str = Field(description="vsc, apsh, ground, visibility, view or grid")


class ImpactResultSummary(BaseModel):
    job_id: int
    computed_at: datetime | None
    current: bool = Field(description="False while a newer study of the proposal is on its way")
    facts: list[ImpactFact]
    sentences: list[str] = Field(description="The same in English")
    seconds: float
    counts: dict[str, int] = Field(description="Points per analysis")


STATUS_EXAMPLE: dict[str, Any] = {
    "job": JOB_EXAMPLE,
    "result": {
        "job_id": 6,
        "computed_at": "2025-03-18T09:12:40Z",
        "current": False,
        "facts": FACTS_EXAMPLE,
        "sentences": ["14 of 212 façade points on 4 buildings fail the daylight (VSC) test: …"],
        "seconds": 36.4,
        "counts": {"vsc": 212, "apsh": 96, "ground": 4800, "visibility": 640},
    },
    "links": {
        "points": "/api/v1/proposals/1/impact/points?analysis=vsc",
        "buildings": "/api/v1/proposals/1/impact/buildings",
        "report": "/api/v1/proposals/1/impact/report",
        "csv": "/api/v1/proposals/1/impact/csv",
    },
}


class ImpactStatus(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [STATUS_EXAMPLE]})

    job: ImpactJobPublic | None = Field(description="The latest study asked for")
    result: ImpactResultSummary | None = Field(description="The latest study finished")
    links: dict[str, str]


BUILDING_EXAMPLE: dict[str, Any] = {
    "building_id": "buildings:w159925752",
    "facade_points": 12,
    "vsc_mean_before": 31.2,
    "vsc_mean_after": 24.8,
    "vsc_adverse_points": 5,
    "apsh_adverse_points": 1,
    "shadow_hours_before": {"march": 2.5, "june": 1.0, "december": 6.0},
    "shadow_hours_after": {"march": 4.0, "june": 2.5, "december": 7.5},
}


class ImpactBuilding(BaseModel):
    building_id: str
    facade_points: int
    vsc_mean_before: float | None
    vsc_mean_after: float | None
    vsc_adverse_points: int
    apsh_adverse_points: int
    shadow_hours_before: dict[str, float | None]
    shadow_hours_after: dict[str, float | None]


class ImpactBuildingList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [BUILDING_EXAMPLE]}]})

    items: list[ImpactBuilding]


Lon = Annotated[float, Field(ge=-180, le=180)]
Lat = Annotated[float, Field(ge=-90, le=90)]
HeightM = Annotated[float, Field(ge=-500, le=9000)]

VIEWPOINT_IN_EXAMPLE: dict[str, Any] = {
    "name": "St Paul's from Fleet Street",
    "eye": [-0.1065, 51.5141, 49.0],
    "target": [-0.0984, 51.5138, 110.0],
    "landmark_ids": ["buildings:w369161987"],
    "fov_deg": 30.0,
    "city_wide": True,
}


class ViewpointIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [VIEWPOINT_IN_EXAMPLE]}
    )

    name: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_plain)]
    eye: tuple[Lon, Lat, HeightM] = Field(description="lon, lat, height above the ellipsoid (m)")
    target: tuple[Lon, Lat, HeightM]
    landmark_ids: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=MAX_LANDMARKS
    )
    fov_deg: float = Field(30.0, ge=5, le=90)
    city_wide: bool = Field(False, description="Every proposal of the city, not only this one")


class ViewpointPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"id": 3, "proposal_id": None, "tileset": "london", **VIEWPOINT_IN_EXAMPLE}
            ]
        }
    )

    id: int
    proposal_id: int | None
    tileset: str
    name: str
    eye: tuple[float, float, float]
    target: tuple[float, float, float]
    landmark_ids: list[str]
    fov_deg: float
    city_wide: bool


class ViewpointList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {"id": 3, "proposal_id": None, "tileset": "london", **VIEWPOINT_IN_EXAMPLE}
                    ]
                }
            ]
        }
    )

    items: list[ViewpointPublic]
