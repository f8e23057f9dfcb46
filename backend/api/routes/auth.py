"""``/api/v1/auth``: register, verify the address, sign in and out, reset the password, who am I,
API tokens."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request, Response, status

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
from backend.api.links import LinksDep
from backend.api.params import ResourceId
from backend.db.engine import Database
from backend.db.models import User
from backend.schemas.users import (
    Accepted,
    EmailVerification,
    LoginRequest,
    Me,
    PasswordReset,
    PasswordResetRequest,
    RegisterRequest,
    TokenCreate,
    TokenCreated,
)
from backend.services import auth, mail
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
        email_verified=user.email_verified_at is not None,
        csrf_token=csrf,
    )


def _deliver(db: Database, settings: Settings, message_ids: list[int]) -> None:
    if not settings.smtp_url:
        return  # stays in the outbox: `civictwin alerts send` prints or sends it
    with db.sessions() as session:
        mail.deliver(session, message_ids, settings.smtp_url, settings.smtp_from)


def send_mail_later(
    background: BackgroundTasks, request: Request, settings: Settings, message_ids: list[int]
) -> None:
    """Send account mail right after the response (so its timing tells nothing)."""
    if message_ids:
        background.add_task(_deliver, request.app.state.db, settings, message_ids)


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
    response_model=Accepted,
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="register",
    responses=error_responses(422, 429),
    summary="Create a citizen or SME account; a link to confirm the address is mailed",
    description=(
        "The answer is the same whether or not the address already has an account (the owner "
        "of an existing account is told by mail instead). Sign in with the password chosen; "
        "commenting and reporting wait until the mailed link is opened (`verifyEmail`)."
    ),
)
def register(
    data: RegisterRequest,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
    links: LinksDep,
) -> Accepted:
    outcome = auth.register(session, data, client_ip(request), settings, links)
    send_mail_later(background, request, settings, outcome.mail)
    return Accepted(
        detail=(
            "Thank you. We sent a message to the address given: open its link to confirm the "
            "address and sign in."
        )
    )


@router.post(
    "/verify-email",
    response_model=Me,
    operation_id="verifyEmail",
    responses=error_responses(422),
    summary="Confirm the address with the mailed token, and sign in",
)
def verify_email(
    data: EmailVerification,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> Me:
    user = auth.verify_email(session, data.token)
    token, _ = auth.start_session(session, user, settings, request.headers.get("user-agent", ""))
    csrf = _set_cookies(response, token, settings, settings.session_ttl_hours * 3600)
    return me_of(user, csrf)


@router.post(
    "/verify-email/resend",
    response_model=Accepted,
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="resendVerification",
    responses=error_responses(401, 403, 429),
    summary="Mail a new link to confirm my address",
)
def resend_verification(
    request: Request,
    background: BackgroundTasks,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    links: LinksDep,
) -> Accepted:
    outcome = auth.resend_verification(session, principal.user, settings, links)
    send_mail_later(background, request, settings, outcome.mail)
    if not outcome.mail:
        return Accepted(detail="Your address is already confirmed.")
    return Accepted(detail="A new link is on its way to your address.")


@router.post(
    "/password-reset",
    response_model=Accepted,
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="requestPasswordReset",
    responses=error_responses(422, 429),
    summary="Mail a single-use link to choose a new password",
    description="The answer is the same whether or not the address has an account.",
)
def request_password_reset(
    data: PasswordResetRequest,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
    links: LinksDep,
) -> Accepted:
    outcome = auth.request_password_reset(session, data.email, client_ip(request), settings, links)
    send_mail_later(background, request, settings, outcome.mail)
    return Accepted(
        detail="If the address has an account, a link to choose a new password is on its way."
    )


@router.post(
    "/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="resetPassword",
    responses=error_responses(422),
    summary="Choose a new password with the mailed token; signs out every session",
)
def reset_password(data: PasswordReset, session: SessionDep) -> Response:
    auth.reset_password(session, data.token, data.new_password)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


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
