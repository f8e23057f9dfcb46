"""Queries on the Tileset table (what the pipeline built and the backend serves). No commit."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models import Tileset


def get(session: Session, name: str) -> Tileset | None:
    return session.get(Tileset, name)


def list_all(session: Session) -> list[Tileset]:
    return list(session.scalars(sa.select(Tileset).order_by(Tileset.name)))
