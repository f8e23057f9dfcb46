"""impact analysis jobs and results (issue 13)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "impact_results",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scene_hash", sa.String(64), nullable=False),
        sa.Column("tileset", sa.String(100), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("summary", _JSON, nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.UniqueConstraint("scene_hash", name="uq_impact_results_scene_hash"),
    )
    op.create_table(
        "impact_jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "proposal_id",
            sa.Integer(),
            sa.ForeignKey("proposals.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("variant_id", sa.Integer(), nullable=True),
        sa.Column("scene_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("inputs", _JSON, nullable=False),
        sa.Column(
            "result_id",
            sa.Integer(),
            sa.ForeignKey("impact_results.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("worker", sa.String(100), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("started_at", _TS, nullable=True),
        sa.Column("heartbeat_at", _TS, nullable=True),
        sa.Column("finished_at", _TS, nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed', 'superseded')",
            name="ck_impact_job_status",
        ),
        sa.CheckConstraint(
            "reason IN ('requested', 'massing', 'model', 'published')",
            name="ck_impact_job_reason",
        ),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="ck_impact_job_progress"),
    )
    op.create_index("ix_impact_jobs_proposal_id", "impact_jobs", ["proposal_id"])
    op.create_index("ix_impact_jobs_scene_hash", "impact_jobs", ["scene_hash"])
    op.create_index("ix_impact_jobs_status", "impact_jobs", ["status"])
    op.create_table(
        "impact_viewpoints",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "proposal_id",
            sa.Integer(),
            sa.ForeignKey("proposals.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("tileset", sa.String(100), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("eye_lon", sa.Float(), nullable=False),
        sa.Column("eye_lat", sa.Float(), nullable=False),
        sa.Column("eye_height_m", sa.Float(), nullable=False),
        sa.Column("target_lon", sa.Float(), nullable=False),
        sa.Column("target_lat", sa.Float(), nullable=False),
        sa.Column("target_height_m", sa.Float(), nullable=False),
        sa.Column("landmark_ids", _JSON, nullable=False),
        sa.Column("fov_deg", sa.Float(), nullable=False),
        sa.Column(
            "created_by_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("created_at", _TS, nullable=False),
        sa.CheckConstraint("fov_deg >= 5 AND fov_deg <= 90", name="ck_impact_viewpoint_fov"),
    )
    op.create_index("ix_impact_viewpoints_proposal_id", "impact_viewpoints", ["proposal_id"])
    op.create_index("ix_impact_viewpoints_tileset", "impact_viewpoints", ["tileset"])
    # a comment may refer to one point of a study: {"analysis", "index", "job_id"}. Plain
    # ALTER TABLE (a batch copy of a SpatiaLite table with a geometry column loses it)
    op.add_column("comments", sa.Column("anchor_impact", _JSON, nullable=True))


def downgrade() -> None:
    op.drop_column("comments", "anchor_impact")
    op.drop_index("ix_impact_viewpoints_tileset", table_name="impact_viewpoints")
    op.drop_index("ix_impact_viewpoints_proposal_id", table_name="impact_viewpoints")
    op.drop_table("impact_viewpoints")
    op.drop_index("ix_impact_jobs_status", table_name="impact_jobs")
    op.drop_index("ix_impact_jobs_scene_hash", table_name="impact_jobs")
    op.drop_index("ix_impact_jobs_proposal_id", table_name="impact_jobs")
    op.drop_table("impact_jobs")
    op.drop_table("impact_results")
