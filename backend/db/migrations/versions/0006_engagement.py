"""responses, follows, notifications, variants, questionnaires, timeline (issue 14)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("frequency", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "frequency IN ('immediate', 'daily', 'weekly', 'off')",
            name="ck_notification_pref_frequency",
        ),
        sa.CheckConstraint(
            "kind IN ('new_proposal', 'stage_change', 'new_document', 'reply', 'official_response', 'closing_soon')",
            name="ck_notification_pref_kind",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "kind"),
    )
    op.create_table(
        "unsubscribe_tokens",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "comment_themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_comment_themes_proposal_id"), "comment_themes", ["proposal_id"], unique=False
    )
    op.create_geospatial_table(
        "follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column(
            "area",
            Geometry(
                geometry_type="POLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("center_lon", sa.Float(), nullable=True),
        sa.Column("center_lat", sa.Float(), nullable=True),
        sa.Column("radius_m", sa.Float(), nullable=True),
        sa.Column("min_lon", sa.Float(), nullable=True),
        sa.Column("min_lat", sa.Float(), nullable=True),
        sa.Column("max_lon", sa.Float(), nullable=True),
        sa.Column("max_lat", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(proposal_id IS NULL) <> (area IS NULL)", name="ck_follow_proposal_or_area"
        ),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "proposal_id", name="uq_follow_proposal"),
    )
    with op.batch_alter_table("follows", schema=None) as batch_op:
        batch_op.create_geospatial_index(
            "idx_follows_area", ["area"], unique=False, postgresql_using="gist", postgresql_ops={}
        )
    op.create_index(
        "ix_follows_bbox", "follows", ["min_lon", "max_lon", "min_lat", "max_lat"], unique=False
    )
    op.create_index(op.f("ix_follows_proposal_id"), "follows", ["proposal_id"], unique=False)
    op.create_index(op.f("ix_follows_user_id"), "follows", ["user_id"], unique=False)
    op.create_table(
        "notification_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("data", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('new_proposal', 'stage_change', 'new_document', 'reply', 'official_response', 'closing_soon')",
            name="ck_event_kind",
        ),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_notification_events_processed_at"),
        "notification_events",
        ["processed_at"],
        unique=False,
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("delivery", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "delivery IN ('immediate', 'daily', 'weekly', 'off')", name="ck_notification_delivery"
        ),
        sa.CheckConstraint(
            "kind IN ('new_proposal', 'stage_change', 'new_document', 'reply', 'official_response', 'closing_soon')",
            name="ck_notification_kind",
        ),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "dedupe_key", name="uq_notification_once"),
    )
    op.create_index("ix_notifications_dedupe", "notifications", ["dedupe_key"], unique=False)
    op.create_index(
        "ix_notifications_user_created", "notifications", ["user_id", "created_at"], unique=False
    )
    op.create_table(
        "proposal_variants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "massing", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column("model", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proposal_id", "name", name="uq_variant_name"),
    )
    op.create_index(
        op.f("ix_proposal_variants_proposal_id"), "proposal_variants", ["proposal_id"], unique=False
    )
    op.create_table(
        "questionnaire_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proposal_id", "user_id", name="uq_submission_once"),
    )
    op.create_index(
        op.f("ix_questionnaire_submissions_proposal_id"),
        "questionnaire_submissions",
        ["proposal_id"],
        unique=False,
    )
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("prompt", sa.String(length=300), nullable=False),
        sa.Column(
            "options", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("rating_max", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('single', 'multiple', 'rating', 'text', 'point')", name="ck_question_kind"
        ),
        sa.CheckConstraint("rating_max BETWEEN 2 AND 10", name="ck_question_rating_max"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_questions_proposal_id"), "questions", ["proposal_id"], unique=False)
    op.create_geospatial_table(
        "answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column(
            "choices", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column(
            "point",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["question_id"], ["questions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["questionnaire_submissions.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("submission_id", "question_id", name="uq_answer_once"),
    )
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.create_geospatial_index(
            "idx_answers_point", ["point"], unique=False, postgresql_using="gist", postgresql_ops={}
        )
    op.create_index(op.f("ix_answers_question_id"), "answers", ["question_id"], unique=False)
    op.create_table(
        "variant_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["variant_id"], ["proposal_variants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "proposal_id"),
    )
    op.create_index(
        op.f("ix_variant_preferences_variant_id"),
        "variant_preferences",
        ["variant_id"],
        unique=False,
    )
    op.create_table(
        "comment_theme_members",
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["theme_id"], ["comment_themes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("theme_id", "comment_id"),
    )
    op.create_index(
        op.f("ix_comment_theme_members_comment_id"),
        "comment_theme_members",
        ["comment_id"],
        unique=False,
    )
    op.create_table(
        "consultation_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column(
            "counts", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("html_document_id", sa.Integer(), nullable=True),
        sa.Column("csv_document_id", sa.Integer(), nullable=True),
        sa.Column("generated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("trigger IN ('close', 'on_demand')", name="ck_report_trigger"),
        sa.ForeignKeyConstraint(["csv_document_id"], ["documents.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["generated_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["html_document_id"], ["documents.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_consultation_reports_proposal_id"),
        "consultation_reports",
        ["proposal_id"],
        unique=False,
    )
    op.create_table(
        "official_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("disposition", sa.String(length=24), nullable=False),
        sa.Column("change_made", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("responder_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "disposition <> 'not_taken_forward' OR reason IS NOT NULL", name="ck_response_reason"
        ),
        sa.CheckConstraint(
            "disposition <> 'scheme_changed' OR change_made IS NOT NULL",
            name="ck_response_change_made",
        ),
        sa.CheckConstraint(
            "disposition IN ('noted', 'scheme_changed', 'not_taken_forward')",
            name="ck_response_disposition",
        ),
        sa.CheckConstraint(
            "(comment_id IS NULL) <> (theme_id IS NULL)", name="ck_response_one_target"
        ),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["responder_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["theme_id"], ["comment_themes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("comment_id"),
        sa.UniqueConstraint("theme_id"),
    )
    op.create_index(
        op.f("ix_official_responses_proposal_id"),
        "official_responses",
        ["proposal_id"],
        unique=False,
    )

    # Plain ALTER TABLE, not batch mode (a batch copy of a SpatiaLite table with a geometry
    # column breaks its spatial metadata). On SQLite the column has no foreign key, so that
    # the downgrade can drop it natively; the variants service clears it before a variant goes.
    op.add_column("comments", sa.Column("variant_id", sa.Integer(), nullable=True))
    op.create_index("ix_comments_variant_id", "comments", ["variant_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.create_foreign_key(
            "fk_comments_variant_id",
            "comments",
            "proposal_variants",
            ["variant_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.add_column("outbox", sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("outbox", sa.Column("unsubscribe_url", sa.String(length=500), nullable=True))


def downgrade() -> None:
    op.drop_column("outbox", "unsubscribe_url")
    op.drop_column("outbox", "next_attempt_at")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_comments_variant_id", "comments", type_="foreignkey")
    op.drop_index("ix_comments_variant_id", table_name="comments")
    op.drop_column("comments", "variant_id")
    op.drop_table("official_responses")
    op.drop_table("consultation_reports")
    op.drop_table("comment_theme_members")
    op.drop_table("variant_preferences")
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_geospatial_index(
            "idx_answers_point", postgresql_using="gist", column_name="point"
        )
    op.drop_geospatial_table("answers")
    op.drop_table("questions")
    op.drop_table("questionnaire_submissions")
    op.drop_table("proposal_variants")
    op.drop_table("notifications")
    op.drop_table("notification_events")
    with op.batch_alter_table("follows", schema=None) as batch_op:
        batch_op.drop_geospatial_index(
            "idx_follows_area", postgresql_using="gist", column_name="area"
        )
    op.drop_geospatial_table("follows")
    op.drop_table("comment_themes")
    op.drop_table("unsubscribe_tokens")
    op.drop_table("notification_preferences")
