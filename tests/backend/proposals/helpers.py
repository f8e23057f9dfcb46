"""Small builders for proposal tests: tiny real geometries in the City of London."""

from __future__ import annotations

import itertools
from typing import Any

from fastapi.testclient import TestClient

_refs = itertools.count(1)


def square(lon: float = -0.0950, lat: float = 51.5150, size: float = 0.0004) -> dict[str, Any]:
    """A GeoJSON Polygon of ``size`` degrees with its south-west corner at lon/lat."""
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [lon, lat],
                [lon + size, lat],
                [lon + size, lat + size],
                [lon, lat + size],
                [lon, lat],
            ]
        ],
    }


def proposal_body(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference": f"24/{next(_refs):05d}/FULL",
        "title": "Cheapside offices",
        "application_type": "full",
        "site_address": "Cheapside, London EC2",
        "site_boundary": square(),
    }
    body.update(fields)
    return body


def create(client: TestClient, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    r = client.post("/api/v1/proposals", json=proposal_body(**fields), headers=headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def publish(client: TestClient, headers: dict[str, str], proposal_id: int) -> dict[str, Any]:
    r = client.post(f"/api/v1/proposals/{proposal_id}/publish", headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def massing_body(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": b["geometry"],
                "properties": {k: v for k, v in b.items() if k != "geometry"},
            }
            for b in blocks
        ],
    }
