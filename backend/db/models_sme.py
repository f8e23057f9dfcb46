"""Tables for funding schemes, business guide, awards, sub-packages (issue 15).

Declared on the same ``Base`` as ``backend.db.models``; imported at the end of that module so
that its metadata (and Alembic) see them.

Texts shown in five languages are a ``translations`` JSON map ``{lang: {field: text}}`` (English
required): they are read back whole, never filtered in SQL. Scheme sectors and sizes are JSON
lists too: a city has hundreds of schemes, not millions, so eligibility is judged in Python.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.models import ORGANISATION_SIZES, Base, TimestampMixin, _in
from backend.db.types import geometry, utcnow

SCHEME_KINDS = ("grant", "loan", "guarantee", "equity", "advice", "training")
SCHEME_STATUSES = ("draft", "published", "closed")
BUSINESS_STAGES = ("idea", "startup", "growth", "established")
JOURNEYS = ("start", "grow", "bid", "abroad")


class FundingScheme(TimestampMixin, Base):
    """A grant, loan, guarantee, equity, advice or training scheme and who may use it."""

    __tablename__ = "funding_schemes"
    __table_args__ = (
        CheckConstraint(_in("kind", SCHEME_KINDS), name="ck_scheme_kind"),
        CheckConstraint(_in("status", SCHEME_STATUSES), name="ck_scheme_status"),
        CheckConstraint(
            "amount_min IS NULL OR amount_max IS NULL OR amount_min <= amount_max",
            name="ck_scheme_amounts",
        ),
        CheckConstraint(
            "opens_on IS NULL OR closes_on IS NULL OR opens_on <= closes_on",
            name="ck_scheme_dates",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(16), default="published", index=True)
    provider: Mapped[str] = mapped_column(String(200))
    # {"en": {"title": ..., "summary": ...}, "it": {...}, ...}
    translations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    amount_min = mapped_column(Numeric(14, 2), nullable=True)
    amount_max = mapped_column(Numeric(14, 2), nullable=True)
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    sizes: Mapped[list[Any]] = mapped_column(default=list)  # [] = any size
    sectors: Mapped[list[Any]] = mapped_column(default=list)  # [{"scheme": "CPV", "code": "45"}]
    stages: Mapped[list[Any]] = mapped_column(default=list)  # business stages; [] = any
    area = mapped_column(geometry("MULTIPOLYGON"), nullable=True)  # None = anywhere
    other_criteria: Mapped[str] = mapped_column(Text, default="")
    opens_on: Mapped[date | None] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date, index=True)
    rolling: Mapped[bool] = mapped_column(Boolean, default=False)
    how_to_apply: Mapped[str] = mapped_column(Text, default="")
    apply_url: Mapped[str | None] = mapped_column(String(500))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    published_at: Mapped[datetime | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class SchemeOpportunity(Base):
    """A scheme shown beside a work package (e.g. a guarantee for its contract bond)."""

    __tablename__ = "scheme_opportunities"

    scheme_id: Mapped[int] = mapped_column(
        ForeignKey("funding_schemes.id", ondelete="CASCADE"), primary_key=True
    )
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GuideStep(TimestampMixin, Base):
    """One curated step of a journey of the one-stop-shop guide."""

    __tablename__ = "guide_steps"
    __table_args__ = (CheckConstraint(_in("journey", JOURNEYS), name="ck_guide_journey"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    journey: Mapped[str] = mapped_column(String(16), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # {"en": {"title": ..., "description": ...}, ...}
    translations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    provider: Mapped[str] = mapped_column(String(200), default="")
    cost: Mapped[str] = mapped_column(String(200), default="")  # "free", "€50 fee"
    duration: Mapped[str] = mapped_column(String(200), default="")  # "1-2 weeks"
    url: Mapped[str | None] = mapped_column(String(500))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class GrantAward(Base):
    """A grant of a scheme to an organisation (published as 360Giving)."""

    __tablename__ = "grant_awards"
    __table_args__ = (CheckConstraint("amount >= 0", name="ck_grant_amount"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(
        ForeignKey("funding_schemes.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    amount = mapped_column(Numeric(14, 2), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    awarded_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContractAward(Base):
    """The award of a work package to a supplier (an OCDS award; KPIs count these)."""

    __tablename__ = "contract_awards"
    __table_args__ = (
        CheckConstraint("value_amount >= 0", name="ck_award_value"),
        CheckConstraint(_in("supplier_size", ORGANISATION_SIZES), name="ck_award_size"),
        UniqueConstraint("opportunity_id", "supplier_id", name="uq_award_supplier"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), index=True
    )
    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    supplier_size: Mapped[str] = mapped_column(String(16))  # at the time of the award
    value_amount = mapped_column(Numeric(14, 2), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    awarded_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FundingAlertDelivery(Base):
    """Which scheme was already sent for which funding saved search: no scheme is mailed twice."""

    __tablename__ = "funding_alert_deliveries"

    saved_search_id: Mapped[int] = mapped_column(
        ForeignKey("saved_searches.id", ondelete="CASCADE"), primary_key=True
    )
    scheme_id: Mapped[int] = mapped_column(
        ForeignKey("funding_schemes.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
