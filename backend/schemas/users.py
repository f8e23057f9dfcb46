"""Accounts: registration, sign-in, public and private views of a user."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from backend.schemas.pagination import Page

Role = Literal["citizen", "sme", "planner", "moderator", "admin", "funder", "contractor"]
Locale = Literal["en", "it", "sv", "et", "hu"]


_CSRF_EXAMPLE = "5d0c8e1f3a9b47c2e6d8f0a1b3c5d7e9f2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c2"


class RegisterRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=320, examples=["ada@example.org"])
    password: str = Field(max_length=128, examples=["correct horse battery"])
    display_name: str = Field(min_length=1, max_length=100, examples=["Ada"])
    account_type: Literal["citizen", "sme"] = "citizen"
    organisation_name: str | None = Field(None, max_length=200, examples=["Barbican Joinery Ltd"])
    locale: Locale = "en"
    accept_terms: bool = Field(
        description=(
            "The person agrees that their account details and contributions are stored, and "
            "their comments published under the display name; must be true. The time is kept "
            "as consent_at."
        ),
        examples=[True],
    )

    @field_validator("accept_terms")
    @classmethod
    def _consent_given(cls, value: bool) -> bool:
        if not value:
            raise ValueError("registration needs consent: accept_terms must be true")
        return value


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=320, examples=["ada@example.org"])
    password: str = Field(max_length=128)


class UserPublic(BaseModel):
    """What anyone may see of a user: never the e-mail address."""

    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [{"id": 42, "display_name": "Ada"}]}
    )

    id: int
    display_name: str


class Me(BaseModel):
    """The signed-in user's own view."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 42,
                    "email": "ada@example.org",
                    "display_name": "Ada",
                    "roles": ["citizen"],
                    "organisation_id": None,
                    "locale": "en",
                    "created_at": "2025-03-04T09:15:00Z",
                    "email_verified": True,
                    "csrf_token": _CSRF_EXAMPLE,
                }
            ]
        }
    )

    id: int
    email: str
    display_name: str
    roles: list[Role]
    organisation_id: int | None
    locale: str
    created_at: datetime
    email_verified: bool = Field(
        description="Whether the address is confirmed; commenting and reporting need it"
    )
    csrf_token: str | None = Field(
        None, description="Send as `X-CSRF-Token` on cookie-authenticated writes"
    )


_USER_ADMIN_EXAMPLE: dict[str, Any] = {
    "id": 7,
    "email": "m.okafor@example.org",
    "display_name": "Maya Okafor",
    "roles": ["citizen", "moderator"],
    "is_active": True,
    "created_at": "2025-01-20T14:02:11Z",
}


class UserAdmin(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_USER_ADMIN_EXAMPLE]})

    id: int
    email: str | None
    display_name: str
    roles: list[Role]
    is_active: bool
    created_at: datetime


class UserList(Page[UserAdmin]):
    """Accounts as admins see them, by id."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [_USER_ADMIN_EXAMPLE],
                    "total": 1,
                    "limit": 50,
                    "offset": 0,
                    "next": None,
                    "prev": None,
                }
            ]
        }
    )


_AUDIT_EXAMPLE: dict[str, Any] = {
    "id": 311,
    "at": "2025-04-04T09:30:12Z",
    "actor": {"id": 1, "display_name": "Site admin"},
    "action": "roles.set",
    "entity_type": "user",
    "entity_id": "7",
    "reason": None,
    "details": {"before": ["citizen"], "after": ["citizen", "moderator"]},
}


class AuditActor(BaseModel):
    """Who did it (``null`` for the system, or once the account is deleted)."""

    id: int
    display_name: str


class AuditEntry(BaseModel):
    """One line of the audit log: who did what to which record, when and why."""

    model_config = ConfigDict(json_schema_extra={"examples": [_AUDIT_EXAMPLE]})

    id: int
    at: datetime
    actor: AuditActor | None
    action: str = Field(examples=["roles.set"], description="``area.verb``, e.g. comment.hide")
    entity_type: str = Field(examples=["user"])
    entity_id: str = Field(examples=["7"])
    reason: str | None
    details: dict[str, Any]


class AuditLogPage(Page[AuditEntry]):
    """The audit log, newest first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [_AUDIT_EXAMPLE],
                    "total": 1,
                    "limit": 50,
                    "offset": 0,
                    "next": None,
                    "prev": None,
                }
            ]
        }
    )


class RolesUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: list[Role] = Field(min_length=1, examples=[["citizen", "moderator"]])


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"display_name": "Ada Lovelace", "locale": "en"}]},
    )

    display_name: str | None = Field(None, min_length=1, max_length=100, examples=["Ada Lovelace"])
    locale: Locale | None = Field(None, examples=["en"])


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, examples=["QGIS on my laptop"])
    expires_in_days: int | None = Field(None, ge=1, le=3650, examples=[90])


class TokenCreated(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "name": "QGIS on my laptop",
                    "token": "ct_q3JX0v9Lr7mT2bWkP8sYd4NfH6gC1zEaRuK5oV_iMw",
                    "expires_at": "2025-06-02T09:15:00Z",
                }
            ]
        }
    )

    id: int
    name: str
    token: str = Field(description="Shown once; send as `Authorization: Bearer <token>`")
    expires_at: datetime | None


class AccountDeleted(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"deleted": True, "comments_kept": 4}]}
    )

    deleted: bool = True
    comments_kept: int = Field(description="Comments kept, now attributed to 'deleted user'")


_TOKEN_EXAMPLE = "x4Jc0v9Lr7mT2bWkP8sYd4NfH6gC1zEaRuK5oV_iMwQ"  # noqa: S105 (an example)


class Accepted(BaseModel):
    """A request taken in; what happens next arrives by e-mail."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"detail": "If the address can be used, a message is on its way to it."}]
        }
    )

    detail: str


class EmailVerification(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(
        min_length=1, max_length=100, description="From the mailed link", examples=[_TOKEN_EXAMPLE]
    )


class PasswordResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=320, examples=["ada@example.org"])


class PasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(
        min_length=1, max_length=100, description="From the mailed link", examples=[_TOKEN_EXAMPLE]
    )
    new_password: str = Field(max_length=128, examples=["a new long passphrase"])


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(max_length=128, examples=["correct horse battery"])
    new_password: str = Field(max_length=128, examples=["a new long passphrase"])


class PasswordChanged(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"sessions_ended": 2, "api_tokens_revoked": 1}]}
    )

    sessions_ended: int = Field(description="Other signed-in browsers that were signed out")
    api_tokens_revoked: int = Field(0, description="API tokens that were revoked")
