"""Queries on uploaded documents and models. No HTTP, no commit."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.models import Document


def get(session: Session, document_id: int) -> Document | None:
    return session.get(Document, document_id)


def of_proposal(session: Session, proposal_id: int, kind: str | None = None) -> list[Document]:
    query = sa.select(Document).where(Document.proposal_id == proposal_id)
    if kind is not None:
        query = query.where(Document.kind == kind)
    return list(session.scalars(query.order_by(Document.id)))


def storage_keys_of_proposal(session: Session, proposal_id: int) -> list[str]:
    return list(
        session.scalars(sa.select(Document.storage_key).where(Document.proposal_id == proposal_id))
    )
