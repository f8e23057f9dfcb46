"""approved schemes applied to the city tileset (issue 12)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "city_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "proposal_id",
            sa.Integer(),
            sa.ForeignKey("proposals.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("proposal_reference", sa.String(50), nullable=False),
        sa.Column("tileset", sa.String(100), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column(
            "requested_by_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("started_at", _TS, nullable=True),
        sa.Column("finished_at", _TS, nullable=True),
        sa.Column("tiles", _JSON, nullable=False),
        sa.Column("removed_tiles", _JSON, nullable=False),
        sa.Column("replaced", _JSON, nullable=False),
        sa.Column("added", _JSON, nullable=False),
        sa.Column("previous", sa.String(500), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "reverted_by_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("reverted_at", _TS, nullable=True),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'applied', 'failed', 'reverted')",
            name="ck_city_change_state",
        ),
    )
    op.create_index("ix_city_changes_proposal_id", "city_changes", ["proposal_id"])
    op.create_index("ix_city_changes_tileset", "city_changes", ["tileset"])
    op.create_index("ix_city_changes_state", "city_changes", ["state"])


def downgrade() -> None:
    op.drop_index("ix_city_changes_state", table_name="city_changes")
    op.drop_index("ix_city_changes_tileset", table_name="city_changes")
    op.drop_index("ix_city_changes_proposal_id", table_name="city_changes")
    op.drop_table("city_changes")
