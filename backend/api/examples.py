"""Examples for the OpenAPI document of responses that have no pydantic model: files, CSV,
server-sent events and JSON documents built by hand (OGC API - Features, OCDS, my data).

Everything is in the City of London, GeoJSON lon/lat (WGS 84 / CRS84).
"""

from __future__ import annotations

from typing import Any

from backend.schemas.examples import SITE_RING

_BASE = "http://localhost:8000"
_OGC = f"{_BASE}/ogc"
_CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
_SITE = {
    "type": "MultiPolygon",
    "coordinates": [[SITE_RING]],
}


def binary(summary: str, url: str) -> dict[str, Any]:
    """A binary media type: the schema, and a request that answers with such a file (no
    ``externalValue``: code generators try to fetch it)."""
    return {
        "schema": {"type": "string", "format": "binary"},
        "examples": {"file": {"summary": summary, "description": f"The bytes of `GET {url}`"}},
    }


def json_content(example: Any, *media_types: str) -> dict[str, dict[str, Any]]:
    """The same example under each of ``media_types`` (``application/json`` when none)."""
    return {t: {"example": example} for t in media_types or ("application/json",)}


MY_DATA = {
    "account": {
        "id": 42,
        "email": "ada@example.org",
        "display_name": "Ada",
        "roles": ["citizen"],
        "locale": "en",
        "created_at": "2025-03-04T09:15:00+00:00",
        "consent_at": "2025-03-04T09:15:00+00:00",
        "last_login_at": "2025-05-06T07:58:12+00:00",
    },
    "organisation": None,
    "comments": [
        {
            "id": 101,
            "proposal_id": 1,
            "parent_id": None,
            "body": "The west block will overshadow the school playground after 3 pm.",
            "sentiment": "objection",
            "topics": ["design", "light"],
        }
    ],
    "reactions": [],
    "reports": [],
    "saved_searches": [],
    "interest_registrations": [],
    "api_tokens": [],
    "actions": [],
}

SSE = (
    "retry: 3000\n"
    ": subscribed to proposal:1\n"
    "\n"
    "id: 1746518400000-4182-7\n"
    "event: reaction_counts\n"
    'data: {"type":"reaction_counts","comment_id":101,"agree_count":13,"disagree_count":3,'
    '"id":"1746518400000-4182-7"}\n'
    "\n"
    ": keep-alive\n"
    "\n"
)

INTERESTS_CSV = (
    "registration_id,organisation_id,organisation_name,organisation_size,organisation_sectors,"
    "organisation_website,contact_name,contact_email,message,registered_at,updated_at,withdrawn\n"
    "17,8,Barbican Gardens Ltd,small,4511 77310000,https://gardens.example.org,Priya Shah,"
    "priya@gardens.example.org,We can start in September.,2025-05-06T14:30:00+00:00,"
    "2025-05-06T14:30:00+00:00,no\n"
)

PROPOSALS_CSV = (
    "id,reference,title,description,application_type,stage,decision,site_address,dwellings,"
    "floor_area_proposed_m2,consultation_start,consultation_end,decision_date,created_at,url,"
    "geometry_wkt\n"
    "1,24/00123/FULL,Bank Junction Tower,A 12-storey office and residential building.,full,"
    'consultation,,"1 Poultry, London EC2R",48,18400.0,2025-04-01,2025-05-13,,'
    f"2025-03-18T10:30:00+00:00,{_BASE}/proposals/1,"
    '"MULTIPOLYGON (((-0.0905 51.515, -0.0898 51.515, -0.0898 51.5154, -0.0905 51.5154, '
    '-0.0905 51.515)))"\n'
)

_PROPOSAL_FEATURE = {
    "type": "Feature",
    "id": 1,
    "geometry": _SITE,
    "properties": {
        "reference": "24/00123/FULL",
        "title": "Bank Junction Tower",
        "application_type": "full",
        "stage": "consultation",
        "decision": None,
        "site_address": "1 Poultry, London EC2R",
        "dwellings": 48,
        "consultation_start": "2025-04-01",
        "consultation_end": "2025-05-13",
        "url": f"{_BASE}/proposals/1",
    },
}

PROPOSALS_GEOJSON = {
    "type": "FeatureCollection",
    "name": "proposals",
    "features": [_PROPOSAL_FEATURE],
}

OCDS_PACKAGE = {
    "uri": f"{_BASE}/api/v1/opportunities/release-package.json",
    "version": "1.1",
    "publishedDate": "2025-05-01T09:00:00Z",
    "publisher": {"name": "City of London Corporation"},
    "license": "https://creativecommons.org/publicdomain/zero/1.0/",
    "publicationPolicy": f"{_BASE}/docs/publication-policy",
    "extensions": [],
    "releases": [
        {
            "ocid": "ocds-civictwin-opp-4",
            "id": "ocds-civictwin-opp-4-20250501T090000Z",
            "date": "2025-05-01T09:00:00Z",
            "tag": ["tender"],
            "initiationType": "tender",
            "parties": [
                {
                    "id": "buyer",
                    "name": "City of London Corporation",
                    "roles": ["buyer", "procuringEntity"],
                },
                {
                    "id": "org-8",
                    "name": "Barbican Gardens Ltd",
                    "roles": ["interestedParty"],
                    "details": {"scale": "sme"},
                },
            ],
            "buyer": {"id": "buyer", "name": "City of London Corporation"},
            "tender": {
                "id": "ocds-civictwin-opp-4-tender",
                "title": "Landscaping works",
                "status": "active",
                "value": {"amount": 250000.0, "currency": "GBP"},
                "tenderPeriod": {
                    "startDate": "2025-05-01T09:00:00Z",
                    "endDate": "2025-06-13T17:00:00Z",
                },
                "items": [
                    {
                        "id": "1",
                        "classification": {
                            "scheme": "CPV",
                            "id": "45112710",
                            "description": "Landscaping work for green areas",
                        },
                        "deliveryLocation": {
                            "geometry": {"type": "Point", "coordinates": [-0.0983, 51.5203]}
                        },
                    }
                ],
            },
        }
    ],
}

TILESET_JSON = {
    "asset": {"version": "1.1"},
    "geometricError": 512.0,
    "root": {
        "boundingVolume": {"region": [-0.001981, 0.898903, -0.001265, 0.899200, 0.0, 180.0]},
        "geometricError": 64.0,
        "refine": "REPLACE",
        "content": {"uri": "content/0/0/0.glb"},
    },
}

OGC_LANDING = {
    "title": "City of London Corporation - OGC API - Features",
    "description": "Development proposals, city buildings, consultation comments and "
    "supply-chain opportunities",
    "links": [
        {"href": _OGC, "rel": "self", "type": "application/json", "title": "This document"},
        {
            "href": f"{_OGC}/api",
            "rel": "service-desc",
            "type": "application/vnd.oai.openapi+json;version=3.0",
            "title": "OpenAPI",
        },
        {"href": f"{_OGC}/conformance", "rel": "conformance", "type": "application/json"},
        {"href": f"{_OGC}/collections", "rel": "data", "type": "application/json"},
    ],
}

OGC_CONFORMANCE = {
    "conformsTo": [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    ]
}

OGC_API = {
    "openapi": "3.0.3",
    "info": {"title": "CivicTwin OGC API - Features", "version": "1.0.0"},
    "servers": [{"url": _BASE}],
    "paths": {"/ogc/collections/{collection_id}/items": {"get": {"operationId": "ogcItems"}}},
}

OGC_COLLECTION = {
    "id": "proposals",
    "title": "Development proposals",
    "description": "Published development proposals with their site boundaries",
    "itemType": "feature",
    "crs": [_CRS84],
    "extent": {
        "spatial": {"bbox": [[-0.1135, 51.5065, -0.0725, 51.5235]], "crs": _CRS84},
        "temporal": {
            "interval": [["2025-03-18T10:30:00Z", "2025-05-02T12:00:00Z"]],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        },
    },
    "links": [
        {"href": f"{_OGC}/collections/proposals", "rel": "self", "type": "application/json"},
        {
            "href": f"{_OGC}/collections/proposals/items",
            "rel": "items",
            "type": "application/geo+json",
        },
    ],
}

OGC_COLLECTIONS = {
    "links": [{"href": f"{_OGC}/collections", "rel": "self", "type": "application/json"}],
    "collections": [OGC_COLLECTION],
}

OGC_ITEMS = {
    "type": "FeatureCollection",
    "features": [_PROPOSAL_FEATURE],
    "links": [
        {
            "href": f"{_OGC}/collections/proposals/items?limit=10&offset=0",
            "rel": "self",
            "type": "application/geo+json",
        },
        {"href": f"{_OGC}/collections/proposals", "rel": "collection", "type": "application/json"},
    ],
    "numberMatched": 1,
    "numberReturned": 1,
    "timeStamp": "2025-05-06T09:00:00.000000Z",
}

OGC_ITEM = {
    **_PROPOSAL_FEATURE,
    "links": [
        {
            "href": f"{_OGC}/collections/proposals/items/1",
            "rel": "self",
            "type": "application/geo+json",
        },
        {"href": f"{_OGC}/collections/proposals", "rel": "collection", "type": "application/json"},
    ],
}
