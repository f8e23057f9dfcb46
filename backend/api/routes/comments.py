"""`/api/v1` routes: comments on proposals, replies, reactions and reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy.orm import Session

from backend.api.deps import (
    CurrentPrincipal,
    OptionalPrincipal,
    ReadsDep,
    SessionDep,
    SettingsDep,
    VerifiedPrincipal,
    client_ip,
    principal_of,
)
from backend.api.errors import error_responses
from backend.api.pagination import PageParams, page_params
from backend.api.params import ResourceId
from backend.schemas.comments import (
    CommentCreate,
    CommentPage,
    CommentPublic,
    CommentSort,
    CommentUpdate,
    ReactionCounts,
    ReactionSet,
    ReportCreate,
    ReportPublic,
)
from backend.services import comments, moderation
from backend.services.events import EventBroker

router = APIRouter(tags=["comments"])

#: Top-level comments per page: 20 by default, at most 100.
CommentsPage = Annotated[PageParams, Depends(page_params(default=20, maximum=100))]


def broker(request: Request) -> EventBroker:
    events: EventBroker = request.app.state.events
    return events


@router.get(
    "/proposals/{proposal_id}/comments",
    response_model=CommentPage,
    operation_id="listComments",
    responses=error_responses(404, 422),
    summary="A proposal's comment threads (top-level comments with replies), paginated",
)
async def list_comments(
    proposal_id: ResourceId,
    request: Request,
    reads: ReadsDep,
    settings: SettingsDep,
    page: CommentsPage,
    sort: Annotated[
        CommentSort, Query(description="`newest` first, or `most_reacted` (agree + disagree)")
    ] = "newest",
) -> CommentPage:
    def threads(session: Session) -> CommentPage:
        items, total = comments.list_threads(
            session,
            principal_of(request, session, settings),
            proposal_id,
            sort=sort,
            limit=page.limit,
            offset=page.offset,
        )
        return page.of(CommentPage, items, total)

    # one thread-pool hop (or the event loop on PostGIS): deps.Reads
    return await reads.run(threads)


@router.post(
    "/proposals/{proposal_id}/comments",
    response_model=CommentPublic,
    status_code=status.HTTP_201_CREATED,
    operation_id="createComment",
    responses=error_responses(401, 403, 404, 409, 422, 429),
    summary="Comment on a proposal, or reply (`parent_id`), while its consultation is open",
)
def create_comment(
    proposal_id: ResourceId,
    data: CommentCreate,
    request: Request,
    principal: VerifiedPrincipal,
    session: SessionDep,
    settings: SettingsDep,
) -> CommentPublic:
    return comments.create(
        session, settings, principal, proposal_id, data, client_ip(request), broker(request)
    )


@router.get(
    "/comments/{comment_id}",
    response_model=CommentPublic,
    operation_id="getComment",
    responses=error_responses(404),
    summary="One comment with its replies",
)
def get_comment(
    comment_id: ResourceId, principal: OptionalPrincipal, session: SessionDep
) -> CommentPublic:
    return comments.get_thread(session, principal, comment_id)


@router.patch(
    "/comments/{comment_id}",
    response_model=CommentPublic,
    operation_id="updateComment",
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Edit my comment within the edit window",
)
def update_comment(
    comment_id: ResourceId,
    data: CommentUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
) -> CommentPublic:
    return comments.update(session, settings, principal, comment_id, data, broker(request))


@router.delete(
    "/comments/{comment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteComment",
    responses=error_responses(401, 403, 404),
    summary="Delete a comment (its author, or a moderator); it stays in the thread as deleted",
)
def delete_comment(
    comment_id: ResourceId, request: Request, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    comments.delete(session, principal, comment_id, broker(request))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    "/comments/{comment_id}/reaction",
    response_model=ReactionCounts,
    operation_id="setReaction",
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Agree or disagree with a comment (one reaction per user; changeable)",
)
def set_reaction(
    comment_id: ResourceId,
    data: ReactionSet,
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> ReactionCounts:
    return comments.set_reaction(session, principal, comment_id, data.kind, broker(request))


@router.delete(
    "/comments/{comment_id}/reaction",
    response_model=ReactionCounts,
    operation_id="removeReaction",
    responses=error_responses(401, 403, 404, 409),
    summary="Withdraw my reaction",
)
def remove_reaction(
    comment_id: ResourceId, request: Request, principal: CurrentPrincipal, session: SessionDep
) -> ReactionCounts:
    return comments.remove_reaction(session, principal, comment_id, broker(request))


@router.post(
    "/comments/{comment_id}/reports",
    response_model=ReportPublic,
    status_code=status.HTTP_201_CREATED,
    operation_id="reportComment",
    responses={
        200: {"model": ReportPublic, "description": "Already reported by you (no change)"},
        **error_responses(401, 403, 404, 409, 422),
    },
    summary="Report a comment (spam, offensive, off topic); once per user",
)
def report_comment(
    comment_id: ResourceId,
    data: ReportCreate,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
) -> ReportPublic:
    filed, created = moderation.report(
        session, settings, principal, comment_id, data, broker(request)
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return filed
