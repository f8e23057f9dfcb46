"""``/api/v1/auth``: register, sign in and out, who am I, API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from backend.api.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    CurrentPrincipal,
    OptionalPrincipal,
    SessionDep,
    SettingsDep,
    client_ip,
)
from backend.api.errors import error_responses
from backend.api.params import ResourceId
from backend.db.models import User
from backend.schemas.users import LoginRequest, Me, RegisterRequest, TokenCreate, TokenCreated
from backend.services import auth
from backend.settings import Settings

router = APIRouter(prefix="/auth", tags=["accounts"])


def me_of(user: User, csrf: str | None = None) -> Me:
    return Me(
        id=user.id,
        email=user.email or "",
        display_name=user.display_name,
        roles=sorted(user.role_names),
        organisation_id=user.organisation_id,
        locale=user.locale,
        created_at=user.created_at,
        csrf_token=csrf,
    )


def _set_cookies(response: Response, token: str, settings: Settings, max_age: int) -> str:
    csrf = auth.csrf_token(token, settings)
    secure = settings.is_production
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        max_age=max_age,
        httponly=False,
        samesite="strict",
        secure=secure,
        path="/",
    )
    return csrf


@router.post(
    "/register",
    response_model=Me,
    status_code=status.HTTP_201_CREATED,
    operation_id="register",
    responses=error_responses(409, 422),
    summary="Create a citizen or SME account and sign in",
)
def register(
    data: RegisterRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> Me:
    user = auth.register(session, data)
    token, _ = auth.start_session(session, user, settings, request.headers.get("user-agent", ""))
    csrf = _set_cookies(response, token, settings, settings.session_ttl_hours * 3600)
    return me_of(user, csrf)


@router.post(
    "/login",
    response_model=Me,
    operation_id="login",
    responses=error_responses(401, 422, 429),
    summary="Sign in; sets the session and CSRF cookies",
)
def login(
    data: LoginRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> Me:
    user = auth.authenticate(session, data.email, data.password, client_ip(request), settings)
    token, _ = auth.start_session(session, user, settings, request.headers.get("user-agent", ""))
    csrf = _set_cookies(response, token, settings, settings.session_ttl_hours * 3600)
    return me_of(user, csrf)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="logout",
    responses=error_responses(403),
    summary="Sign out of this browser",
)
def logout(request: Request, principal: OptionalPrincipal, session: SessionDep) -> Response:
    if principal is not None and principal.session_token:
        auth.end_session(session, principal.session_token)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get(
    "/me",
    response_model=Me,
    operation_id="getMe",
    responses=error_responses(401),
    summary="The signed-in account (with its CSRF token)",
)
def get_me(principal: CurrentPrincipal, settings: SettingsDep) -> Me:
    csrf = auth.csrf_token(principal.session_token, settings) if principal.session_token else None
    return me_of(principal.user, csrf)


@router.post(
    "/tokens",
    response_model=TokenCreated,
    status_code=status.HTTP_201_CREATED,
    operation_id="createApiToken",
    responses=error_responses(401, 403),
    summary="Create a bearer token for an API client",
)
def create_token(
    data: TokenCreate, principal: CurrentPrincipal, session: SessionDep
) -> TokenCreated:
    token, raw = auth.create_api_token(session, principal.user, data.name, data.expires_in_days)
    return TokenCreated(id=token.id, name=token.name, token=raw, expires_at=token.expires_at)


@router.delete(
    "/tokens/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="revokeApiToken",
    responses=error_responses(401, 403, 404),
)
def revoke_token(
    token_id: ResourceId, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    auth.revoke_api_token(session, principal.user, token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
