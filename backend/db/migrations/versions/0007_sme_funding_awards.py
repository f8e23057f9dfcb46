"""funding schemes, guide, awards, sub-packages, imports (issue 15)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
OLD_ROLES = "role IN ('citizen', 'sme', 'planner', 'moderator', 'admin')"
NEW_ROLES = "role IN ('citizen', 'sme', 'planner', 'moderator', 'admin', 'funder', 'contractor')"


def _timestamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table("user_roles", recreate="always") as batch_op:
        batch_op.drop_constraint("ck_user_role", type_="check")
        batch_op.create_check_constraint("ck_user_role", NEW_ROLES)

    # Plain ALTER TABLE ADD COLUMN on both engines: a batch copy of a spatial table would lose
    # SpatiaLite's geometry registration (and Alembic's SQLite dialect will not add a column
    # with a foreign key, which SQLite itself does, so it is written out).
    for column, target, on_delete in (
        ("parent_id", "opportunities", "CASCADE"),
        ("contractor_organisation_id", "organisations", "SET NULL"),
    ):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(
                f"ALTER TABLE opportunities ADD COLUMN {column} INTEGER "
                f"REFERENCES {target} (id) ON DELETE {on_delete}"
            )
        else:
            op.add_column(
                "opportunities",
                sa.Column(
                    column,
                    sa.Integer(),
                    sa.ForeignKey(f"{target}.id", ondelete=on_delete),
                    nullable=True,
                ),
            )
    op.add_column("opportunities", sa.Column("source_ocid", sa.String(200), nullable=True))
    op.create_index("ix_opportunities_parent_id", "opportunities", ["parent_id"])
    op.create_index("ix_opportunities_source_ocid", "opportunities", ["source_ocid"], unique=True)

    op.create_geospatial_table(
        "funding_schemes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(200), nullable=False),
        sa.Column("translations", JSON, nullable=False),
        sa.Column("amount_min", sa.Numeric(14, 2), nullable=True),
        sa.Column("amount_max", sa.Numeric(14, 2), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("sizes", JSON, nullable=False),
        sa.Column("sectors", JSON, nullable=False),
        sa.Column("stages", JSON, nullable=False),
        sa.Column(
            "area",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("other_criteria", sa.Text(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=True),
        sa.Column("closes_on", sa.Date(), nullable=True),
        sa.Column("rolling", sa.Boolean(), nullable=False),
        sa.Column("how_to_apply", sa.Text(), nullable=False),
        sa.Column("apply_url", sa.String(500), nullable=True),
        sa.Column("contact_name", sa.String(200), nullable=True),
        sa.Column("contact_email", sa.String(320), nullable=True),
        sa.Column("contact_phone", sa.String(50), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(
            "kind IN ('grant', 'loan', 'guarantee', 'equity', 'advice', 'training')",
            name="ck_scheme_kind",
        ),
        sa.CheckConstraint("status IN ('draft', 'published', 'closed')", name="ck_scheme_status"),
        sa.CheckConstraint(
            "amount_min IS NULL OR amount_max IS NULL OR amount_min <= amount_max",
            name="ck_scheme_amounts",
        ),
        sa.CheckConstraint(
            "opens_on IS NULL OR closes_on IS NULL OR opens_on <= closes_on",
            name="ck_scheme_dates",
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("funding_schemes") as batch_op:
        batch_op.create_geospatial_index(
            "idx_funding_schemes_area",
            ["area"],
            unique=False,
            postgresql_using="gist",
            postgresql_ops={},
        )
        batch_op.create_index("ix_funding_schemes_kind", ["kind"])
        batch_op.create_index("ix_funding_schemes_status", ["status"])
        batch_op.create_index("ix_funding_schemes_closes_on", ["closes_on"])

    op.create_table(
        "scheme_opportunities",
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["scheme_id"], ["funding_schemes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("scheme_id", "opportunity_id"),
    )
    op.create_index(
        "ix_scheme_opportunities_opportunity_id", "scheme_opportunities", ["opportunity_id"]
    )

    op.create_table(
        "guide_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("journey", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("translations", JSON, nullable=False),
        sa.Column("provider", sa.String(200), nullable=False),
        sa.Column("cost", sa.String(200), nullable=False),
        sa.Column("duration", sa.String(200), nullable=False),
        sa.Column("url", sa.String(500), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(
            "journey IN ('start', 'grow', 'bid', 'abroad')", name="ck_guide_journey"
        ),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_guide_steps_journey", "guide_steps", ["journey"])

    op.create_table(
        "grant_awards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("awarded_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount >= 0", name="ck_grant_amount"),
        sa.ForeignKeyConstraint(["scheme_id"], ["funding_schemes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_grant_awards_scheme_id", "grant_awards", ["scheme_id"])
    op.create_index("ix_grant_awards_organisation_id", "grant_awards", ["organisation_id"])

    op.create_table(
        "contract_awards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("supplier_size", sa.String(16), nullable=False),
        sa.Column("value_amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("awarded_on", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("value_amount >= 0", name="ck_award_value"),
        sa.CheckConstraint(
            "supplier_size IN ('micro', 'small', 'medium', 'large')", name="ck_award_size"
        ),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["supplier_id"], ["organisations.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("opportunity_id", "supplier_id", name="uq_award_supplier"),
    )
    op.create_index("ix_contract_awards_opportunity_id", "contract_awards", ["opportunity_id"])
    op.create_index("ix_contract_awards_supplier_id", "contract_awards", ["supplier_id"])


def downgrade() -> None:
    op.drop_table("contract_awards")
    op.drop_table("grant_awards")
    op.drop_table("guide_steps")
    op.drop_table("scheme_opportunities")
    with op.batch_alter_table("funding_schemes") as batch_op:
        batch_op.drop_geospatial_index(
            "idx_funding_schemes_area", postgresql_using="gist", column_name="area"
        )
    op.drop_geospatial_table("funding_schemes")
    op.drop_index("ix_opportunities_source_ocid", "opportunities")
    op.drop_index("ix_opportunities_parent_id", "opportunities")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite (>= 3.35) drops plain columns in place; a REFERENCES column it refuses, so the
        # two foreign-key columns stay, unused, until the table is rebuilt by 0001's downgrade.
        op.execute("ALTER TABLE opportunities DROP COLUMN source_ocid")
    else:
        for column in ("source_ocid", "contractor_organisation_id", "parent_id"):
            op.drop_column("opportunities", column)
    op.execute("DELETE FROM user_roles WHERE role IN ('funder', 'contractor')")
    with op.batch_alter_table("user_roles", recreate="always") as batch_op:
        batch_op.drop_constraint("ck_user_role", type_="check")
        batch_op.create_check_constraint("ck_user_role", OLD_ROLES)
