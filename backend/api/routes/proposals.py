"""``/api/v1/proposals``: create, edit, publish, search proposals; stages, massing, model.

Drafts are visible to planners and admins only (404 for everyone else). Changes are for the
planner who created the proposal, or an admin. Uploads (documents, the glb model) take the raw
file as the request body (:mod:`backend.api.uploads`); body sizes follow :mod:`backend.api.limits`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from backend.api.bbox import OptionalBBox
from backend.api.deps import (
    OptionalPrincipal,
    Planner,
    ReadsDep,
    SessionDep,
    SettingsDep,
    principal_of,
)
from backend.api.errors import error_responses
from backend.api.pagination import PageParams, page_params
from backend.api.params import ResourceId
from backend.api.routes import city
from backend.api.uploads import receive_upload, upload_body
from backend.schemas.documents import DocumentList, DocumentPublic
from backend.schemas.proposals import (
    MassingIn,
    ModelPlacement,
    ProposalCreate,
    ProposalList,
    ProposalPublic,
    ProposalUpdate,
    Stage,
    StageChange,
    StageHistory,
)
from backend.services import city_changes, documents, impact_jobs, proposals

router = APIRouter(tags=["proposals"])


@router.post(
    "/proposals",
    response_model=ProposalPublic,
    status_code=status.HTTP_201_CREATED,
    operation_id="createProposal",
    responses=error_responses(401, 403, 409, 413, 422),
    summary="Create a proposal (a draft, visible to planners only until published)",
)
def create_proposal(
    data: ProposalCreate, principal: Planner, session: SessionDep
) -> ProposalPublic:
    proposal = proposals.create(session, principal, data)
    return proposals.public_view(session, proposal)


@router.get(
    "/proposals",
    response_model=ProposalList,
    operation_id="listProposals",
    responses=error_responses(422),
    summary="Search proposals by text, stage and bounding box",
)
async def list_proposals(
    request: Request,
    reads: ReadsDep,
    settings: SettingsDep,
    bbox: OptionalBBox,
    page: Annotated[PageParams, Depends(page_params(default=50, maximum=200))],
    q: Annotated[
        str | None,
        Query(max_length=200, description="Text in reference, title, description or address"),
    ] = None,
    stage: Annotated[
        list[Stage] | None, Query(description="Only these stages (repeatable)")
    ] = None,
) -> ProposalList:
    def search(session: Session) -> ProposalList:
        items, total = proposals.search(
            session,
            principal_of(request, session, settings),
            text=q,
            stages=stage or [],
            bbox=bbox,
            limit=page.limit,
            offset=page.offset,
        )
        return page.of(ProposalList, items, total)

    # on PostGIS on the event loop, else in one thread-pool hop (deps.Reads)
    return await reads.run(search)


@router.get(
    "/proposals/{proposal_id}",
    response_model=ProposalPublic,
    operation_id="getProposal",
    responses=error_responses(404),
)
def get_proposal(
    proposal_id: ResourceId, principal: OptionalPrincipal, session: SessionDep
) -> ProposalPublic:
    return proposals.public_view(session, proposals.visible(session, principal, proposal_id))


@router.patch(
    "/proposals/{proposal_id}",
    response_model=ProposalPublic,
    operation_id="updateProposal",
    responses=error_responses(401, 403, 404, 409, 413, 422),
)
def update_proposal(
    proposal_id: ResourceId, data: ProposalUpdate, principal: Planner, session: SessionDep
) -> ProposalPublic:
    return proposals.public_view(session, proposals.update(session, principal, proposal_id, data))


@router.delete(
    "/proposals/{proposal_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteProposal",
    responses=error_responses(401, 403, 404, 409),
    summary="Delete a draft (admins: any proposal) with its files and massing tileset",
)
def delete_proposal(
    proposal_id: ResourceId, principal: Planner, session: SessionDep, settings: SettingsDep
) -> Response:
    keys = proposals.delete(session, principal, proposal_id, settings.tiles_dir)
    documents.remove_files(settings.uploads_dir, keys)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/proposals/{proposal_id}/stage",
    response_model=ProposalPublic,
    operation_id="changeProposalStage",
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Move one stage forward: draft → consultation → assessment → decided",
)
def change_stage(
    proposal_id: ResourceId,
    data: StageChange,
    request: Request,
    background: BackgroundTasks,
    principal: Planner,
    session: SessionDep,
    settings: SettingsDep,
) -> ProposalPublic:
    proposal = proposals.change_stage(
        session, principal, proposal_id, data, request.app.state.events
    )
    if proposal.stage == "consultation":
        impact_jobs.request_quietly(session, settings, proposal.id, "published")  # issue 13
    # approved: its massing joins the city tileset in the background (issue 12, /city/changes)
    change = city_changes.queue_if_approved(session, principal.user.id, proposal)
    city.schedule(background, request, change)
    return proposals.public_view(session, proposal)


@router.post(
    "/proposals/{proposal_id}/publish",
    response_model=ProposalPublic,
    operation_id="publishProposal",
    responses=error_responses(401, 403, 404, 409),
    summary="Publish a draft: open its consultation (same as moving to `consultation`)",
)
def publish_proposal(
    proposal_id: ResourceId,
    request: Request,
    principal: Planner,
    session: SessionDep,
    settings: SettingsDep,
) -> ProposalPublic:
    proposal = proposals.change_stage(
        session, principal, proposal_id, StageChange(stage="consultation"), request.app.state.events
    )
    impact_jobs.request_quietly(session, settings, proposal.id, "published")  # issue 13
    return proposals.public_view(session, proposal)


@router.get(
    "/proposals/{proposal_id}/history",
    response_model=StageHistory,
    operation_id="getProposalHistory",
    responses=error_responses(404),
    summary="Stage changes: who moved the proposal to which stage, and when",
)
def get_history(
    proposal_id: ResourceId, principal: OptionalPrincipal, session: SessionDep
) -> StageHistory:
    return proposals.history(session, principal, proposal_id)


@router.put(
    "/proposals/{proposal_id}/massing",
    response_model=ProposalPublic,
    operation_id="setProposalMassing",
    responses=error_responses(401, 403, 404, 409, 413, 422),
    summary="Replace the massing blocks; rebuilds the massing 3D tileset",
)
def set_massing(
    proposal_id: ResourceId,
    data: MassingIn,
    principal: Planner,
    session: SessionDep,
    settings: SettingsDep,
) -> ProposalPublic:
    proposal = proposals.set_massing(session, principal, proposal_id, data, settings.tiles_dir)
    impact_jobs.request_quietly(session, settings, proposal.id, "massing")  # issue 13
    return proposals.public_view(session, proposal)


@router.put(
    "/proposals/{proposal_id}/model",
    response_model=ProposalPublic,
    operation_id="uploadProposalModel",
    responses=error_responses(401, 403, 404, 409, 413, 415, 422),
    openapi_extra=upload_body(["model/gltf-binary"]),
    summary="Upload the scheme's 3D model (glb) with its placement",
)
async def upload_model(
    proposal_id: ResourceId,
    request: Request,
    principal: Planner,
    session: SessionDep,
    settings: SettingsDep,
    lon: Annotated[float, Query(ge=-180, le=180)],
    lat: Annotated[float, Query(ge=-90, le=90)],
    height_m: Annotated[float, Query(ge=-500, le=9000)] = 0.0,
    heading_deg: Annotated[float, Query(ge=0, lt=360)] = 0.0,
    scale: Annotated[float, Query(gt=0, le=1000)] = 1.0,
    filename: Annotated[str | None, Query(max_length=255)] = None,
) -> ProposalPublic:
    placement = ModelPlacement(
        lon=lon, lat=lat, height_m=height_m, heading_deg=heading_deg, scale=scale
    )
    await run_in_threadpool(proposals.editable, session, principal, proposal_id)
    upload = await receive_upload(request, settings, settings.max_model_mb, "3D model")
    proposal = await run_in_threadpool(
        documents.set_model,
        session,
        principal,
        proposal_id,
        upload,
        placement,
        filename=filename,
        declared_type=request.headers.get("content-type"),
        uploads_dir=settings.uploads_dir,
    )
    return await run_in_threadpool(proposals.public_view, session, proposal)


@router.patch(
    "/proposals/{proposal_id}/model",
    response_model=ProposalPublic,
    operation_id="placeProposalModel",
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Move, turn or scale the uploaded 3D model",
)
def place_model(
    proposal_id: ResourceId, data: ModelPlacement, principal: Planner, session: SessionDep
) -> ProposalPublic:
    proposal = documents.place_model(session, principal, proposal_id, data)
    return proposals.public_view(session, proposal)


@router.post(
    "/proposals/{proposal_id}/documents",
    response_model=DocumentPublic,
    status_code=status.HTTP_201_CREATED,
    operation_id="uploadProposalDocument",
    responses=error_responses(401, 403, 404, 413, 415, 422),
    openapi_extra=upload_body(["application/pdf", "image/png", "image/jpeg", "image/webp"]),
    summary="Upload a document (PDF, PNG, JPEG, WebP) of the proposal",
)
async def upload_document(
    proposal_id: ResourceId,
    request: Request,
    principal: Planner,
    session: SessionDep,
    settings: SettingsDep,
    title: Annotated[str | None, Query(max_length=200)] = None,
    filename: Annotated[str | None, Query(max_length=255)] = None,
) -> DocumentPublic:
    await run_in_threadpool(proposals.editable, session, principal, proposal_id)
    upload = await receive_upload(request, settings, settings.max_document_mb, "document")
    return await run_in_threadpool(
        documents.add_document,
        session,
        principal,
        proposal_id,
        upload,
        title=title,
        filename=filename,
        declared_type=request.headers.get("content-type"),
        uploads_dir=settings.uploads_dir,
    )


@router.get(
    "/proposals/{proposal_id}/documents",
    response_model=DocumentList,
    operation_id="listProposalDocuments",
    responses=error_responses(404),
)
def list_documents(
    proposal_id: ResourceId, principal: OptionalPrincipal, session: SessionDep
) -> DocumentList:
    return DocumentList(items=documents.list_documents(session, principal, proposal_id))
