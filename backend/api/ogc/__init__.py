"""OGC API - Features (Part 1, Core) at ``/ogc``: landing page, conformance, OpenAPI,
collections and their items (GeoJSON, CRS84). Everything here is public and read-only.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from backend.api import examples
from backend.api.deps import SessionDep, SettingsDep
from backend.api.errors import error_responses
from backend.api.links import LinksDep
from backend.services import ogc

router = APIRouter(prefix="/ogc", tags=["OGC API - Features"])


def _base(request: Request) -> str:
    return f"{str(request.base_url).rstrip('/')}/ogc"


def _json(data: dict[str, Any], media_type: str = ogc.JSON) -> JSONResponse:
    return JSONResponse(data, media_type=media_type)


def _doc(
    description: str, example: dict[str, Any], media_type: str = ogc.JSON
) -> dict[int | str, dict[str, Any]]:
    """A 200 in ``media_type`` (and the ``application/json`` FastAPI lists) with an example."""
    content = examples.json_content(example, *dict.fromkeys((ogc.JSON, media_type)))
    return {200: {"description": description, "content": content}}


@router.get(
    "",
    operation_id="ogcLandingPage",
    responses=_doc(
        "Landing page with links to the API definition, conformance and data",
        examples.OGC_LANDING,
    ),
    summary="OGC API - Features landing page",
)
def landing_page(request: Request, settings: SettingsDep) -> JSONResponse:
    return _json(ogc.landing(_base(request), settings.publisher_name))


@router.get(
    "/conformance",
    operation_id="ogcConformance",
    responses=_doc("The conformance classes implemented", examples.OGC_CONFORMANCE),
    summary="Conformance classes",
)
def conformance() -> JSONResponse:
    return _json(ogc.conformance())


@router.get(
    "/api",
    operation_id="ogcApiDefinition",
    responses=_doc("OpenAPI 3.0 definition of this OGC API", examples.OGC_API, ogc.OPENAPI),
    summary="OpenAPI 3.0 definition of the OGC API",
)
def api_definition(request: Request) -> JSONResponse:
    spec = get_openapi(
        title="CivicTwin OGC API - Features",
        version="1.0.0",
        openapi_version="3.0.3",
        routes=router.routes,
        servers=[{"url": str(request.base_url).rstrip("/")}],
    )
    return _json(spec, ogc.OPENAPI)


@router.get(
    "/collections",
    operation_id="ogcCollections",
    responses=_doc(
        "The feature collections: proposals, buildings, comments, opportunities",
        examples.OGC_COLLECTIONS,
    ),
    summary="Feature collections",
)
def collections(request: Request, session: SessionDep) -> JSONResponse:
    return _json(ogc.collections(session, _base(request)))


@router.get(
    "/collections/{collection_id}",
    operation_id="ogcCollection",
    responses={**_doc("One collection", examples.OGC_COLLECTION), **error_responses(404)},
    summary="One feature collection",
)
def collection(collection_id: str, request: Request, session: SessionDep) -> JSONResponse:
    return _json(ogc.collection(session, _base(request), collection_id))


@router.get(
    "/collections/{collection_id}/items",
    operation_id="ogcItems",
    responses={
        **_doc("A page of features", examples.OGC_ITEMS, ogc.GEOJSON),
        **error_responses(400, 404),
    },
    summary="Features of a collection (GeoJSON)",
    description=(
        "Query parameters: `bbox` (minx,miny,maxx,maxy in CRS84), `limit` (1..1000, default 10), "
        "`offset`, `datetime` (RFC 3339 instant or interval `start/end`, `..` for open; applies "
        "to created_at of proposals and comments and to the tender closing date of "
        "opportunities). Unknown or invalid parameters are a 400 naming the parameter."
    ),
)
def items(
    collection_id: str, request: Request, session: SessionDep, links: LinksDep
) -> JSONResponse:
    data = ogc.items(
        session,
        _base(request),
        links,
        collection_id,
        dict(request.query_params),
    )
    return _json(data, ogc.GEOJSON)


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    operation_id="ogcItem",
    responses={**_doc("One feature", examples.OGC_ITEM, ogc.GEOJSON), **error_responses(404)},
    summary="One feature (GeoJSON)",
)
def item(
    collection_id: str,
    feature_id: str,
    request: Request,
    session: SessionDep,
    links: LinksDep,
) -> JSONResponse:
    data = ogc.item(session, _base(request), links, collection_id, feature_id)
    return _json(data, ogc.GEOJSON)
