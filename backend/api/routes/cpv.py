"""``/api/v1/cpv``: the CPV 2008 vocabulary, for pickers and labels."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from backend.api.errors import error_responses
from backend.schemas.cpv import CpvCode, CpvList
from backend.services import cpv

router = APIRouter(prefix="/cpv", tags=["opportunities"])

Lang = Literal["en", "it", "sv", "et", "hu"]


def _public(entry: cpv.CpvEntry, lang: str) -> CpvCode:
    return CpvCode(
        code=entry.code,
        parent=entry.parent,
        prefix=entry.prefix,
        label=entry.label(lang),
        labels=dict(entry.labels),
    )


@router.get(
    "",
    response_model=CpvList,
    operation_id="searchCpv",
    responses=error_responses(422),
    summary="Search CPV codes by label text or digits, within a prefix",
)
def search_cpv(
    q: Annotated[
        str | None, Query(max_length=100, description="Label text or leading digits")
    ] = None,
    prefix: Annotated[str | None, Query(max_length=10, description="Within this subtree")] = None,
    lang: Annotated[Lang, Query(description="Language of `label` and of the text search")] = "en",
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> CpvList:
    return CpvList(items=[_public(e, lang) for e in cpv.search(q, prefix, lang, limit)])


@router.get(
    "/{code}",
    response_model=CpvCode,
    operation_id="getCpvCode",
    responses=error_responses(422),
)
def get_cpv_code(code: str, lang: Annotated[Lang, Query()] = "en") -> CpvCode:
    return _public(cpv.lookup(code, "code"), lang)
