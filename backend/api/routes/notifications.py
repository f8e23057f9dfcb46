"""``/api/v1/me/notifications``, ``/me/notification-preferences`` and the one-click
``/unsubscribe`` link (no sign-in: the signed token is the credential)."""

from __future__ import annotations

import logging
import smtplib
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from backend.api.deps import CurrentPrincipal, SessionDep, SettingsDep
from backend.api.errors import error_responses
from backend.api.links import Links, LinksDep
from backend.api.onebutton import one_button_page, one_button_responses
from backend.api.pagination import Pagination
from backend.api.params import MAX_ID, ResourceId
from backend.db.engine import Database
from backend.schemas.notifications import (
    NotificationList,
    NotificationPublic,
    Preferences,
    ReadResult,
    UnsubscribeResult,
)
from backend.schemas.pagination import Page
from backend.services import mail, notifications
from backend.settings import Settings

logger = logging.getLogger(__name__)
router = APIRouter(tags=["notifications"])

UserParam = Annotated[int, Query(ge=1, le=MAX_ID, description="The account the link is for")]
TokenParam = Annotated[
    str, Query(min_length=1, max_length=64, description="The link's signed token")
]


def deliver_now(db: Database, links: Links, settings: Settings) -> None:
    """Fan out what is pending and send the outbox: after the response, never in it."""
    secret = settings.secret_key.get_secret_value()
    with db.sessions() as session:
        notifications.process_events(session, links, secret)
        if settings.smtp_url:
            try:
                mail.send_outbox(session, settings.smtp_url, settings.smtp_from)
            except (OSError, smtplib.SMTPException) as exc:  # stays in the outbox for later
                session.rollback()
                logger.warning("outbox: SMTP unreachable, left for the next run: %s", exc)


def deliver_after(
    background: BackgroundTasks,
    request: Request,
    links: Links,
    settings: Settings,
    session: Session,
) -> None:
    """Schedule :func:`deliver_now` after the response. The request's session is done (its
    answer is built): closed now, so that on SpatiaLite it holds no write lock that the
    background step would wait for."""
    session.close()
    background.add_task(deliver_now, request.app.state.db, links, settings)


@router.get(
    "/me/notifications",
    response_model=NotificationList,
    operation_id="listMyNotifications",
    responses=error_responses(401, 422),
    summary="My notifications, newest first, with the unread count",
)
def list_my_notifications(
    principal: CurrentPrincipal,
    session: SessionDep,
    page: Pagination,
    unread: Annotated[bool, Query(description="Only unread ones")] = False,
) -> NotificationList:
    items, total, n_unread = notifications.page(
        session, principal, unread_only=unread, limit=page.limit, offset=page.offset
    )
    base = page.of(Page[NotificationPublic], items, total)
    return NotificationList(**dict(base), unread=n_unread)


@router.post(
    "/me/notifications/{notification_id}/read",
    response_model=ReadResult,
    operation_id="markNotificationRead",
    responses=error_responses(401, 403, 404),
)
def mark_notification_read(
    notification_id: ResourceId, principal: CurrentPrincipal, session: SessionDep
) -> ReadResult:
    return notifications.mark_read(session, principal, notification_id)


@router.post(
    "/me/notifications/read",
    response_model=ReadResult,
    operation_id="markAllNotificationsRead",
    responses=error_responses(401, 403),
)
def mark_all_notifications_read(principal: CurrentPrincipal, session: SessionDep) -> ReadResult:
    return notifications.mark_read(session, principal, None)


@router.get(
    "/me/notification-preferences",
    response_model=Preferences,
    operation_id="getNotificationPreferences",
    responses=error_responses(401),
)
def get_notification_preferences(principal: CurrentPrincipal, session: SessionDep) -> Preferences:
    return notifications.get_preferences(session, principal)


@router.put(
    "/me/notification-preferences",
    response_model=Preferences,
    operation_id="setNotificationPreferences",
    responses=error_responses(401, 403, 422),
    summary="How often each kind of notification is e-mailed (immediate, daily, weekly, off)",
)
def set_notification_preferences(
    data: Preferences, principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> Preferences:
    return notifications.set_preferences(
        session, principal, data, settings.secret_key.get_secret_value()
    )


@router.get(
    "/unsubscribe",
    # no media type of its own, so that the error model stays application/json
    response_class=Response,
    operation_id="unsubscribePage",
    responses=one_button_responses("unsubscribes"),
)
def unsubscribe_page(request: Request, user: UserParam, token: TokenParam) -> HTMLResponse:
    return one_button_page(
        request,
        title="Unsubscribe",
        heading="Stop CivicTwin e-mails",
        text="Press the button to stop every notification e-mail to this account. The "
        "notifications stay in the app; you can turn e-mails on again in your account.",
        button="Unsubscribe",
    )


@router.post(
    "/unsubscribe",
    response_model=UnsubscribeResult,
    operation_id="unsubscribe",
    responses=error_responses(403, 404, 422),
    summary="One-click unsubscribe (RFC 8058 List-Unsubscribe-Post), no sign-in",
)
def unsubscribe(
    user: UserParam, token: TokenParam, session: SessionDep, settings: SettingsDep
) -> UnsubscribeResult:
    return notifications.unsubscribe(session, settings.secret_key.get_secret_value(), user, token)


__all__ = ["LinksDep", "deliver_after"]
