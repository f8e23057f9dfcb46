"""``/api/v1/proposals/{id}/impact``: what a scheme does to its neighbours' light and views.

A planner asks for a study (or changing the massing, or publishing, asks for one); it runs in
the background and these routes show its progress and results: GeoJSON points with their before
and after values, a per-building summary, the summary as codes and numbers (the viewer words
it in the visitor's language), a printable report and CSV for the planning file.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status
from fastapi.responses import HTMLResponse

from backend.api import examples
from backend.api.deps import OptionalPrincipal, Planner, SessionDep, SettingsDep
from backend.api.errors import error_responses
from backend.api.params import ResourceId
from backend.db.models_impact import ImpactJob, ImpactViewpoint
from backend.schemas.impact import (
    Analysis,
    ImpactBuilding,
    ImpactBuildingList,
    ImpactFact,
    ImpactJobPublic,
    ImpactResultSummary,
    ImpactStatus,
    ViewpointIn,
    ViewpointList,
    ViewpointPublic,
)
from backend.services import impact_jobs, impact_report, proposals

router = APIRouter(prefix="/proposals/{proposal_id}/impact", tags=["impact"])

Variant = Annotated[
    int | None,
    Query(ge=1, le=2_147_483_647, description="A design variant's id (none: the scheme)"),
]
PointIndex = Annotated[int, Path(ge=0, le=10_000_000, description="The point's index")]

_POINT = {
    "type": "Feature",
    "id": 0,
    "geometry": {"type": "Point", "coordinates": [-0.0952, 51.5143, 58.3]},
    "properties": {
        "building_id": "buildings:w159925752",
        "storey": 2,
        "facing_deg": 184.0,
        "before": 31.2,
        "after": 24.1,
        "difference": -7.1,
        "adverse": True,
    },
}
_POINTS = {"type": "FeatureCollection", "analysis": "vsc", "features": [_POINT]}
_ZONE = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "id": 0,
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [
                    [[[-0.0955, 51.514], [-0.0948, 51.514], [-0.0948, 51.5146], [-0.0955, 51.514]]]
                ],
            },
            "properties": {"share_seen_above": 0.0, "area_m2": 1840.0, "share_of_ground": 0.21},
        }
    ],
}
_REPORT = "<!doctype html><html lang=en><title>Daylight, sunlight and views: …</title>…</html>"
_CSV = (
    "analysis,index,building_id,storey,facing_deg,lon,lat,height_m,before,after,difference,"
    "winter_before,winter_after,adverse\r\n"
    "vsc,0,buildings:w159925752,2,184.0,-0.0952,51.5143,58.3,31.2,24.1,-7.1,,,True\r\n"
)


def _links(proposal_id: int) -> dict[str, str]:
    base = f"/api/v1/proposals/{proposal_id}/impact"
    return {
        "self": base,
        "points": f"{base}/points?analysis=vsc",
        "buildings": f"{base}/buildings",
        "zone": f"{base}/zone",
        "report": f"{base}/report",
        "csv": f"{base}/csv",
        "viewpoints": f"{base}/viewpoints",
    }


def _job(job: ImpactJob) -> ImpactJobPublic:
    return ImpactJobPublic.model_validate(job)


@router.get(
    "",
    response_model=ImpactStatus,
    operation_id="getImpact",
    responses=error_responses(404),
    summary="The latest impact study of a proposal: its job's status and the summary",
)
def get_impact(
    proposal_id: ResourceId,
    principal: OptionalPrincipal,
    session: SessionDep,
    variant: Variant = None,
) -> ImpactStatus:
    job, done = impact_jobs.latest(session, principal, proposal_id, variant)
    result = None
    if done is not None and done.result_id is not None:
        row = impact_jobs.stored(session, done.result_id)
        if row is not None:
            data = impact_jobs.decode(row)
            result = ImpactResultSummary(
                job_id=done.id,
                computed_at=done.finished_at,
                current=job is not None and job.id == done.id,
                facts=[ImpactFact(**f) for f in row.summary.get("facts", [])],
                sentences=list(row.summary.get("sentences", [])),
                seconds=row.seconds,
                counts={a: len(data[a]["features"]) for a in impact_jobs.ANALYSES},
            )
    return ImpactStatus(job=_job(job) if job else None, result=result, links=_links(proposal_id))


@router.post(
    "",
    response_model=ImpactJobPublic,
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="requestImpact",
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Study the proposal as it is now (at once when the scene was studied before)",
)
def request_impact(
    proposal_id: ResourceId,
    principal: Planner,
    session: SessionDep,
    settings: SettingsDep,
    variant: Variant = None,
) -> ImpactJobPublic:
    return _job(impact_jobs.request_for(session, settings, principal, proposal_id, variant))


@router.get(
    "/points",
    operation_id="getImpactPoints",
    response_class=Response,
    responses={
        200: {
            "description": "GeoJSON points (lon, lat, height above the ellipsoid) with values",
            "content": examples.json_content(_POINTS, "application/geo+json"),
        },
        **error_responses(404, 422),
    },
    summary="One analysis' points with their before, after and difference values",
)
def get_points(
    proposal_id: ResourceId,
    principal: OptionalPrincipal,
    session: SessionDep,
    analysis: Annotated[Analysis, Query(description="vsc, apsh, ground or visibility")] = "vsc",
    variant: Variant = None,
) -> Response:
    import json

    _, data = impact_jobs.result_of(session, principal, proposal_id, variant)
    features = [{"id": i, **f} for i, f in enumerate(data[analysis]["features"])]
    body = {"type": "FeatureCollection", "analysis": analysis, "features": features}
    return Response(json.dumps(body, separators=(",", ":")), media_type="application/geo+json")


@router.get(
    "/zone",
    operation_id="getImpactZone",
    response_class=Response,
    responses={
        200: {
            "description": "GeoJSON MultiPolygons (lon, lat), one per band of the share seen",
            "content": examples.json_content(_ZONE, "application/geo+json"),
        },
        **error_responses(404, 422),
    },
    summary="The zone of theoretical visibility: where on open ground the scheme can be seen",
)
def get_zone(
    proposal_id: ResourceId,
    principal: OptionalPrincipal,
    session: SessionDep,
    variant: Variant = None,
) -> Response:
    """The ground cells of the visibility grid whose eye-height point sees more than a share
    (0, 0.25, 0.5) of the scheme, joined into polygons, with their area and share of the
    open ground studied."""
    import json

    _, data = impact_jobs.result_of(session, principal, proposal_id, variant)
    features = [{"id": i, **f} for i, f in enumerate(impact_jobs.zone_of(proposal_id, data))]
    body = {"type": "FeatureCollection", "features": features}
    return Response(json.dumps(body, separators=(",", ":")), media_type="application/geo+json")


@router.get(
    "/points/{analysis}/{index}",
    operation_id="getImpactPoint",
    responses={
        200: {
            "description": "One point and its values",
            "content": examples.json_content(_POINT, "application/geo+json"),
        },
        **error_responses(404, 422),
    },
    response_class=Response,
    summary="One point's values (what a comment can refer to)",
)
def get_point(
    proposal_id: ResourceId,
    analysis: Analysis,
    index: PointIndex,
    principal: OptionalPrincipal,
    session: SessionDep,
    variant: Variant = None,
) -> Response:
    import json

    _, data = impact_jobs.result_of(session, principal, proposal_id, variant)
    feature = {"id": index, **impact_jobs.point_values(data, analysis, index)}
    return Response(json.dumps(feature), media_type="application/geo+json")


@router.get(
    "/buildings",
    response_model=ImpactBuildingList,
    operation_id="getImpactBuildings",
    responses=error_responses(404),
    summary="Per neighbouring building: mean VSC before and after, failing points, shadow hours",
)
def get_buildings(
    proposal_id: ResourceId,
    principal: OptionalPrincipal,
    session: SessionDep,
    variant: Variant = None,
) -> ImpactBuildingList:
    _, data = impact_jobs.result_of(session, principal, proposal_id, variant)
    return ImpactBuildingList(items=[ImpactBuilding(**b) for b in data["buildings"]])


def _sunshine(data: dict[str, Any]) -> dict[str, str]:
    from impact.climate import normals_for

    name = str(data.get("stats", {}).get("options", {}).get("sunshine") or "London")
    if data.get("stats", {}).get("options", {}).get("sunshine_hours"):
        return {"place": "this deployment", "source": "the deployment's own monthly values"}
    n = normals_for(name)
    return {"place": n.place, "source": n.source}


@router.get(
    "/report",
    # the page's own media type is declared on its 200 only, so that its errors stay documented
    # (and sent) as the JSON error model
    response_class=Response,
    operation_id="getImpactReport",
    responses={
        200: {
            "description": "A printable HTML page",
            "content": {"text/html": {"example": _REPORT}},
        },
        **error_responses(404),
    },
    summary="A printable report of the study for the planning file (HTML)",
)
def get_report(
    proposal_id: ResourceId,
    principal: OptionalPrincipal,
    session: SessionDep,
    variant: Variant = None,
) -> HTMLResponse:
    proposal = proposals.visible(session, principal, proposal_id)
    _, data = impact_jobs.result_of(session, principal, proposal_id, variant)
    page = impact_report.report_html(
        {"reference": proposal.reference, "title": proposal.title}, data, _sunshine(data)
    )
    policy = "default-src 'none'; style-src 'unsafe-inline'"
    return HTMLResponse(page, headers={"Content-Security-Policy": policy})


@router.get(
    "/csv",
    response_class=Response,
    operation_id="getImpactCsv",
    responses={
        200: {
            "description": "Every point of every analysis",
            "content": {"text/csv": {"schema": {"type": "string"}, "example": _CSV}},
        },
        **error_responses(404),
    },
    summary="Every point's values as CSV for the planning file",
)
def get_csv(
    proposal_id: ResourceId,
    principal: OptionalPrincipal,
    session: SessionDep,
    variant: Variant = None,
) -> Response:
    proposal = proposals.visible(session, principal, proposal_id)
    _, data = impact_jobs.result_of(session, principal, proposal_id, variant)
    name = "".join(c if c.isalnum() else "-" for c in proposal.reference)
    return Response(
        impact_report.points_csv(data),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="impact-{name}.csv"'},
    )


# --- protected viewpoints --------------------------------------------------------------------


def _viewpoint(v: ImpactViewpoint) -> ViewpointPublic:
    return ViewpointPublic(
        id=v.id,
        proposal_id=v.proposal_id,
        tileset=v.tileset,
        name=v.name,
        eye=(v.eye_lon, v.eye_lat, v.eye_height_m),
        target=(v.target_lon, v.target_lat, v.target_height_m),
        landmark_ids=[str(i) for i in v.landmark_ids or []],
        fov_deg=v.fov_deg,
        city_wide=v.proposal_id is None,
    )


@router.get(
    "/viewpoints",
    response_model=ViewpointList,
    operation_id="listImpactViewpoints",
    responses=error_responses(404),
    summary="Protected views studied for this proposal (its own and the city's)",
)
def list_viewpoints(
    proposal_id: ResourceId, principal: OptionalPrincipal, session: SessionDep
) -> ViewpointList:
    rows = impact_jobs.viewpoints(session, principal, proposal_id)
    return ViewpointList(items=[_viewpoint(v) for v in rows])


@router.post(
    "/viewpoints",
    response_model=ViewpointPublic,
    status_code=status.HTTP_201_CREATED,
    operation_id="createImpactViewpoint",
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Save a protected view (eye and target); the next study includes it",
)
def create_viewpoint(
    proposal_id: ResourceId, body: ViewpointIn, principal: Planner, session: SessionDep
) -> ViewpointPublic:
    row = impact_jobs.add_viewpoint(
        session, principal, proposal_id, body.model_dump(), body.city_wide
    )
    return _viewpoint(row)


@router.delete(
    "/viewpoints/{viewpoint_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteImpactViewpoint",
    responses=error_responses(401, 403, 404),
    summary="Delete a protected view",
)
def delete_viewpoint(
    proposal_id: ResourceId, viewpoint_id: ResourceId, principal: Planner, session: SessionDep
) -> Response:
    impact_jobs.delete_viewpoint(session, principal, proposal_id, viewpoint_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
