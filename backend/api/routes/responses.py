"""Official responses, themes and the public "you said, we did" section of a proposal."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request, Response

from backend.api.deps import CurrentPrincipal, OptionalPrincipal, SessionDep, SettingsDep
from backend.api.errors import error_responses
from backend.api.links import LinksDep
from backend.api.params import ResourceId
from backend.api.routes.notifications import deliver_after
from backend.schemas.responses import (
    ResponseCreate,
    ResponsePublic,
    ThemeCreate,
    ThemePublic,
    YouSaidWeDid,
)
from backend.services import responses

router = APIRouter(tags=["responses"])


@router.get(
    "/proposals/{proposal_id}/you-said-we-did",
    response_model=YouSaidWeDid,
    operation_id="getYouSaidWeDid",
    responses=error_responses(404),
    summary="Themes, official responses, what changed, and comments by disposition",
)
def get_you_said_we_did(
    proposal_id: ResourceId, principal: OptionalPrincipal, session: SessionDep
) -> YouSaidWeDid:
    return responses.you_said_we_did(session, principal, proposal_id)


@router.post(
    "/proposals/{proposal_id}/themes",
    response_model=ThemePublic,
    status_code=201,
    operation_id="createTheme",
    responses=error_responses(401, 403, 404, 422),
    summary="Group comments of the proposal into a theme (its planner)",
)
def create_theme(
    proposal_id: ResourceId, data: ThemeCreate, principal: CurrentPrincipal, session: SessionDep
) -> ThemePublic:
    return responses.create_theme(session, principal, proposal_id, data)


@router.delete(
    "/themes/{theme_id}",
    status_code=204,
    operation_id="deleteTheme",
    responses=error_responses(401, 403, 404),
)
def delete_theme(
    theme_id: ResourceId, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    responses.delete_theme(session, principal, theme_id)
    return Response(status_code=204)


@router.put(
    "/comments/{comment_id}/response",
    response_model=ResponsePublic,
    operation_id="respondToComment",
    responses=error_responses(401, 403, 404, 422),
    summary="Answer a comment officially with a disposition (replaces an earlier answer)",
)
def respond_to_comment(
    comment_id: ResourceId,
    data: ResponseCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    request: Request,
    background: BackgroundTasks,
    links: LinksDep,
    settings: SettingsDep,
) -> ResponsePublic:
    result = responses.respond_to_comment(session, principal, comment_id, data)
    deliver_after(background, request, links, settings, session)
    return result


@router.put(
    "/themes/{theme_id}/response",
    response_model=ResponsePublic,
    operation_id="respondToTheme",
    responses=error_responses(401, 403, 404, 422),
    summary="Answer a theme officially; its disposition applies to each of its comments",
)
def respond_to_theme(
    theme_id: ResourceId,
    data: ResponseCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    request: Request,
    background: BackgroundTasks,
    links: LinksDep,
    settings: SettingsDep,
) -> ResponsePublic:
    result = responses.respond_to_theme(session, principal, theme_id, data)
    deliver_after(background, request, links, settings, session)
    return result
