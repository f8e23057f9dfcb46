"""Design variants of a proposal and the one preference each account may state."""

from __future__ import annotations

from fastapi import APIRouter, Response

from backend.api.deps import (
    CurrentPrincipal,
    OptionalPrincipal,
    SessionDep,
    VerifiedPrincipal,
)
from backend.api.errors import error_responses
from backend.api.params import ResourceId
from backend.schemas.variants import (
    PreferenceSet,
    VariantCreate,
    VariantList,
    VariantPublic,
    VariantUpdate,
)
from backend.services import variants

router = APIRouter(tags=["variants"])


@router.get(
    "/proposals/{proposal_id}/variants",
    response_model=VariantList,
    operation_id="listVariants",
    responses=error_responses(404),
    summary="The proposal's design variants with preferences and comments per variant",
)
def list_variants(
    proposal_id: ResourceId, principal: OptionalPrincipal, session: SessionDep
) -> VariantList:
    return variants.listing(session, principal, proposal_id)


@router.post(
    "/proposals/{proposal_id}/variants",
    response_model=VariantPublic,
    status_code=201,
    operation_id="createVariant",
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Add a design variant (at most 4) with its own massing or model",
)
def create_variant(
    proposal_id: ResourceId, data: VariantCreate, principal: CurrentPrincipal, session: SessionDep
) -> VariantPublic:
    v = variants.create(session, principal, proposal_id, data)
    return variants.view(v, {}, {})


@router.patch(
    "/variants/{variant_id}",
    response_model=VariantPublic,
    operation_id="updateVariant",
    responses=error_responses(401, 403, 404, 409, 422),
)
def update_variant(
    variant_id: ResourceId, data: VariantUpdate, principal: CurrentPrincipal, session: SessionDep
) -> VariantPublic:
    v = variants.update(session, principal, variant_id, data)
    return variants.view(v, {}, {})


@router.delete(
    "/variants/{variant_id}",
    status_code=204,
    operation_id="deleteVariant",
    responses=error_responses(401, 403, 404),
)
def delete_variant(
    variant_id: ResourceId, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    variants.delete(session, principal, variant_id)
    return Response(status_code=204)


@router.put(
    "/proposals/{proposal_id}/variant-preference",
    response_model=VariantList,
    operation_id="setVariantPreference",
    responses=error_responses(401, 403, 404, 409, 422),
    summary="State (or change) my preferred variant while the consultation is open",
)
def set_variant_preference(
    proposal_id: ResourceId, data: PreferenceSet, principal: VerifiedPrincipal, session: SessionDep
) -> VariantList:
    return variants.prefer(session, principal, proposal_id, data)


@router.delete(
    "/proposals/{proposal_id}/variant-preference",
    response_model=VariantList,
    operation_id="withdrawVariantPreference",
    responses=error_responses(401, 403, 404),
)
def withdraw_variant_preference(
    proposal_id: ResourceId, principal: CurrentPrincipal, session: SessionDep
) -> VariantList:
    return variants.withdraw_preference(session, principal, proposal_id)
