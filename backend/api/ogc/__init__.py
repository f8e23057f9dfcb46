"""OGC API - Features (Part 1, Core) at ``/ogc``: landing page, conformance, OpenAPI,
collections and their items (GeoJSON, CRS84). Everything here is public and read-only.

Every ``href`` is built here, from the routes' operation ids (:meth:`Links.operation`) under the
address the request came to (a GIS client follows them back to the same server); the service
returns documents without links.

The data endpoints are ``async``: their reads run through :class:`backend.api.deps.Reads` (on
PostGIS on the event loop, on SpatiaLite in one thread-pool hop), with the same service code.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from backend.api import examples
from backend.api.deps import ReadsDep, SettingsDep
from backend.api.errors import error_responses
from backend.api.links import Links, LinksDep
from backend.services import ogc

router = APIRouter(prefix="/ogc", tags=["OGC API - Features"])


async def here_links(request: Request, links: LinksDep) -> Links:
    """The app's links under the address this request came to."""
    return links.at(str(request.base_url))


HereLinks = Annotated[Links, Depends(here_links)]


def _link(href: str, rel: str, media_type: str, title: str | None = None) -> dict[str, Any]:
    link = {"href": href, "rel": rel, "type": media_type}
    if title is not None:
        link["title"] = title
    return link


def _collection_links(links: Links, cid: str) -> list[dict[str, Any]]:
    return [
        _link(links.operation("ogcCollection", collection_id=cid), "self", ogc.JSON),
        _link(links.operation("ogcItems", collection_id=cid), "items", ogc.GEOJSON),
    ]


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
async def landing_page(settings: SettingsDep, links: HereLinks) -> JSONResponse:
    conformance = links.operation("ogcConformance")
    data = links.operation("ogcCollections")
    return _json(
        {
            **ogc.landing(settings.publisher_name),
            "links": [
                _link(links.operation("ogcLandingPage"), "self", ogc.JSON, "This document"),
                _link(links.operation("ogcApiDefinition"), "service-desc", ogc.OPENAPI, "OpenAPI"),
                _link(conformance, "conformance", ogc.JSON),
                _link(conformance, "http://www.opengis.net/def/rel/ogc/1.0/conformance", ogc.JSON),
                _link(data, "data", ogc.JSON),
                _link(data, "http://www.opengis.net/def/rel/ogc/1.0/data", ogc.JSON),
            ],
        }
    )


@router.get(
    "/conformance",
    operation_id="ogcConformance",
    responses=_doc("The conformance classes implemented", examples.OGC_CONFORMANCE),
    summary="Conformance classes",
)
async def conformance() -> JSONResponse:
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
async def collections(reads: ReadsDep, links: HereLinks) -> JSONResponse:
    found = await reads.run(ogc.collections)
    return _json(
        {
            "links": [_link(links.operation("ogcCollections"), "self", ogc.JSON)],
            "collections": [{**c, "links": _collection_links(links, c["id"])} for c in found],
        }
    )


@router.get(
    "/collections/{collection_id}",
    operation_id="ogcCollection",
    responses={**_doc("One collection", examples.OGC_COLLECTION), **error_responses(404)},
    summary="One feature collection",
)
async def collection(collection_id: str, reads: ReadsDep, links: HereLinks) -> JSONResponse:
    found = await reads.run(lambda session: ogc.collection(session, collection_id))
    return _json({**found, "links": _collection_links(links, found["id"])})


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
async def items(
    collection_id: str,
    request: Request,
    reads: ReadsDep,
    app_links: LinksDep,
    links: HereLinks,
) -> JSONResponse:
    params = dict(request.query_params)
    page = await reads.run(lambda session: ogc.items(session, app_links, collection_id, params))
    here = links.operation("ogcItems", collection_id=page.collection_id)

    def link(rel: str, at: int) -> dict[str, Any]:
        query = urlencode({**page.query, "limit": page.limit, "offset": at})
        return _link(f"{here}?{query}", rel, ogc.GEOJSON)

    paging = [
        link("self", page.offset),
        _link(
            links.operation("ogcCollection", collection_id=page.collection_id),
            "collection",
            ogc.JSON,
        ),
    ]
    if page.has_next:
        paging.append(link("next", page.offset + page.limit))
    if page.offset > 0:
        paging.append(link("prev", max(0, page.offset - page.limit)))
    data = {
        "type": "FeatureCollection",
        "features": page.features,
        "links": paging,
        "numberMatched": page.matched,
        "numberReturned": len(page.features),
        "timeStamp": ogc.time_stamp(),
    }
    return _json(data, ogc.GEOJSON)


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    operation_id="ogcItem",
    responses={**_doc("One feature", examples.OGC_ITEM, ogc.GEOJSON), **error_responses(404)},
    summary="One feature (GeoJSON)",
)
async def item(
    collection_id: str,
    feature_id: str,
    reads: ReadsDep,
    app_links: LinksDep,
    links: HereLinks,
) -> JSONResponse:
    data = await reads.run(lambda session: ogc.item(session, app_links, collection_id, feature_id))
    data["links"] = [
        _link(
            links.operation("ogcItem", collection_id=collection_id, feature_id=data["id"]),
            "self",
            ogc.GEOJSON,
        ),
        _link(
            links.operation("ogcCollection", collection_id=collection_id), "collection", ogc.JSON
        ),
    ]
    return _json(data, ogc.GEOJSON)
