"""SMEs registering interest in opportunities; the publishing planner's list and CSV export."""

from __future__ import annotations

from backend.db.models import InterestRegistration, Organisation, User
from backend.db.types import utcnow
from backend.errors import ConflictError, NotFoundError
from backend.repositories import opportunities as repo
from backend.repositories import session as uow
from backend.repositories.session import Session
from backend.schemas.opportunities import InterestForPublisher, InterestPublic
from backend.services import opportunities
from backend.services.auth import Principal
from backend.services.opendata import to_csv

CLOSED_STATUSES = ("cancelled", "complete")


def _organisation(principal: Principal) -> Organisation:
    org = principal.user.organisation
    if org is None:
        raise ConflictError("organisation: your account has no organisation profile")
    return org


def to_public(reg: InterestRegistration, org: Organisation) -> InterestPublic:
    return InterestPublic(
        id=reg.id,
        opportunity_id=reg.opportunity_id,
        organisation_id=org.id,
        organisation_name=org.name,
        message=reg.message,
        withdrawn=reg.withdrawn_at is not None,
        created_at=reg.created_at,
        updated_at=reg.updated_at,
    )


def register(
    session: Session, principal: Principal, opportunity_id: int, message: str
) -> InterestPublic:
    """Create or update the caller's organisation's registration (idempotent, keeps one row)."""
    opp, _ = opportunities.get_visible(session, principal, opportunity_id)
    org = _organisation(principal)
    if opp.status in CLOSED_STATUSES:
        raise ConflictError(f"status: the opportunity is {opp.status}; interest is closed")
    reg: InterestRegistration | None = None
    for attempt in range(2):
        reg = repo.interest(session, opp.id, org.id)
        if reg is None:
            reg = InterestRegistration(
                opportunity_id=opp.id, organisation_id=org.id, user_id=principal.user.id
            )
            session.add(reg)
        reg.message = message.strip()
        reg.withdrawn_at = None
        reg.updated_at = utcnow()
        try:
            uow.commit(session)
        except uow.UniqueViolation:
            # another request of the same organisation created it meanwhile: update that one
            if attempt:
                raise
            continue
        break
    assert reg is not None
    return to_public(reg, org)


def withdraw(session: Session, principal: Principal, opportunity_id: int) -> InterestPublic:
    opp, _ = opportunities.get_visible(session, principal, opportunity_id)
    org = _organisation(principal)
    reg = repo.interest(session, opp.id, org.id)
    if reg is None:
        raise NotFoundError(f"your organisation has no interest in opportunity {opportunity_id}")
    if reg.withdrawn_at is None:
        reg.withdrawn_at = utcnow()
        session.commit()
    return to_public(reg, org)


def mine(session: Session, principal: Principal) -> list[InterestPublic]:
    org = _organisation(principal)
    return [to_public(r, o) for r, o in repo.interests_of_organisation(session, org.id)]


def _for_publisher(
    reg: InterestRegistration, org: Organisation, user: User | None
) -> InterestForPublisher:
    return InterestForPublisher(
        **to_public(reg, org).model_dump(),
        organisation_size=org.size,
        organisation_sectors=list(org.sectors or []),
        organisation_website=org.website,
        contact_name=None if user is None or user.deleted_at else user.display_name,
        contact_email=None if user is None or user.deleted_at else user.email,
    )


def for_publisher(
    session: Session, principal: Principal, opportunity_id: int, include_withdrawn: bool = False
) -> list[InterestForPublisher]:
    opp, _ = opportunities.require_manageable(session, principal, opportunity_id)
    rows = repo.interests_of(session, [opp.id], active_only=not include_withdrawn)
    return [_for_publisher(r, o, u) for r, o, u in rows]


CSV_COLUMNS = (
    "registration_id",
    "organisation_id",
    "organisation_name",
    "organisation_size",
    "organisation_sectors",
    "organisation_website",
    "contact_name",
    "contact_email",
    "message",
    "registered_at",
    "updated_at",
    "withdrawn",
)


def export_csv(session: Session, principal: Principal, opportunity_id: int) -> str:
    items = for_publisher(session, principal, opportunity_id, include_withdrawn=True)
    return to_csv(
        CSV_COLUMNS,
        (
            [
                item.id,
                item.organisation_id,
                item.organisation_name,
                item.organisation_size,
                " ".join(item.organisation_sectors),
                item.organisation_website,
                item.contact_name,
                item.contact_email,
                item.message,
                item.created_at.isoformat(),
                item.updated_at.isoformat(),
                "yes" if item.withdrawn else "no",
            ]
            for item in items
        ),
    )
