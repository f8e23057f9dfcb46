"""The domain model of DESIGN.md as SQLAlchemy 2 + GeoAlchemy2 tables, for SpatiaLite and PostGIS.

Names follow UK Digital Planning Data and OCDS. Spatial columns are EPSG:4326 (lon/lat) with a
spatial index; heights are separate columns in metres. Lists that are filtered by prefix in SQL
(CPV codes, roles) are child tables; lists that are only read back whole are JSON.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from backend.db.types import JSONType, UTCDateTime, geometry, utcnow

ROLES = ("citizen", "sme", "planner", "moderator", "admin", "funder", "contractor")
STAGES = ("draft", "consultation", "assessment", "decided")
DECISIONS = ("approved", "refused", "withdrawn")
SENTIMENTS = ("objection", "neutral", "supportive")
TOPICS = ("design", "use", "light", "privacy", "access", "noise", "traffic", "other")
COMMENT_STATES = ("published", "hidden", "deleted")
REACTIONS = ("agree", "disagree")
REPORT_REASONS = ("spam", "offensive", "off_topic")
OPPORTUNITY_STATUSES = ("planning", "planned", "active", "cancelled", "complete")
ORGANISATION_SIZES = ("micro", "small", "medium", "large")
ALERT_FREQUENCIES = ("immediate", "daily", "weekly")
#: What a saved search looks for: work packages, or funding and support schemes (issue 15).
SEARCH_TARGETS = ("opportunities", "funding")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSONType, list[Any]: JSONType, datetime: UTCDateTime}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Organisation(TimestampMixin, Base):
    """An SME (or other supplier) profile: sectors as CPV prefixes, location and reach."""

    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint(_in("size", ORGANISATION_SIZES), name="ck_org_size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    size: Mapped[str] = mapped_column(String(16), default="micro")
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str | None] = mapped_column(String(500))
    sectors: Mapped[list[Any]] = mapped_column(default=list)  # CPV prefixes, e.g. ["4521", "4526"]
    location = mapped_column(geometry("POINT"), nullable=True)
    service_radius_km: Mapped[float | None] = mapped_column(Float)
    identifier: Mapped[str | None] = mapped_column(String(100))  # e.g. a company number


class User(TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)  # None once deleted
    password_hash: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(100))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    consent_at: Mapped[datetime | None] = mapped_column()
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    deleted_at: Mapped[datetime | None] = mapped_column()
    last_login_at: Mapped[datetime | None] = mapped_column()
    locale: Mapped[str] = mapped_column(String(8), default="en")
    email_verified_at: Mapped[datetime | None] = mapped_column()  # None until the link is used

    roles: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="user"
    )
    organisation: Mapped[Organisation | None] = relationship(lazy="selectin")

    @property
    def role_names(self) -> set[str]:
        return {r.role for r in self.roles}


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="ck_user_role"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    user: Mapped[User] = relationship(back_populates="roles")


class ApiToken(Base):
    """A bearer token for API clients; only its hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class UserSession(Base):
    """A signed-in browser session; only a hash of the cookie value is stored."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    user_agent: Mapped[str] = mapped_column(String(300), default="")


class AccountThrottle(Base):
    """An atomic throttle counter: failed sign-ins per account and client, registrations per
    address, reset mails per account. Times are Unix seconds so that the back-off arithmetic is
    the same SQL on SQLite and PostgreSQL (``backend.repositories.account_throttles``)."""

    __tablename__ = "account_throttles"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    backoff_s: Mapped[float] = mapped_column(Float, default=0.0)
    blocked_until_s: Mapped[float] = mapped_column(Float, default=0.0)
    updated_s: Mapped[float] = mapped_column(Float, default=0.0, index=True)
    last_success_s: Mapped[float | None] = mapped_column(Float)


class AccountToken(Base):
    """A single-use, expiring token mailed to the account's address (verify or reset)."""

    __tablename__ = "account_tokens"
    __table_args__ = (
        CheckConstraint("purpose IN ('verify', 'reset')", name="ck_account_token_purpose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(8))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


class Tileset(Base):
    """A city tileset built by the pipeline and served under ``/tiles/<name>/``."""

    __tablename__ = "tilesets"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    attribution: Mapped[str] = mapped_column(Text, default="")
    licence: Mapped[str | None] = mapped_column(String(100))
    bbox: Mapped[list[Any] | None] = mapped_column()  # [west, south, east, north] in degrees
    building_count: Mapped[int] = mapped_column(Integer, default=0)
    built_at: Mapped[datetime] = mapped_column(default=utcnow)
    report: Mapped[dict[str, Any] | None] = mapped_column()


class Building(Base):
    """An existing city building, loaded by the tiles pipeline."""

    __tablename__ = "buildings"
    __table_args__ = (UniqueConstraint("tileset", "building_id", name="uq_building_tileset_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tileset: Mapped[str] = mapped_column(ForeignKey("tilesets.name", ondelete="CASCADE"))
    building_id: Mapped[str] = mapped_column(String(100), index=True)  # stable, from the source
    source_id: Mapped[str | None] = mapped_column(String(100))
    footprint = mapped_column(geometry("MULTIPOLYGON"), nullable=False)
    height_m: Mapped[float] = mapped_column(Float)
    base_height_m: Mapped[float] = mapped_column(Float, default=0.0)
    levels: Mapped[float | None] = mapped_column(Float)
    height_source: Mapped[str] = mapped_column(String(32))
    building_type: Mapped[str | None] = mapped_column(String(100))
    name: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(300))
    dataset: Mapped[str | None] = mapped_column(String(100))
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Proposal(TimestampMixin, Base):
    """A development proposal (planning application) with its site, massing and consultation."""

    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint(_in("stage", STAGES), name="ck_proposal_stage"),
        CheckConstraint(f"decision IS NULL OR {_in('decision', DECISIONS)}", name="ck_decision"),
        CheckConstraint("dwellings IS NULL OR dwellings >= 0", name="ck_dwellings"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(50), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    application_type: Mapped[str] = mapped_column(String(50), default="full")
    stage: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    decision: Mapped[str | None] = mapped_column(String(16))
    site_address: Mapped[str] = mapped_column(String(300), default="")
    site_boundary = mapped_column(geometry("MULTIPOLYGON"), nullable=True)
    use_classes_existing: Mapped[list[Any]] = mapped_column(default=list)
    use_classes_proposed: Mapped[list[Any]] = mapped_column(default=list)
    dwellings: Mapped[int | None] = mapped_column(Integer)
    floor_area_existing_m2: Mapped[float | None] = mapped_column(Float)
    floor_area_proposed_m2: Mapped[float | None] = mapped_column(Float)
    consultation_start: Mapped[date | None] = mapped_column(Date)
    consultation_end: Mapped[date | None] = mapped_column(Date)
    decision_date: Mapped[date | None] = mapped_column(Date)
    # A placed glTF model: {"document_id", "lon", "lat", "height_m", "heading_deg", "scale"}.
    model: Mapped[dict[str, Any] | None] = mapped_column()
    replaces: Mapped[list[Any]] = mapped_column(default=list)  # building ids in the city tileset
    tileset: Mapped[str | None] = mapped_column(String(100))  # the city tileset it sits in
    published_at: Mapped[datetime | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    massing: Mapped[list[MassingBuilding]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="MassingBuilding.id"
    )


class MassingBuilding(Base):
    """One block of a proposal's massing model (footprint extruded from base to height)."""

    __tablename__ = "massing_buildings"
    __table_args__ = (
        CheckConstraint("height_m > base_height_m", name="ck_massing_height"),
        CheckConstraint("height_m <= 1000", name="ck_massing_height_max"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100), default="")
    footprint = mapped_column(geometry("POLYGON"), nullable=False)
    height_m: Mapped[float] = mapped_column(Float)
    base_height_m: Mapped[float] = mapped_column(Float, default=0.0)
    storeys: Mapped[int | None] = mapped_column(Integer)


class Document(Base):
    """An uploaded file (PDF, image, glb) stored outside the web root under a random key."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="document")  # document | model
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Comment(Base):
    """A citizen's comment on a proposal, optionally anchored in 3D."""

    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint(_in("sentiment", SENTIMENTS), name="ck_comment_sentiment"),
        CheckConstraint(_in("state", COMMENT_STATES), name="ck_comment_state"),
        CheckConstraint("depth BETWEEN 1 AND 3", name="ck_comment_depth"),
        Index("ix_comments_proposal_created", "proposal_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    depth: Mapped[int] = mapped_column(Integer, default=1)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    sentiment: Mapped[str] = mapped_column(String(16), default="neutral")
    topics: Mapped[list[Any]] = mapped_column(default=list)
    anchor_point = mapped_column(geometry("POINT"), nullable=True)
    anchor_height_m: Mapped[float | None] = mapped_column(Float)
    anchor_building_id: Mapped[str | None] = mapped_column(String(100), index=True)
    # salted hash of the poster's address, for per-IP rate limits; never shown
    author_ip_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # {"position": {"lon", "lat", "height"}, "heading", "pitch", "roll"} in degrees / metres
    camera: Mapped[dict[str, Any] | None] = mapped_column()
    # one point of an impact study the comment refers to: {"analysis", "index", "job_id"}
    anchor_impact: Mapped[dict[str, Any] | None] = mapped_column()
    # the design variant the comment is about (issue 14; backend/db/models_engagement.py)
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal_variants.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[str] = mapped_column(String(16), default="published", index=True)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    agree_count: Mapped[int] = mapped_column(Integer, default=0)
    disagree_count: Mapped[int] = mapped_column(Integer, default=0)
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column()
    deleted_at: Mapped[datetime | None] = mapped_column()


class Reaction(Base):
    __tablename__ = "reactions"
    __table_args__ = (
        UniqueConstraint("comment_id", "user_id", name="uq_reaction_one_per_user"),
        CheckConstraint(_in("kind", REACTIONS), name="ck_reaction_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("comment_id", "reporter_id", name="uq_report_one_per_user"),
        CheckConstraint(_in("reason", REPORT_REASONS), name="ck_report_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(String(16))
    details: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column()
    resolution: Mapped[str | None] = mapped_column(String(16))  # hidden | restored | dismissed


class Opportunity(TimestampMixin, Base):
    """A work package of a development, published as an OCDS release."""

    __tablename__ = "opportunities"
    __table_args__ = (
        CheckConstraint(_in("status", OPPORTUNITY_STATUSES), name="ck_opportunity_status"),
        CheckConstraint(
            "value_min IS NULL OR value_max IS NULL OR value_min <= value_max",
            name="ck_opportunity_value_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    value_amount = mapped_column(Numeric(14, 2), nullable=True)
    value_min = mapped_column(Numeric(14, 2), nullable=True)
    value_max = mapped_column(Numeric(14, 2), nullable=True)
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    sme_suitable: Mapped[bool] = mapped_column(Boolean, default=True)
    tender_start: Mapped[datetime | None] = mapped_column()
    tender_end: Mapped[datetime | None] = mapped_column(index=True)
    contract_start: Mapped[date | None] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)
    delivery_location = mapped_column(geometry("GEOMETRY"), nullable=True)  # point or polygon
    status: Mapped[str] = mapped_column(String(16), default="planning", index=True)
    social_value: Mapped[list[Any]] = mapped_column(default=list)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    published_at: Mapped[datetime | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # issue 15 (migration 0007): a sub-package's parent work package and the contractor that
    # posted it; the ocid of an imported OCDS release (re-imports update by it)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), index=True
    )
    contractor_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    source_ocid: Mapped[str | None] = mapped_column(String(200), unique=True, index=True)

    cpv: Mapped[list[OpportunityCPV]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="OpportunityCPV.position"
    )


class OpportunityCPV(Base):
    """One CPV 2008 code of an opportunity (a child table so prefix filters run in SQL)."""

    __tablename__ = "opportunity_cpv"

    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(10), primary_key=True, index=True)  # "45210000-2"
    position: Mapped[int] = mapped_column(Integer, default=0)


class InterestRegistration(Base):
    __tablename__ = "interest_registrations"
    __table_args__ = (
        UniqueConstraint("opportunity_id", "organisation_id", name="uq_interest_one_per_org"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column()


class SavedSearch(Base):
    __tablename__ = "saved_searches"
    __table_args__ = (
        CheckConstraint(_in("frequency", ALERT_FREQUENCIES), name="ck_saved_search_frequency"),
        CheckConstraint(_in("target", SEARCH_TARGETS), name="ck_saved_search_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # the filters: OpportunityFilters, or FundingSearchFilters for target "funding"
    query: Mapped[dict[str, Any]] = mapped_column(default=dict)
    target: Mapped[str] = mapped_column(String(16), default="opportunities")
    frequency: Mapped[str] = mapped_column(String(16), default="daily")
    # alerts paused by the owner or by the e-mail's stop link; the search itself stays
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_run_at: Mapped[datetime | None] = mapped_column()


class AlertDelivery(Base):
    """Which opportunity was already sent for which saved search: no duplicates across runs."""

    __tablename__ = "alert_deliveries"

    saved_search_id: Mapped[int] = mapped_column(
        ForeignKey("saved_searches.id", ondelete="CASCADE"), primary_key=True
    )
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True
    )
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """An e-mail waiting to be sent (or printed when no SMTP server is configured)."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # after a failure the next try waits (back-off); None: at the next run
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    # one-click unsubscribe (RFC 8058): sent as List-Unsubscribe and List-Unsubscribe-Post
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))


class AuditLog(Base):
    """Who did what when: stage changes, moderation, role changes, account deletion."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(50))
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class IdempotencyKey(Base):
    """A creating request sent with an ``Idempotency-Key``: recorded in the same transaction as
    what it created, its response kept for replay (``backend.api.idempotency``)."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope_hash", "key", name="uq_idempotency_scope_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_hash: Mapped[str] = mapped_column(String(64))  # whose key: a hash of the credential
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))  # method, path, query and body
    status: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: the rows the request created, as JSON ``[[table, id], ...]`` (in the order added)
    created: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


# Feature tables declared in their own modules (one per area of work), on the same Base.
from backend.db import (  # noqa: E402, F401
    models_engagement,
    models_impact,
    models_sme,
    models_twin,
)
