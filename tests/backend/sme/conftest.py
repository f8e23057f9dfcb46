"""Fixtures of the SME one-stop-shop tests (schemes, awards, OC4IDS, sub-packages, import)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.backend.opportunities.conftest import (  # noqa: F401 - fixtures re-exported
    BHAM,
    COVENTRY,
    make_proposal,
    publish,
    site,
)


def scheme_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "grant",
        "provider": "West Midlands Growth Company",
        "translations": {
            "en": {"title": "Bid-ready grant", "summary": "Help to prepare a first tender."},
            "it": {"title": "Contributo per la prima gara", "summary": "Aiuto per la gara."},
        },
        "amount_min": 500,
        "amount_max": 5000,
        "currency": "GBP",
        "sizes": ["micro", "small"],
        "sectors": [{"scheme": "CPV", "code": "45"}],
        "stages": ["startup", "growth"],
        "opens_on": "2020-01-01",
        "closes_on": "2099-12-31",
        "how_to_apply": "Apply online.",
        "apply_url": "https://growth.example.org/apply",
        "contact": {"name": "Support", "email": "support@growth.example.org"},
    }
    body.update(overrides)
    return body


def create_scheme(client: TestClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    r = client.post("/api/v1/schemes", json=scheme_body(**overrides), headers=headers)
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


def set_profile(client: TestClient, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    r = client.patch("/api/v1/organisations/me", json=fields, headers=headers)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data
