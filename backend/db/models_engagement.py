"""Tables for official responses, follows, notifications, variants, questionnaires (issue 14).

Declared on the same ``Base`` as ``backend.db.models``; imported at the end of that module so
that its metadata (and Alembic) see them. The rules these tables carry are in
docs/engagement.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.models import Base, _in
from backend.db.types import geometry, utcnow

DISPOSITIONS = ("noted", "scheme_changed", "not_taken_forward")
NOTIFICATION_KINDS = (
    "new_proposal",
    "stage_change",
    "new_document",
    "reply",
    "official_response",
    "closing_soon",
)
#: ``off``: kept in the in-app list only, no e-mail.
NOTIFICATION_FREQUENCIES = ("immediate", "daily", "weekly", "off")
QUESTION_KINDS = ("single", "multiple", "rating", "text", "point")
REPORT_TRIGGERS = ("close", "on_demand")


class CommentTheme(Base):
    """A planner-selected group of comments answered together."""

    __tablename__ = "comment_themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommentThemeMember(Base):
    __tablename__ = "comment_theme_members"

    theme_id: Mapped[int] = mapped_column(
        ForeignKey("comment_themes.id", ondelete="CASCADE"), primary_key=True
    )
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class OfficialResponse(Base):
    """The council's answer to one comment or one theme, with its disposition."""

    __tablename__ = "official_responses"
    __table_args__ = (
        CheckConstraint(
            "(comment_id IS NULL) <> (theme_id IS NULL)", name="ck_response_one_target"
        ),
        CheckConstraint(_in("disposition", DISPOSITIONS), name="ck_response_disposition"),
        CheckConstraint(
            "disposition <> 'scheme_changed' OR change_made IS NOT NULL",
            name="ck_response_change_made",
        ),
        CheckConstraint(
            "disposition <> 'not_taken_forward' OR reason IS NOT NULL",
            name="ck_response_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), unique=True
    )
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("comment_themes.id", ondelete="CASCADE"), unique=True
    )
    body: Mapped[str] = mapped_column(Text)
    disposition: Mapped[str] = mapped_column(String(24))
    change_made: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    responder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Follow(Base):
    """An account following a proposal, or an area (a polygon; a radius is stored as its
    geodesic polygon together with the centre and radius it came from). The bbox columns are
    a portable prefilter in front of ``ST_Intersects`` in the fan-out."""

    __tablename__ = "follows"
    __table_args__ = (
        UniqueConstraint("user_id", "proposal_id", name="uq_follow_proposal"),
        CheckConstraint(
            "(proposal_id IS NULL) <> (area IS NULL)", name="ck_follow_proposal_or_area"
        ),
        Index("ix_follows_bbox", "min_lon", "max_lon", "min_lat", "max_lat"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(200), default="")
    area = mapped_column(geometry("POLYGON"), nullable=True)
    center_lon: Mapped[float | None] = mapped_column(Float)
    center_lat: Mapped[float | None] = mapped_column(Float)
    radius_m: Mapped[float | None] = mapped_column(Float)
    min_lon: Mapped[float | None] = mapped_column(Float)
    min_lat: Mapped[float | None] = mapped_column(Float)
    max_lon: Mapped[float | None] = mapped_column(Float)
    max_lat: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationPreference(Base):
    """How often an account is e-mailed about one kind of notification (no row: immediate)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        CheckConstraint(_in("kind", NOTIFICATION_KINDS), name="ck_notification_pref_kind"),
        CheckConstraint(
            _in("frequency", NOTIFICATION_FREQUENCIES), name="ck_notification_pref_frequency"
        ),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    frequency: Mapped[str] = mapped_column(String(16))


class UnsubscribeToken(Base):
    """The signed one-click unsubscribe token of an account, kept so that a set-based fan-out
    can put it in every e-mail's link (it is an HMAC of the account id: checked by recomputing,
    never by looking it up)."""

    __tablename__ = "unsubscribe_tokens"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(64))


class NotificationEvent(Base):
    """Something that happened and must be fanned out: written in the transaction of the change
    itself (so it is never lost), fanned out after the request by the scheduler step."""

    __tablename__ = "notification_events"
    __table_args__ = (CheckConstraint(_in("kind", NOTIFICATION_KINDS), name="ck_event_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    dedupe_key: Mapped[str] = mapped_column(String(120))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(index=True)


class Notification(Base):
    """One notification of one account: shown in the app, e-mailed at once or in a digest.
    ``(user_id, dedupe_key)`` is unique, so nothing is notified twice."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key", name="uq_notification_once"),
        CheckConstraint(_in("kind", NOTIFICATION_KINDS), name="ck_notification_kind"),
        CheckConstraint(_in("delivery", NOTIFICATION_FREQUENCIES), name="ck_notification_delivery"),
        Index("ix_notifications_user_created", "user_id", "created_at"),
        Index("ix_notifications_dedupe", "dedupe_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    dedupe_key: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    delivery: Mapped[str] = mapped_column(String(16), default="immediate")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column()
    queued_at: Mapped[datetime | None] = mapped_column()  # put in the outbox (alone or a digest)


class ProposalVariant(Base):
    """A design variant of a proposal: 2-4 per proposal, each with its own massing (a GeoJSON
    FeatureCollection of blocks, as ``PUT /proposals/{id}/massing`` takes) or a placed model
    (``{"document_id", "lon", "lat", "height_m", "heading_deg", "scale"}``)."""

    __tablename__ = "proposal_variants"
    __table_args__ = (UniqueConstraint("proposal_id", "name", name="uq_variant_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    massing: Mapped[dict[str, Any] | None] = mapped_column()
    model: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class VariantPreference(Base):
    """The one variant an account prefers, per proposal (changeable)."""

    __tablename__ = "variant_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("proposal_variants.id", ondelete="CASCADE"), index=True
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Question(Base):
    """A question of a proposal's consultation questionnaire."""

    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint(_in("kind", QUESTION_KINDS), name="ck_question_kind"),
        CheckConstraint("rating_max BETWEEN 2 AND 10", name="ck_question_rating_max"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16))
    prompt: Mapped[str] = mapped_column(String(300))
    options: Mapped[list[Any]] = mapped_column(default=list)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    rating_max: Mapped[int] = mapped_column(Integer, default=5)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuestionnaireSubmission(Base):
    """One account's answers to one proposal's questionnaire: once (a second is 409)."""

    __tablename__ = "questionnaire_submissions"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id", name="uq_submission_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("submission_id", "question_id", name="uq_answer_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_submissions.id", ondelete="CASCADE")
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    choices: Mapped[list[Any]] = mapped_column(default=list)  # option indices
    rating: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)
    point = mapped_column(geometry("POINT"), nullable=True)


class ConsultationReport(Base):
    """A generated consultation report: its counts and the documents it was attached as."""

    __tablename__ = "consultation_reports"
    __table_args__ = (CheckConstraint(_in("trigger", REPORT_TRIGGERS), name="ck_report_trigger"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    trigger: Mapped[str] = mapped_column(String(16))
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    html_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL")
    )
    csv_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL")
    )
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
