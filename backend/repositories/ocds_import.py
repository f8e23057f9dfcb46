"""Queries of the OCDS import: work packages by imported ocid, proposals' sites. No commit."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from backend.db.models import Opportunity, OpportunityCPV, Proposal

_CHUNK = 500  # bound parameters per IN (SQLite allows 32766; kept small for plans)


def proposal(session: Session, proposal_id: int) -> Proposal | None:
    return session.get(Proposal, proposal_id)


def sites(session: Session) -> list[tuple[int, BaseGeometry]]:
    """(id, site boundary) of every proposal that has one."""
    rows = session.execute(
        sa.select(Proposal.id, Proposal.site_boundary).where(Proposal.site_boundary.is_not(None))
    )
    return [(pid, to_shape(geom)) for pid, geom in rows]


def by_ocids(session: Session, ocids: Sequence[str]) -> dict[str, Opportunity]:
    found: dict[str, Opportunity] = {}
    unique = sorted(set(ocids))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        for opp in session.scalars(
            sa.select(Opportunity).where(Opportunity.source_ocid.in_(chunk))
        ):
            assert opp.source_ocid is not None
            found[opp.source_ocid] = opp
    return found


def insert_many(session: Session, rows: list[dict[str, object]], cpv: dict[str, list[str]]) -> None:
    """Insert new work packages and their CPV codes in bulk (one multi-row INSERT per batch,
    not the unit of work's per-object bookkeeping); ``cpv`` maps each row's ocid to its codes."""
    if not rows:
        return
    ids = session.execute(
        sa.insert(Opportunity).returning(
            Opportunity.id, Opportunity.source_ocid, sort_by_parameter_order=True
        ),
        rows,
    ).all()
    session.execute(
        sa.insert(OpportunityCPV),
        [
            {"opportunity_id": oid, "code": code, "position": i}
            for oid, ocid in ids
            for i, code in enumerate(cpv[ocid])
        ],
    )
