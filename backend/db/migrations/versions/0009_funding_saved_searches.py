"""saved searches for funding schemes and their alert deliveries (issue 15)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    # batch mode: SQLite cannot add a CHECK constraint to an existing table in place
    with op.batch_alter_table("saved_searches") as batch:
        batch.add_column(
            sa.Column("target", sa.String(16), nullable=False, server_default="opportunities")
        )
        batch.create_check_constraint(
            "ck_saved_search_target", "target IN ('opportunities', 'funding')"
        )
    op.create_table(
        "funding_alert_deliveries",
        sa.Column(
            "saved_search_id",
            sa.Integer(),
            sa.ForeignKey("saved_searches.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "scheme_id",
            sa.Integer(),
            sa.ForeignKey("funding_schemes.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "outbox_id",
            sa.Integer(),
            sa.ForeignKey("outbox.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_index(
        "ix_funding_alert_deliveries_scheme_id", "funding_alert_deliveries", ["scheme_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_funding_alert_deliveries_scheme_id", table_name="funding_alert_deliveries")
    op.drop_table("funding_alert_deliveries")
    with op.batch_alter_table("saved_searches") as batch:
        batch.drop_constraint("ck_saved_search_target", type_="check")
        batch.drop_column("target")
