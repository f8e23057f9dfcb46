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


#: the columns an import writes, read back to tell an unchanged release from a changed one
IMPORTED = (
    "proposal_id",
    "title",
    "description",
    "value_amount",
    "value_min",
    "value_max",
    "currency",
    "status",
    "tender_start",
    "tender_end",
    "contract_start",
    "contract_end",
    "sme_suitable",
    "delivery_location",
)


def imported_fields(
    session: Session, ocids: Sequence[str]
) -> dict[str, tuple[sa.Row[tuple[object, ...]], tuple[str, ...]]]:
    """The imported columns and the CPV codes (in order) of the work packages with these ocids:
    plain rows by the ocid index, no ORM objects (a re-import of an unchanged package writes
    nothing and needs no more)."""
    t = Opportunity.__table__
    cols = [t.c.id, t.c.source_ocid, *(t.c[name] for name in IMPORTED)]
    rows: dict[int, sa.Row[tuple[object, ...]]] = {}
    unique = sorted(set(ocids))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        for row in session.execute(sa.select(*cols).where(t.c.source_ocid.in_(chunk))):
            rows[row.id] = row
    codes: dict[int, list[str]] = {i: [] for i in rows}
    ids = sorted(rows)
    c = OpportunityCPV.__table__
    for start in range(0, len(ids), _CHUNK):
        chunk_ids = ids[start : start + _CHUNK]
        for oid, code in session.execute(
            sa.select(c.c.opportunity_id, c.c.code)
            .where(c.c.opportunity_id.in_(chunk_ids))
            .order_by(c.c.opportunity_id, c.c.position)
        ):
            codes[oid].append(code)
    return {str(r.source_ocid): (r, tuple(codes[i])) for i, r in rows.items()}


def insert_many(session: Session, rows: list[dict[str, object]], cpv: dict[str, list[str]]) -> None:
    """Insert new work packages and their CPV codes in bulk; ``cpv`` maps each row's ocid to its
    codes.

    Core ``insert`` on the table, not the ORM's bulk insert: the ORM groups rows by which of
    their values are None (a missing range, no location) and sends one statement per run of
    alike rows, splicing every batch's RETURNING rows into the ones before (quadratic). On the
    bench package that was 3,346 statements and 8.3 million fetched rows for 5,000 releases.
    No RETURNING either (ordered RETURNING is one statement per row on SQLite): the new ids are
    read back by ocid, which is unique, in chunks."""
    if not rows:
        return
    conn = session.connection()
    table = Opportunity.__table__
    conn.execute(sa.insert(table), rows)  # type: ignore[arg-type]
    ocids = [str(r["source_ocid"]) for r in rows]
    codes: list[dict[str, object]] = []
    for start in range(0, len(ocids), _CHUNK):
        chunk = ocids[start : start + _CHUNK]
        for oid, ocid in conn.execute(
            sa.select(table.c.id, table.c.source_ocid).where(table.c.source_ocid.in_(chunk))
        ):
            codes.extend(
                {"opportunity_id": oid, "code": code, "position": i}
                for i, code in enumerate(cpv[ocid])
            )
    if codes:
        conn.execute(sa.insert(OpportunityCPV.__table__), codes)  # type: ignore[arg-type]
