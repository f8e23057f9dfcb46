"""``/api/v1/opendata``: downloads of the public data as CSV and GeoJSON."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response

from backend.api import examples
from backend.api.deps import BulkSessionDep
from backend.api.errors import error_responses
from backend.api.links import LinksDep
from backend.schemas.opendata import Catalogue, Download
from backend.services import opendata

router = APIRouter(prefix="/opendata", tags=["open data"])

MEDIA = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json"}


@router.get(
    "",
    response_model=Catalogue,
    operation_id="getOpenDataCatalogue",
    summary="The open data sets, their download URLs and licence, and the APIs serving them",
)
def catalogue() -> Catalogue:
    return Catalogue(
        licence="https://creativecommons.org/publicdomain/zero/1.0/",
        downloads=[
            Download(dataset=d, format=f, url=f"/api/v1/opendata/{d}.{f}")
            for d in opendata.DATASETS
            for f in ("csv", "geojson")
        ],
        ogc_api="/ogc",
        ocds="/api/v1/opportunities/release-package.json",
    )


@router.get(
    "/{dataset}.{fmt}",
    operation_id="downloadOpenData",
    response_class=Response,
    responses={
        200: {
            "description": "The whole data set; CSV has a `geometry_wkt` column (WGS 84)",
            "content": {
                "text/csv": {"schema": {"type": "string"}, "example": examples.PROPOSALS_CSV},
                "application/geo+json": {"example": examples.PROPOSALS_GEOJSON},
            },
        },
        **error_responses(404, 422),
    },
    summary="Proposals, published comments (anonymised) or opportunities as CSV or GeoJSON",
)
def download(
    dataset: Literal["proposals", "comments", "opportunities", "impact"],
    fmt: Literal["csv", "geojson"],
    session: BulkSessionDep,
    links: LinksDep,
) -> Response:
    body = opendata.download(session, dataset, fmt, links)
    return Response(
        body,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="civictwin-{dataset}.{fmt}"'},
    )
