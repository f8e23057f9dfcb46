"""Design variants: 2 to 4 per proposal, each with its own massing or model and description.

The model is deliberately small (``proposal_variants``: id, proposal_id, name, description,
position, massing as a GeoJSON FeatureCollection of blocks or a placed model document), so that
other parts (impact analyses, the viewer's switcher) can read a variant as they read a
proposal's own massing. A proposal may list up to :data:`MAX_VARIANTS`; the public page shows
them once there are :data:`MIN_VARIANTS` (one variant is no choice). Signed-in people state one
preference per proposal (a second one replaces the first) while the consultation is open.
"""

from __future__ import annotations

from typing import Any

from backend.db.models_engagement import ProposalVariant, VariantPreference
from backend.db.types import utcnow
from backend.errors import ConflictError, InvalidInputError, NotFoundError
from backend.repositories import documents as documents_repo
from backend.repositories import session as uow
from backend.repositories import variants as repo
from backend.repositories.session import Session, UniqueViolation
from backend.schemas.proposals import MassingIn, ModelPublic
from backend.schemas.variants import (
    MAX_VARIANTS,
    MIN_VARIANTS,
    PreferenceSet,
    VariantCreate,
    VariantList,
    VariantPublic,
    VariantUpdate,
)
from backend.services import proposals
from backend.services.auth import Principal
from backend.services.proposals import document_url

__all__ = ["MAX_VARIANTS", "MIN_VARIANTS"]


def _massing(data: MassingIn | None) -> dict[str, Any] | None:
    if data is None:
        return None
    for i, feature in enumerate(data.features):
        proposals.polygon_from_geojson(f"massing.features[{i}].geometry", feature.geometry)
    return data.model_dump(mode="json")


def create(
    session: Session, principal: Principal, proposal_id: int, data: VariantCreate
) -> ProposalVariant:
    proposal = proposals.editable(session, principal, proposal_id)
    if proposal.stage == "decided":
        raise ConflictError(f"proposal {proposal_id}: decided proposals cannot be changed")
    n = repo.count(session, proposal.id)
    if n >= MAX_VARIANTS:
        raise ConflictError(f"proposal {proposal_id} already has {MAX_VARIANTS} variants, the most")
    model = None
    if data.model_document_id is not None:
        doc = documents_repo.get(session, data.model_document_id)
        if doc is None or doc.proposal_id != proposal.id or doc.kind != "model":
            raise InvalidInputError(
                f"model_document_id: {data.model_document_id} is not a model of proposal "
                f"{proposal_id}"
            )
        placed = dict(proposal.model or {})
        placed["document_id"] = doc.id
        model = placed
    variant = ProposalVariant(
        proposal_id=proposal.id,
        name=data.name,
        description=data.description,
        position=n,
        massing=_massing(data.massing),
        model=model,
    )
    session.add(variant)
    try:
        uow.commit(session)
    except UniqueViolation:
        session.rollback()
        raise ConflictError(
            f"name: proposal {proposal_id} has a variant named {data.name!r}"
        ) from None
    return variant


def _own(session: Session, principal: Principal, variant_id: int) -> ProposalVariant:
    variant = repo.get(session, variant_id)
    if variant is None:
        raise NotFoundError(f"variant {variant_id} not found")
    proposals.editable(session, principal, variant.proposal_id)
    return variant


def update(
    session: Session, principal: Principal, variant_id: int, data: VariantUpdate
) -> ProposalVariant:
    variant = _own(session, principal, variant_id)
    if data.name is not None:
        variant.name = data.name
    if data.description is not None:
        variant.description = data.description
    if data.massing is not None:
        variant.massing = _massing(data.massing)
    variant.updated_at = utcnow()
    try:
        uow.commit(session)
    except UniqueViolation:
        session.rollback()
        raise ConflictError(f"name: the proposal has a variant named {data.name!r}") from None
    return variant


def delete(session: Session, principal: Principal, variant_id: int) -> None:
    variant = _own(session, principal, variant_id)
    repo.clear_comments(session, variant.id)
    session.delete(variant)
    session.commit()


def listing(session: Session, principal: Principal | None, proposal_id: int) -> VariantList:
    proposal = proposals.visible(session, principal, proposal_id)
    prefs = repo.preference_counts(session, proposal.id)
    comments = repo.comment_counts(session, proposal.id)
    mine = None
    if principal is not None:
        p = repo.preference_of(session, principal.user.id, proposal.id)
        mine = p.variant_id if p else None
    items = [view(v, prefs, comments) for v in repo.of_proposal(session, proposal.id)]
    return VariantList(items=items, my_preference=mine, total_preferences=sum(prefs.values()))


def _placed(model: dict[str, Any] | None) -> ModelPublic | None:
    """A variant's model as the viewer draws it: its placement (copied from the proposal's model
    when the variant was made) and the document's URL."""
    if not model or "lon" not in model or "lat" not in model:
        return None
    document_id = int(model["document_id"])
    return ModelPublic(**{**model, "document_id": document_id}, url=document_url(document_id))


def view(v: ProposalVariant, prefs: dict[int, int], comments: dict[int, int]) -> VariantPublic:
    return VariantPublic(
        id=v.id,
        proposal_id=v.proposal_id,
        name=v.name,
        description=v.description,
        position=v.position,
        massing=v.massing,
        model_document_id=int(v.model["document_id"]) if v.model else None,
        model=_placed(v.model),
        preferences=prefs.get(v.id, 0),
        comments=comments.get(v.id, 0),
        created_at=v.created_at,
    )


def check_for_comment(session: Session, proposal_id: int, variant_id: int | None) -> int | None:
    """The variant a new comment names, which must be one of its proposal's (or None)."""
    if variant_id is None:
        return None
    variant = repo.get(session, variant_id)
    if variant is None or variant.proposal_id != proposal_id:
        raise InvalidInputError(
            f"variant_id: {variant_id} is not a variant of proposal {proposal_id}"
        )
    return variant.id


def prefer(
    session: Session, principal: Principal, proposal_id: int, data: PreferenceSet
) -> VariantList:
    proposal = proposals.visible(session, principal, proposal_id)
    if proposal.stage != "consultation":
        raise ConflictError(
            f"proposal {proposal_id}: preferences are stated while its consultation is open"
        )
    variant_id = check_for_comment(session, proposal.id, data.variant_id)
    assert variant_id is not None
    current = repo.preference_of(session, principal.user.id, proposal.id)
    if current is None:
        session.add(
            VariantPreference(
                user_id=principal.user.id, proposal_id=proposal.id, variant_id=variant_id
            )
        )
    else:
        current.variant_id = variant_id
        current.updated_at = utcnow()
    try:
        uow.commit(session)
    except UniqueViolation:  # a parallel first preference: this one replaces it
        session.rollback()
        again = repo.preference_of(session, principal.user.id, proposal.id)
        if again is None:
            raise
        again.variant_id = variant_id
        session.commit()
    return listing(session, principal, proposal_id)


def withdraw_preference(session: Session, principal: Principal, proposal_id: int) -> VariantList:
    proposal = proposals.visible(session, principal, proposal_id)
    current = repo.preference_of(session, principal.user.id, proposal.id)
    if current is not None:
        session.delete(current)
        session.commit()
    return listing(session, principal, proposal_id)
