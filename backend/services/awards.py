"""Awards of work packages (a planner records who won, for how much, when) and the supply-chain
KPIs: the share of awarded value won by SMEs and by local SMEs, SMEs engaged, time to award.

An award is published in the work package's OCDS release (``awards`` with the supplier as a
``supplier`` party whose ``details.scale`` is its size at the award, Party-scale extension).
"Local" means the supplier's base lies within ``CIVICTWIN_LOCAL_RADIUS_KM`` of where the work
is (the delivery location, else the site), measured geodesically.
"""

from __future__ import annotations

import statistics
from decimal import Decimal
from typing import Any

from backend.db.models import Opportunity, Organisation, Proposal
from backend.db.models_sme import ContractAward
from backend.errors import ConflictError, InvalidInputError, NotFoundError
from backend.repositories import audit
from backend.repositories import awards as repo
from backend.repositories import opportunities as opportunity_repo
from backend.repositories.geometry import to_shape
from backend.repositories.session import Session, UniqueViolation, flush
from backend.schemas.awards import AwardCreate, AwardPublic, Kpis
from backend.services import opportunities
from backend.services.auth import Principal
from backend.services.geodesy import distance_km

SME_SIZES = ("micro", "small", "medium")


def to_public(award: ContractAward, supplier: Organisation, proposal_id: int) -> AwardPublic:
    return AwardPublic(
        id=award.id,
        opportunity_id=award.opportunity_id,
        proposal_id=proposal_id,
        supplier_id=supplier.id,
        supplier_name=supplier.name,
        supplier_size=award.supplier_size,
        value_amount=float(award.value_amount),
        currency=award.currency,
        awarded_on=award.awarded_on,
        created_at=award.created_at,
    )


def record(
    session: Session, principal: Principal, opportunity_id: int, data: AwardCreate
) -> AwardPublic:
    """Record an award on a work package (its planner or an admin)."""
    opp, proposal = opportunities.require_manageable(session, principal, opportunity_id)
    supplier = session.get(Organisation, data.supplier_id)
    if supplier is None:
        raise InvalidInputError(f"supplier_id: organisation {data.supplier_id} not found")
    award = ContractAward(
        opportunity_id=opp.id,
        supplier_id=supplier.id,
        supplier_size=data.supplier_size or supplier.size,
        value_amount=Decimal(str(round(data.value_amount, 2))),
        currency=data.currency,
        awarded_on=data.awarded_on,
        created_by_id=principal.user.id,
    )
    session.add(award)
    try:
        flush(session)
    except UniqueViolation:
        raise ConflictError(
            f"supplier_id: organisation {supplier.id} already has an award on this work package"
        ) from None
    audit.record(
        session,
        actor_id=principal.user.id,
        action="award.create",
        entity_type="opportunity",
        entity_id=opp.id,
        details={"supplier_id": supplier.id, "value": str(award.value_amount)},
    )
    opp.updated_at = award.created_at  # a changed process publishes a new OCDS release
    session.commit()
    return to_public(award, supplier, proposal.id)


def of_opportunity(
    session: Session, principal: Principal | None, opportunity_id: int
) -> list[AwardPublic]:
    opp, proposal = opportunities.get_visible(session, principal, opportunity_id)
    return [to_public(a, o, proposal.id) for a, o in repo.of_opportunities(session, [opp.id])]


def delete(session: Session, principal: Principal, award_id: int) -> None:
    award = repo.get(session, award_id)
    if award is None:
        raise NotFoundError(f"award {award_id} not found")
    opportunities.require_manageable(session, principal, award.opportunity_id)
    audit.record(
        session,
        actor_id=principal.user.id,
        action="award.delete",
        entity_type="opportunity",
        entity_id=award.opportunity_id,
        details={"supplier_id": award.supplier_id, "value": str(award.value_amount)},
    )
    session.delete(award)
    session.commit()


# --- OCDS ----------------------------------------------------------------------------------


def ocds_parts(
    session: Session, opportunity_ids: list[int]
) -> dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Per opportunity: its OCDS ``awards`` and the ``supplier`` parties they name."""
    found: dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for award, org in repo.of_opportunities(session, opportunity_ids):
        awards, parties = found.setdefault(award.opportunity_id, ([], []))
        party_id = f"org-{org.id}"
        awards.append(
            {
                "id": f"award-{award.id}",
                "status": "active",
                "date": f"{award.awarded_on.isoformat()}T00:00:00Z",
                "value": {"amount": float(award.value_amount), "currency": award.currency},
                "suppliers": [{"id": party_id, "name": org.name}],
            }
        )
        party: dict[str, Any] = {
            "id": party_id,
            "name": org.name,
            "roles": ["supplier"],
            "details": {"scale": award.supplier_size},
        }
        if org.identifier:
            party["identifier"] = {"id": org.identifier, "legalName": org.name}
        parties.append(party)
    return found


# --- KPIs ----------------------------------------------------------------------------------


def _is_local(org: Organisation, opp: Opportunity, proposal: Proposal, radius_km: float) -> bool:
    if org.location is None:
        return False
    where = opportunities.location_of(opp, proposal)
    if where is None:
        return False
    point = to_shape(org.location)
    return distance_km(point.x, point.y, where) <= radius_km


def _days_to_award(award: ContractAward, opp: Opportunity) -> float | None:
    start = opportunities.as_utc(opp.tender_end) or opportunities.as_utc(opp.published_at)
    if start is None:
        return None
    return float((award.awarded_on - start.date()).days)


def kpis(session: Session, proposal_id: int | None, radius_km: float) -> Kpis:
    """The supply-chain KPIs of a development (``proposal_id``) or city-wide (None)."""
    if proposal_id is not None:
        proposal = opportunity_repo.proposal(session, proposal_id)
        if proposal is None or not opportunity_repo.is_public(proposal):
            raise NotFoundError(f"proposal {proposal_id} not found")
    rows = repo.for_kpis(session, proposal_id)
    by_size: dict[str, float] = dict.fromkeys((*SME_SIZES, "large"), 0.0)
    total = sme = local = 0.0
    sme_awards = 0
    days: list[float] = []
    currencies = {a.currency for a, _, _, _ in rows}
    for award, org, opp, proposal in rows:
        value = float(award.value_amount)
        total += value
        by_size[award.supplier_size] += value
        if award.supplier_size in SME_SIZES:
            sme += value
            sme_awards += 1
            if _is_local(org, opp, proposal, radius_km):
                local += value
        d = _days_to_award(award, opp)
        if d is not None:
            days.append(d)
    registrations, smes = repo.engagement(session, proposal_id)
    return Kpis(
        proposal_id=proposal_id,
        currency=next(iter(currencies)) if len(currencies) == 1 else None,
        local_radius_km=radius_km,
        work_packages=repo.work_package_count(session, proposal_id),
        awarded_work_packages=len({a.opportunity_id for a, _, _, _ in rows}),
        awards=len(rows),
        awarded_value=round(total, 2),
        sme_value=round(sme, 2),
        local_sme_value=round(local, 2),
        sme_share=round(sme / total, 4) if total else None,
        local_sme_share=round(local / total, 4) if total else None,
        sme_awards=sme_awards,
        smes_engaged=smes,
        interest_registrations=registrations,
        median_days_to_award=statistics.median(days) if days else None,
        by_size={k: round(float(v), 2) for k, v in by_size.items()},
    )


def kpis_csv_rows(session: Session, radius_km: float) -> list[dict[str, Any]]:
    """The open-data table: one row per public development with work packages, and city-wide."""
    ids = sorted({p.id for _, _, _, p in repo.for_kpis(session, None)})
    rows = [kpis(session, proposal_id, radius_km).model_dump() for proposal_id in ids]
    rows.append(kpis(session, None, radius_km).model_dump())
    return rows
