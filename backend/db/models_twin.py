"""Tables for approved schemes applied to the city (issue 12).

Declared on the same ``Base`` as ``backend.db.models``; imported at the end of that module so
that its metadata (and Alembic) see them.

A :class:`CityChange` is one application of a proposal's massing to its city tileset (see
``tiles.apply``): queued when the proposal is approved, run in the background, and kept with
what it did (tiles rewritten, buildings out and in, where the previous state is) so that it can
be reverted. The tiles folder holds the files; this row is the job and its record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.models import Base, _in
from backend.db.types import utcnow

#: queued → running → applied | failed; applied → reverted
CHANGE_STATES = ("queued", "running", "applied", "failed", "reverted")


class CityChange(Base):
    """A proposal's scheme applied to (or queued for) a city tileset."""

    __tablename__ = "city_changes"
    __table_args__ = (CheckConstraint(_in("state", CHANGE_STATES), name="ck_city_change_state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL"), index=True
    )
    proposal_reference: Mapped[str] = mapped_column(String(50))
    tileset: Mapped[str] = mapped_column(String(100), index=True)
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    # what the change did (tiles.apply.ChangeResult): content files written and dropped,
    # building ids taken out and put in, and where the previous state of the folder is kept
    tiles: Mapped[list[Any]] = mapped_column(default=list)
    removed_tiles: Mapped[list[Any]] = mapped_column(default=list)
    replaced: Mapped[list[Any]] = mapped_column(default=list)
    added: Mapped[list[Any]] = mapped_column(default=list)
    previous: Mapped[str | None] = mapped_column(String(500))
    seconds: Mapped[float | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)
    reverted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reverted_at: Mapped[datetime | None] = mapped_column()

    @property
    def change_key(self) -> str:
        """The change's name in the tiles folder (``tiles.apply`` change id)."""
        return f"change-{self.id}"
