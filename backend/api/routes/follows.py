"""``/api/v1/me/follows``: the proposals and areas I follow."""

from __future__ import annotations

from fastapi import APIRouter, Response

from backend.api.deps import CurrentPrincipal, SessionDep, SettingsDep
from backend.api.errors import error_responses
from backend.api.params import ResourceId
from backend.schemas.follows import FollowCreate, FollowPublic
from backend.services import follows

router = APIRouter(prefix="/me/follows", tags=["notifications"])


@router.get(
    "",
    response_model=list[FollowPublic],
    operation_id="listMyFollows",
    responses=error_responses(401),
)
def list_my_follows(principal: CurrentPrincipal, session: SessionDep) -> list[FollowPublic]:
    return [follows.view(session, f) for f in follows.mine(session, principal)]


@router.post(
    "",
    response_model=FollowPublic,
    status_code=201,
    operation_id="createFollow",
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Follow a proposal, a drawn area, or a radius around a point",
)
def create_follow(
    data: FollowCreate, principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> FollowPublic:
    follow = follows.create(session, principal, data, settings.secret_key.get_secret_value())
    return follows.view(session, follow)


@router.delete(
    "/{follow_id}",
    status_code=204,
    operation_id="deleteFollow",
    responses=error_responses(401, 403, 404),
)
def delete_follow(
    follow_id: ResourceId, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    follows.delete(session, principal, follow_id)
    return Response(status_code=204)
