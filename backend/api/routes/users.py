"""``/api/v1/users``: my profile, my data, deleting my account; role management for admins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Response
from fastapi.responses import JSONResponse

from backend.api import examples
from backend.api.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    Admin,
    CurrentPrincipal,
    SessionDep,
    SettingsDep,
)
from backend.api.errors import error_responses
from backend.api.pagination import PageParams, page_params
from backend.api.params import ResourceId
from backend.api.routes.auth import me_of
from backend.db.models import User
from backend.errors import NotFoundError
from backend.repositories import users as repo
from backend.schemas.users import (
    AccountDeleted,
    Me,
    PasswordChange,
    PasswordChanged,
    ProfileUpdate,
    Role,
    RolesUpdate,
    UserAdmin,
    UserList,
)
from backend.services import accounts, auth

router = APIRouter(prefix="/users", tags=["accounts"])

UsersPage = Annotated[PageParams, Depends(page_params(default=50, maximum=500))]


def _admin_view(user: User) -> UserAdmin:
    return UserAdmin(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        roles=sorted(user.role_names),
        is_active=user.is_active,
        created_at=user.created_at,
    )


@router.patch(
    "/me",
    response_model=Me,
    operation_id="updateMe",
    responses=error_responses(401, 403, 422),
    summary="Change my display name or language",
)
def update_me(data: ProfileUpdate, principal: CurrentPrincipal, session: SessionDep) -> Me:
    return me_of(accounts.update_profile(session, principal.user, data))


@router.post(
    "/me/password",
    response_model=PasswordChanged,
    operation_id="changeMyPassword",
    responses=error_responses(401, 403, 422, 429),
    summary="Change my password (the current one confirms it); signs out my other sessions "
    "and revokes my API tokens",
)
def change_password(
    data: PasswordChange, principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> PasswordChanged:
    ended, revoked = auth.change_password(
        session, principal, data.current_password, data.new_password, settings
    )
    return PasswordChanged(sessions_ended=ended, api_tokens_revoked=revoked)


@router.get(
    "/me/export",
    operation_id="exportMyData",
    responses={
        200: {
            "description": "Account, organisation, comments, reactions, reports, saved "
            "searches, interest registrations, API tokens and actions, as one JSON document",
            "content": examples.json_content(examples.MY_DATA),
        },
        **error_responses(401),
    },
    summary="Download everything stored about me (JSON)",
)
def export_me(principal: CurrentPrincipal, session: SessionDep) -> JSONResponse:
    data: dict[str, Any] = accounts.export(session, principal.user)
    return JSONResponse(
        data, headers={"Content-Disposition": 'attachment; filename="civictwin-my-data.json"'}
    )


@router.delete(
    "/me",
    response_model=AccountDeleted,
    operation_id="deleteMe",
    responses=error_responses(401, 403, 409, 422),
    summary="Delete my account; my comments stay, as by 'deleted user'",
)
def delete_me(
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
    password: Annotated[
        str | None,
        Body(
            embed=True,
            max_length=128,
            description="My password (accounts that have one)",
            examples=["correct horse battery"],
        ),
    ] = None,
) -> AccountDeleted:
    kept = accounts.delete_account(session, principal.user, password)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return AccountDeleted(comments_kept=kept)


@router.get(
    "",
    response_model=UserList,
    operation_id="listUsers",
    responses=error_responses(401, 403),
    summary="Accounts with their roles (admins)",
)
def list_users(
    admin: Admin,
    session: SessionDep,
    page: UsersPage,
    role: Annotated[Role | None, Query(description="Only users with this role")] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            description="A part of the display name or e-mail address (any case)",
        ),
    ] = None,
) -> UserList:
    users, total = repo.list_users(
        session, role=role, limit=page.limit, offset=page.offset, search=q
    )
    return page.of(UserList, [_admin_view(u) for u in users], total)


@router.put(
    "/{user_id}/roles",
    response_model=UserAdmin,
    operation_id="setUserRoles",
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Replace a user's roles (admins)",
)
def set_roles(
    user_id: ResourceId, data: RolesUpdate, admin: Admin, session: SessionDep
) -> UserAdmin:
    return _admin_view(accounts.set_roles(session, admin, user_id, list(data.roles)))


@router.delete(
    "/{user_id}",
    response_model=AccountDeleted,
    operation_id="deleteUser",
    responses=error_responses(401, 403, 404, 409),
    summary="Delete a user's account (admins); their comments stay, as by 'deleted user'",
)
def delete_user(user_id: ResourceId, admin: Admin, session: SessionDep) -> AccountDeleted:
    user = repo.by_id(session, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFoundError(f"user {user_id} not found")
    return AccountDeleted(
        comments_kept=accounts.delete_account(session, user, None, via_admin=True)
    )
