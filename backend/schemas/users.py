"""Accounts: registration, sign-in, public and private views of a user."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["citizen", "sme", "planner", "moderator", "admin"]
Locale = Literal["en", "it", "sv", "et", "hu"]


class RegisterRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=320, examples=["ada@example.org"])
    password: str = Field(max_length=128, examples=["correct horse battery"])
    display_name: str = Field(min_length=1, max_length=100, examples=["Ada"])
    account_type: Literal["citizen", "sme"] = "citizen"
    organisation_name: str | None = Field(None, max_length=200, examples=["Barbican Joinery Ltd"])
    locale: Locale = "en"


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=320, examples=["ada@example.org"])
    password: str = Field(max_length=128)


class UserPublic(BaseModel):
    """What anyone may see of a user: never the e-mail address."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    display_name: str


class Me(BaseModel):
    """The signed-in user's own view."""

    id: int
    email: str
    display_name: str
    roles: list[Role]
    organisation_id: int | None
    locale: str
    created_at: datetime
    csrf_token: str | None = Field(
        None, description="Send as `X-CSRF-Token` on cookie-authenticated writes"
    )


class UserAdmin(BaseModel):
    id: int
    email: str | None
    display_name: str
    roles: list[Role]
    is_active: bool
    created_at: datetime


class UserList(BaseModel):
    items: list[UserAdmin]
    total: int
    limit: int
    offset: int


class RolesUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: list[Role] = Field(min_length=1, examples=[["citizen", "moderator"]])


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(None, min_length=1, max_length=100)
    locale: Locale | None = None


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, examples=["QGIS on my laptop"])
    expires_in_days: int | None = Field(None, ge=1, le=3650)


class TokenCreated(BaseModel):
    id: int
    name: str
    token: str = Field(description="Shown once; send as `Authorization: Bearer <token>`")
    expires_at: datetime | None


class AccountDeleted(BaseModel):
    deleted: bool = True
    comments_kept: int = Field(description="Comments kept, now attributed to 'deleted user'")
