"""Proposals: create, edit, publish and move through the stages; massing; what a scheme replaces.

Rules (documented in docs/api.md, "Proposals and massing"):

- Planners create proposals; a new proposal is a *draft*, visible only to planners and admins
  (everyone else gets 404, as if it did not exist).
- Only the planner who created a proposal, or an admin, may change it. Decided proposals are
  frozen (409).
- Stages move strictly one step forward: draft → consultation → assessment → decided. Moving to
  consultation *publishes* the proposal (``published_at``); moving to decided needs a decision.
  Every stage change is written to the audit log and published as a live event after commit.
- ``replaces`` lists the city buildings the scheme replaces: the planner's own list (each id
  checked to be in the tileset), or by default those the site covers: candidates come from
  ``ST_Intersects`` in SQL, and a building counts when at least :data:`REPLACES_MIN_OVERLAP` of
  its footprint lies inside the site, so neighbours that merely touch or overlap by a sliver are
  left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import shapely.geometry
from shapely.geometry import MultiPolygon, Polygon

from backend.db.models import STAGES, Document, MassingBuilding, Proposal
from backend.db.types import SRID, utcnow
from backend.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from backend.repositories import audit
from backend.repositories import buildings as buildings_repo
from backend.repositories import documents as documents_repo
from backend.repositories import proposals as repo
from backend.repositories import session as uow
from backend.repositories import tilesets as tilesets_repo
from backend.repositories.geometry import from_shape, to_shape
from backend.repositories.session import Session
from backend.schemas.documents import DocumentPublic
from backend.schemas.geometry import shape_of
from backend.schemas.proposals import (
    MassingIn,
    ModelPublic,
    ProposalCreate,
    ProposalPublic,
    ProposalSummary,
    ProposalUpdate,
    StageChange,
    StageHistory,
    StageHistoryEntry,
    UserRef,
)
from backend.services import massing, notifications
from backend.services.auth import Principal
from backend.services.events import EventBroker, proposal_channel

#: Share of a building's footprint that must lie inside the site for it to be "replaced".
REPLACES_MIN_OVERLAP = 0.2
STAGE_ACTION = "proposal.stage"


# --- geometry -------------------------------------------------------------------------------


def polygon_from_geojson(field: str, geometry: Any) -> Polygon:
    """A valid, non-empty shapely Polygon of a checked GeoJSON Polygon, or InvalidInputError."""
    geom = shape_of(field, geometry)
    assert isinstance(geom, Polygon)
    return geom


def multipolygon_from_geojson(field: str, geometry: Any) -> MultiPolygon:
    """A valid MultiPolygon from a GeoJSON Polygon or MultiPolygon (a Polygon is wrapped)."""
    geom = shape_of(field, geometry)
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    assert isinstance(geom, MultiPolygon)
    return geom


def _looks_swapped(session: Session, geom: MultiPolygon) -> bool:
    """True when the site misses every city tileset but its lat/lon mirror image hits one."""
    boxes = [shapely.box(*t.bbox) for t in tilesets_repo.list_all(session) if t.bbox]
    if not boxes:
        return False
    swapped = shapely.transform(geom, lambda xy: xy[:, ::-1])
    return not any(b.intersects(geom) for b in boxes) and any(b.intersects(swapped) for b in boxes)


def _boundary(session: Session, geometry: dict[str, Any]) -> MultiPolygon:
    geom = multipolygon_from_geojson("site_boundary", geometry)
    if _looks_swapped(session, geom):
        raise InvalidInputError(
            "site_boundary: lies outside every city tileset, but would lie inside one with "
            "lon and lat swapped; GeoJSON positions are [lon, lat]"
        )
    return geom


# --- replaces -------------------------------------------------------------------------------


def compute_replaces(
    session: Session, boundary: MultiPolygon | None, tileset: str | None
) -> tuple[str | None, list[str]]:
    """The tileset the site sits in (given or most common) and the building ids it replaces."""
    if boundary is None:
        return tileset, []
    candidates = buildings_repo.intersecting(session, boundary.wkt, boundary.bounds, tileset)
    if not candidates:
        return tileset, []
    footprints = shapely.from_wkb(np.array([c[2] for c in candidates], dtype=object))
    area = shapely.area(footprints)
    overlap = shapely.area(shapely.intersection(footprints, boundary))
    keep = (area > 0) & (overlap >= REPLACES_MIN_OVERLAP * area)
    chosen = [(c[0], c[1]) for c, k in zip(candidates, keep, strict=True) if k]
    if tileset is None and chosen:
        tileset = Counter(t for t, _ in chosen).most_common(1)[0][0]
    return tileset, [b for t, b in chosen if t == tileset]


def _listed_replaces(session: Session, tileset: str | None, ids: Sequence[str]) -> list[str]:
    """The planner's own list of replaced buildings, each checked to be in ``tileset``."""
    if ids and tileset is None:
        raise InvalidInputError("replaces: the proposal is in no city tileset (give tileset)")
    for i, building_id in enumerate(ids):
        assert tileset is not None
        if buildings_repo.get(session, tileset, building_id) is None:
            raise InvalidInputError(
                f"replaces[{i}]: no building {building_id!r} in tileset {tileset!r}"
            )
    return list(dict.fromkeys(ids))


# --- visibility and ownership ---------------------------------------------------------------


def sees_drafts(principal: Principal | None) -> bool:
    return principal is not None and principal.has("planner", "admin")


def visible(session: Session, principal: Principal | None, proposal_id: int) -> Proposal:
    """The proposal if the caller may see it; drafts are 404 for all but planners and admins."""
    proposal = repo.get(session, proposal_id)
    if proposal is None or (proposal.stage == "draft" and not sees_drafts(principal)):
        raise NotFoundError(f"proposal {proposal_id} not found")
    return proposal


def editable(session: Session, principal: Principal, proposal_id: int) -> Proposal:
    """The proposal if the caller may change it: its creator (a planner) or an admin."""
    if not principal.has("planner", "admin"):
        raise PermissionDeniedError(
            "needs the role planner", key="role_required", params={"role": ["planner"]}
        )
    proposal = visible(session, principal, proposal_id)
    if not principal.has("admin") and proposal.created_by_id != principal.user.id:
        raise PermissionDeniedError(
            f"proposal {proposal_id}: only the planner who created it or an admin may change it"
        )
    return proposal


def _not_decided(proposal: Proposal) -> None:
    if proposal.stage == "decided":
        raise ConflictError(f"proposal {proposal.id}: decided proposals cannot be changed")


# --- use cases ------------------------------------------------------------------------------


def _apply(session: Session, proposal: Proposal, data: ProposalCreate | ProposalUpdate) -> None:
    given = data.model_fields_set
    required = {"title", "application_type"}
    for name in given:
        value = getattr(data, name)
        if name in ("site_boundary", "replaces"):  # both handled below
            continue
        if value is None and name in required | {"description", "site_address"}:
            if name in required:
                raise InvalidInputError(f"{name}: must not be null")
            value = ""
        if name in ("use_classes_existing", "use_classes_proposed") and value is None:
            value = []
        setattr(proposal, name, value)
    start, end = proposal.consultation_start, proposal.consultation_end
    if start and end and end < start:
        raise InvalidInputError(
            f"consultation_end ({end}) must not be before consultation_start ({start})"
        )
    if "site_boundary" in given or "tileset" in given:
        boundary = None
        if "site_boundary" in given:
            if data.site_boundary is not None:
                boundary = _boundary(session, data.site_boundary.model_dump())
            proposal.site_boundary = from_shape(boundary, SRID) if boundary else None
        elif proposal.site_boundary is not None:
            boundary = to_shape(proposal.site_boundary)
        tileset = data.tileset if "tileset" in given else None
        if tileset is not None and tilesets_repo.get(session, tileset) is None:
            raise InvalidInputError(f"tileset: no tileset named {tileset!r}")
        proposal.tileset, proposal.replaces = compute_replaces(session, boundary, tileset)
    if "replaces" in given:
        if data.replaces is None:  # back to the buildings the site covers
            boundary = to_shape(proposal.site_boundary) if proposal.site_boundary else None
            proposal.tileset, proposal.replaces = compute_replaces(
                session, boundary, proposal.tileset
            )
        else:
            proposal.replaces = _listed_replaces(session, proposal.tileset, data.replaces)


def create(session: Session, principal: Principal, data: ProposalCreate) -> Proposal:
    if repo.by_reference(session, data.reference) is not None:
        raise ConflictError(f"reference: a proposal {data.reference!r} already exists")
    proposal = Proposal(
        reference=data.reference,
        title=data.title,
        stage="draft",
        created_by_id=principal.user.id,
        use_classes_existing=[],
        use_classes_proposed=[],
        replaces=[],
    )
    _apply(session, proposal, data)
    session.add(proposal)
    try:
        uow.flush(session)
        audit.record(
            session,
            actor_id=principal.user.id,
            action="proposal.create",
            entity_type="proposal",
            entity_id=proposal.id,
        )
        uow.commit(session)
    except uow.UniqueViolation:
        raise ConflictError(f"reference: a proposal {data.reference!r} already exists") from None
    return proposal


def update(
    session: Session, principal: Principal, proposal_id: int, data: ProposalUpdate
) -> Proposal:
    proposal = editable(session, principal, proposal_id)
    _not_decided(proposal)
    _apply(session, proposal, data)
    proposal.updated_at = utcnow()
    session.commit()
    return proposal


def change_stage(
    session: Session,
    principal: Principal,
    proposal_id: int,
    change: StageChange,
    events: EventBroker | None,
) -> Proposal:
    """Move one stage forward; audit it; publish ``stage_changed`` after the commit."""
    proposal = editable(session, principal, proposal_id)
    current = proposal.stage
    order = list(STAGES)
    if change.stage == current:
        raise ConflictError(f"stage: proposal {proposal_id} is already at {current}")
    expected = order[order.index(current) + 1] if current != order[-1] else None
    if change.stage != expected:
        raise ConflictError(
            f"stage: cannot move from {current} to {change.stage}; stages only move one step "
            f"forward ({' → '.join(order)})"
        )
    if change.stage == "decided":
        if change.decision is None:
            raise InvalidInputError("decision: required when moving to decided")
        proposal.decision = change.decision
        proposal.decision_date = proposal.decision_date or date.today()
    elif change.decision is not None:
        raise InvalidInputError("decision: only allowed when moving to decided")
    if change.stage == "consultation":
        if proposal.site_boundary is None:
            raise ConflictError("site_boundary: a proposal needs a site boundary to be published")
        proposal.published_at = utcnow()
        proposal.consultation_start = proposal.consultation_start or date.today()
    proposal.stage = change.stage
    proposal.updated_at = utcnow()
    # the followers hear of it: an event in this transaction, fanned out after it (issue 14)
    notifications.record_stage_change(session, proposal, change.stage)
    audit.record(
        session,
        actor_id=principal.user.id,
        action=STAGE_ACTION,
        entity_type="proposal",
        entity_id=proposal.id,
        reason=change.reason,
        details={"from": current, "to": change.stage, "decision": proposal.decision},
    )
    session.commit()
    if events is not None:
        events.publish(
            proposal_channel(proposal.id),
            {"type": "stage_changed", "proposal_id": proposal.id, "stage": proposal.stage},
        )
    return proposal


def set_massing(
    session: Session, principal: Principal, proposal_id: int, data: MassingIn, tiles_dir: Path
) -> Proposal:
    """Replace the massing blocks and rebuild the massing tileset (before committing)."""
    proposal = editable(session, principal, proposal_id)
    _not_decided(proposal)
    blocks = []
    for i, feature in enumerate(data.features):
        field = f"massing feature {i + 1}"
        footprint = polygon_from_geojson(field, feature.geometry.model_dump())
        props = feature.properties
        height = massing.height_of(props.height_m, props.base_height_m, props.storeys)
        if height <= props.base_height_m:
            raise InvalidInputError(
                f"{field}: height_m ({height}) must be above base_height_m ({props.base_height_m})"
            )
        if height > 1000:
            raise InvalidInputError(f"{field}: height_m ({height}) must be at most 1000")
        blocks.append(
            MassingBuilding(
                name=props.name,
                footprint=from_shape(footprint, SRID),
                height_m=height,
                base_height_m=props.base_height_m,
                storeys=props.storeys,
            )
        )
    proposal.massing = blocks
    proposal.updated_at = utcnow()
    session.flush()
    massing.rebuild(tiles_dir, proposal.id, proposal.massing)
    session.commit()
    return proposal


def delete(session: Session, principal: Principal, proposal_id: int, tiles_dir: Path) -> list[str]:
    """Delete a proposal (drafts only, unless an admin); returns storage keys of its files."""
    proposal = editable(session, principal, proposal_id)
    if proposal.stage != "draft" and not principal.has("admin"):
        raise ConflictError(
            f"proposal {proposal_id}: only drafts can be deleted (ask an admin otherwise)"
        )
    keys = documents_repo.storage_keys_of_proposal(session, proposal.id)
    audit.record(
        session,
        actor_id=principal.user.id,
        action="proposal.delete",
        entity_type="proposal",
        entity_id=proposal.id,
        details={"reference": proposal.reference, "stage": proposal.stage},
    )
    session.delete(proposal)
    session.commit()
    massing.remove(tiles_dir, proposal_id)
    return keys


def search(
    session: Session,
    principal: Principal | None,
    *,
    text: str | None,
    stages: Sequence[str],
    bbox: tuple[float, float, float, float] | None,
    limit: int,
    offset: int,
) -> tuple[list[ProposalSummary], int]:
    rows, total = repo.search(
        session,
        text=text.strip() if text else None,
        stages=stages,
        bbox=bbox,
        include_drafts=sees_drafts(principal),
        limit=limit,
        offset=offset,
    )
    return [summary(p) for p in rows], total


def history(session: Session, principal: Principal | None, proposal_id: int) -> StageHistory:
    proposal = visible(session, principal, proposal_id)
    entries = [
        e for e in audit.for_entity(session, "proposal", proposal.id) if e.action == STAGE_ACTION
    ]
    users = repo.users_by_id(session, {e.actor_id for e in entries if e.actor_id is not None})
    items = []
    for e in entries:
        user = users.get(e.actor_id) if e.actor_id is not None else None
        items.append(
            StageHistoryEntry(
                at=e.at,
                from_stage=e.details.get("from"),
                to_stage=e.details["to"],
                decision=e.details.get("decision"),
                by=UserRef(id=user.id, display_name=user.display_name) if user else None,
                reason=e.reason,
            )
        )
    return StageHistory(items=items)


# --- views ----------------------------------------------------------------------------------


def _geojson(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    return dict(shapely.geometry.mapping(to_shape(value)))


def summary(p: Any) -> ProposalSummary:
    """A list's view of a Proposal or of a row of the list's columns (``repo.SUMMARY_COLUMNS``)."""
    return ProposalSummary(
        id=p.id,
        reference=p.reference,
        title=p.title,
        application_type=p.application_type,
        stage=p.stage,
        decision=p.decision,
        site_address=p.site_address,
        site_boundary=_geojson(p.site_boundary),
        consultation_start=p.consultation_start,
        consultation_end=p.consultation_end,
        published_at=p.published_at,
        updated_at=p.updated_at,
    )


def document_view(d: Document) -> DocumentPublic:
    """The public view of an uploaded document (also used by the documents service)."""
    return DocumentPublic(
        id=d.id,
        proposal_id=d.proposal_id,
        kind=d.kind,
        title=d.title,
        filename=d.filename,
        content_type=d.content_type,
        size_bytes=d.size_bytes,
        sha256=d.sha256,
        url=document_url(d.id),
        created_at=d.created_at,
    )


def document_url(document_id: int) -> str:
    return f"/api/v1/documents/{document_id}"


def public_view(session: Session, p: Proposal) -> ProposalPublic:
    docs = documents_repo.of_proposal(session, p.id)
    creator = repo.users_by_id(session, {p.created_by_id} if p.created_by_id else set())
    user = creator.get(p.created_by_id) if p.created_by_id else None
    model = None
    if p.model:
        model = ModelPublic(**p.model, url=document_url(int(p.model["document_id"])))
    return ProposalPublic(
        **summary(p).model_dump(),
        description=p.description,
        use_classes_existing=list(p.use_classes_existing or []),
        use_classes_proposed=list(p.use_classes_proposed or []),
        dwellings=p.dwellings,
        floor_area_existing_m2=p.floor_area_existing_m2,
        floor_area_proposed_m2=p.floor_area_proposed_m2,
        decision_date=p.decision_date,
        tileset=p.tileset,
        replaces=list(p.replaces or []),
        massing=massing.feature_collection(p.massing),
        massing_tileset_url=massing.tileset_url(p.id) if p.massing else None,
        model=model,
        documents=[document_view(d) for d in docs],
        created_by=UserRef(id=user.id, display_name=user.display_name) if user else None,
        created_at=p.created_at,
    )
