"""`/api/v1/moderation`: the reports queue; hide or restore a comment with a reason."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from backend.api.deps import Moderator, SessionDep, SettingsDep
from backend.api.errors import error_responses
from backend.api.pagination import PageParams, page_params
from backend.api.params import ResourceId
from backend.api.routes.comments import broker
from backend.schemas.comments import (
    CommentModeration,
    ModerationDecision,
    ModerationQueue,
    ReportPublic,
)
from backend.schemas.moderation import HiddenComments
from backend.services import moderation

router = APIRouter(prefix="/moderation", tags=["moderation"])

#: Pages of the queue and of hidden comments: 20 by default, at most 100.
ModerationPage = Annotated[PageParams, Depends(page_params(default=20, maximum=100))]


@router.get(
    "/queue",
    response_model=ModerationQueue,
    operation_id="listModerationQueue",
    responses=error_responses(401, 403, 422),
    summary="Comments with open reports (auto-hidden ones included), oldest report first",
)
def list_queue(
    moderator: Moderator,
    session: SessionDep,
    settings: SettingsDep,
    page: ModerationPage,
) -> ModerationQueue:
    items, total = moderation.queue(session, settings, limit=page.limit, offset=page.offset)
    return page.of(ModerationQueue, items, total)


@router.post(
    "/comments/{comment_id}/hide",
    response_model=CommentModeration,
    operation_id="hideComment",
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Hide a comment with a reason; resolves its open reports",
)
def hide_comment(
    comment_id: ResourceId,
    data: ModerationDecision,
    request: Request,
    moderator: Moderator,
    session: SessionDep,
) -> CommentModeration:
    return moderation.hide(session, moderator, comment_id, data.reason, broker(request))


@router.post(
    "/comments/{comment_id}/restore",
    response_model=CommentModeration,
    operation_id="restoreComment",
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Publish a hidden comment again (or dismiss the reports of a visible one)",
)
def restore_comment(
    comment_id: ResourceId,
    data: ModerationDecision,
    request: Request,
    moderator: Moderator,
    session: SessionDep,
) -> CommentModeration:
    return moderation.restore(session, moderator, comment_id, data.reason, broker(request))


@router.post(
    "/reports/{report_id}/dismiss",
    response_model=ReportPublic,
    operation_id="dismissReport",
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Dismiss one report with a reason; the comment and its other reports stay",
)
def dismiss_report(
    report_id: ResourceId,
    data: ModerationDecision,
    moderator: Moderator,
    session: SessionDep,
) -> ReportPublic:
    return moderation.dismiss_report(session, moderator, report_id, data.reason)


@router.get(
    "/hidden",
    response_model=HiddenComments,
    operation_id="listHiddenComments",
    responses=error_responses(401, 403, 422),
    summary="Hidden comments (by a moderator or automatically), newest first, to restore",
)
def list_hidden(
    moderator: Moderator,
    session: SessionDep,
    page: ModerationPage,
) -> HiddenComments:
    items, total = moderation.hidden(session, limit=page.limit, offset=page.offset)
    return page.of(HiddenComments, items, total)
