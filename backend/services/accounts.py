"""Account management: profile, roles (admins), personal-data export and account deletion."""

from __future__ import annotations

from typing import Any

from backend.db.models import Organisation, User, UserRole
from backend.db.types import utcnow
from backend.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from backend.repositories import accounts as account_repo
from backend.repositories import audit
from backend.repositories import users as repo
from backend.repositories.geometry import to_shape
from backend.repositories.session import Session
from backend.schemas.users import ProfileUpdate
from backend.services.auth import (
    Principal,
    check_password_rules,
    check_role,
    hash_password,
    normalise_email,
    verify_password,
)

DELETED_NAME = "deleted user"


def update_profile(session: Session, user: User, data: ProfileUpdate) -> User:
    if data.display_name is not None:
        user.display_name = data.display_name.strip()
    if data.locale is not None:
        user.locale = data.locale
    session.commit()
    return user


def set_roles(session: Session, actor: Principal, user_id: int, roles: list[str]) -> User:
    user = repo.by_id(session, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFoundError(f"user {user_id} not found")
    wanted = {check_role(r) for r in roles}
    if user.id == actor.user.id and "admin" not in wanted:
        raise ConflictError("roles: you cannot remove your own admin role", key="own_admin_role")
    before = sorted(user.role_names)
    user.roles = [r for r in user.roles if r.role in wanted]
    user.roles.extend(UserRole(role=r) for r in sorted(wanted - user.role_names))
    audit.record(
        session,
        actor_id=actor.user.id,
        action="roles.set",
        entity_type="user",
        entity_id=user.id,
        details={"before": before, "after": sorted(wanted)},
    )
    session.commit()
    return user


def create_admin(session: Session, email: str, password: str, display_name: str) -> User:
    """Create an admin account, or give an existing account the admin role (CLI)."""
    email = normalise_email(email)
    user = repo.by_email(session, email)
    if user is None:
        check_password_rules(password, email)
        user = User(
            email=email,
            password_hash=hash_password(password),
            display_name=display_name,
            consent_at=utcnow(),
            email_verified_at=utcnow(),  # the operator vouches for the address
            roles=[UserRole(role="citizen")],
        )
        session.add(user)
    if "admin" not in user.role_names:
        user.roles.append(UserRole(role="admin"))
    session.flush()
    audit.record(
        session, actor_id=None, action="roles.create_admin", entity_type="user", entity_id=user.id
    )
    session.commit()
    return user


def create_verified(
    session: Session,
    email: str,
    password: str,
    display_name: str,
    organisation_name: str | None = None,
) -> User:
    """Create a citizen (or SME, with ``organisation_name``) account whose address an operator
    vouches for, e.g. the demo's seeded people; an existing account is returned as it is."""
    email = normalise_email(email)
    user = repo.by_email(session, email)
    if user is not None:
        return user
    check_password_rules(password, email)
    roles = ["citizen"] + (["sme"] if organisation_name else [])
    user = User(
        email=email,
        password_hash=hash_password(password),
        display_name=display_name,
        organisation=Organisation(name=organisation_name, size="micro")
        if organisation_name
        else None,
        consent_at=utcnow(),
        email_verified_at=utcnow(),
        roles=[UserRole(role=r) for r in roles],
    )
    session.add(user)
    session.commit()
    return user


def _geo(value: Any) -> Any:
    return None if value is None else to_shape(value).__geo_interface__


def export(session: Session, user: User) -> dict[str, Any]:
    """Everything stored about ``user``, as one JSON document."""
    own = account_repo.belongings(session, user.id)
    comments, reactions, reports = own.comments, own.reactions, own.reports
    searches, interests, tokens, actions = own.searches, own.interests, own.tokens, own.actions
    org = user.organisation
    return {
        "account": {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "roles": sorted(user.role_names),
            "locale": user.locale,
            "created_at": user.created_at.isoformat(),
            "consent_at": user.consent_at.isoformat() if user.consent_at else None,
            "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
        },
        "organisation": None
        if org is None
        else {
            "id": org.id,
            "name": org.name,
            "size": org.size,
            "sectors": org.sectors,
            "location": _geo(org.location),
            "service_radius_km": org.service_radius_km,
        },
        "comments": [
            {
                "id": c.id,
                "proposal_id": c.proposal_id,
                "parent_id": c.parent_id,
                "body": c.body,
                "sentiment": c.sentiment,
                "topics": c.topics,
                "state": c.state,
                "anchor_point": _geo(c.anchor_point),
                "anchor_height_m": c.anchor_height_m,
                "anchor_building_id": c.anchor_building_id,
                "camera": c.camera,
                "created_at": c.created_at.isoformat(),
            }
            for c in comments
        ],
        "reactions": [{"comment_id": r.comment_id, "kind": r.kind} for r in reactions],
        "reports": [
            {"comment_id": r.comment_id, "reason": r.reason, "details": r.details} for r in reports
        ],
        "saved_searches": [
            {"id": s.id, "name": s.name, "query": s.query, "frequency": s.frequency}
            for s in searches
        ],
        "interest_registrations": [
            {
                "opportunity_id": i.opportunity_id,
                "message": i.message,
                "withdrawn": i.withdrawn_at is not None,
            }
            for i in interests
        ],
        "api_tokens": [
            {
                "id": t.id,
                "name": t.name,
                "created_at": t.created_at.isoformat(),
                "revoked": t.revoked_at is not None,
            }
            for t in tokens
        ],
        "actions": [
            {
                "at": a.at.isoformat(),
                "action": a.action,
                "entity_type": a.entity_type,
                "entity_id": a.entity_id,
            }
            for a in actions
        ],
    }


def delete_account(
    session: Session, user: User, password: str | None, via_admin: bool = False
) -> int:
    """Erase personal data; comments stay, shown as by 'deleted user'. Returns comments kept."""
    if (
        "admin" in user.role_names
        and not via_admin
        and not account_repo.other_admins(session, user.id)
    ):
        raise ConflictError("you are the last admin: give another account the admin role first")
    if not via_admin and user.password_hash is not None and password is None:
        raise InvalidInputError("password: confirm deletion with your password")
    if not via_admin and password is not None and not verify_password(user, password):
        raise PermissionDeniedError("password: does not match")
    kept = account_repo.comments_by(session, user.id)
    repo.delete_sessions(session, user.id)
    account_repo.erase_belongings(session, user.id)
    user.email = None
    user.password_hash = None
    user.display_name = DELETED_NAME
    user.is_active = False
    user.deleted_at = utcnow()
    user.organisation_id = None
    user.roles = []
    audit.record(
        session, actor_id=None, action="account.delete", entity_type="user", entity_id=user.id
    )
    session.commit()
    return int(kept)
