"""Tables for impact analysis jobs and results (issue 13).

Declared on the same ``Base`` as ``backend.db.models``; imported at the end of that module so
that its metadata (and Alembic) see them.

- ``impact_results``: one row per *scene* (a hash of the buildings within reach, the massing,
  what it replaces and the study options), so an unchanged scene is never computed twice; the
  full results are gzip-compressed JSON (a study of a tall scheme is several MB of points).
- ``impact_jobs``: one row per request to study a proposal (or one of its variants); status,
  progress and the reason of a failure; a heartbeat so a job whose process died is picked up
  again.
- ``impact_viewpoints``: protected views saved by planners, for one proposal or city-wide.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.db.models import Base, Proposal
from backend.db.types import utcnow

JOB_STATES = ("queued", "running", "done", "failed", "superseded")
#: What asked for a study: a planner's button, a massing or model change, publication.
JOB_REASONS = ("requested", "massing", "model", "published")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ImpactResult(Base):
    """The results of one scene's study (before, after, difference), shared by every job of it."""

    __tablename__ = "impact_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    scene_hash: Mapped[str] = mapped_column(String(64), unique=True)
    tileset: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)  # gzip-compressed JSON of the study
    summary: Mapped[dict[str, Any]] = mapped_column()  # codes and numbers (see services)
    seconds: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImpactJob(Base):
    """A study of a proposal (or a variant of it) queued, running, done or failed."""

    __tablename__ = "impact_jobs"
    __table_args__ = (
        CheckConstraint(_in("status", JOB_STATES), name="ck_impact_job_status"),
        CheckConstraint(_in("reason", JOB_REASONS), name="ck_impact_job_reason"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="ck_impact_job_progress"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    # design variants (issue 14): a seam; no foreign key until variants have a table
    variant_id: Mapped[int | None] = mapped_column(Integer)
    scene_hash: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    reason: Mapped[str] = mapped_column(String(16), default="requested")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    stage: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    inputs: Mapped[dict[str, Any]] = mapped_column()  # massing, replaces, options, bbox
    result_id: Mapped[int | None] = mapped_column(
        ForeignKey("impact_results.id", ondelete="SET NULL")
    )
    worker: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    heartbeat_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()

    proposal: Mapped[Proposal] = relationship(lazy="joined", viewonly=True)
    result: Mapped[ImpactResult | None] = relationship(lazy="select", viewonly=True)

    @property
    def site_boundary(self) -> Any:
        """The studied proposal's site (the geometry of the OGC API ``impact`` collection)."""
        return self.proposal.site_boundary


class ImpactViewpoint(Base):
    """A protected view: an eye and a target (lon/lat/height above the ellipsoid, m)."""

    __tablename__ = "impact_viewpoints"
    __table_args__ = (
        CheckConstraint("fov_deg >= 5 AND fov_deg <= 90", name="ck_impact_viewpoint_fov"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # null: city-wide (every proposal in ``tileset``)
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    tileset: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(100))
    eye_lon: Mapped[float] = mapped_column(Float)
    eye_lat: Mapped[float] = mapped_column(Float)
    eye_height_m: Mapped[float] = mapped_column(Float)
    target_lon: Mapped[float] = mapped_column(Float)
    target_lat: Mapped[float] = mapped_column(Float)
    target_height_m: Mapped[float] = mapped_column(Float)
    landmark_ids: Mapped[list[Any]] = mapped_column(default=list)
    fov_deg: Mapped[float] = mapped_column(Float, default=30.0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
