"""Fixtures of the opportunities tests: proposals made straight in the database, helpers."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, box

from backend.db.engine import Database
from backend.db.models import Proposal, User

_refs = itertools.count(1)

#: Birmingham city centre and a site in Coventry, ~30 km away.
BHAM = (-1.8904, 52.4862)
COVENTRY = (-1.5197, 52.4068)


def site(lon: float, lat: float, half_deg: float = 0.001) -> MultiPolygon:
    return MultiPolygon([box(lon - half_deg, lat - half_deg, lon + half_deg, lat + half_deg)])


@pytest.fixture
def make_proposal(database: Database) -> Callable[..., Proposal]:
    def make(
        owner: User | None, *, stage: str = "consultation", at: tuple[float, float] = BHAM
    ) -> Proposal:
        with database.sessions() as session:
            proposal = Proposal(
                reference=f"24/{next(_refs):05d}/FUL",
                title="Riverside homes",
                description="120 homes and shops",
                stage=stage,
                site_address="1 River Street",
                site_boundary=from_shape(site(*at), srid=4326),
                created_by_id=None if owner is None else owner.id,
            )
            session.add(proposal)
            session.commit()
            session.refresh(proposal)
            session.expunge_all()
            return proposal

    return make


def opportunity_body(proposal_id: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "proposal_id": proposal_id,
        "title": "Landscaping works",
        "description": "Soft landscaping of the courtyard",
        "cpv_codes": ["45112710"],
        "value_min": 50000,
        "value_max": 80000,
        "currency": "GBP",
        "sme_suitable": True,
        "tender_start": "2030-01-01T09:00:00Z",
        "tender_end": "2030-02-01T17:00:00Z",
        "contract_start": "2030-03-01",
        "contract_end": "2030-09-30",
        "delivery_location": {"type": "Point", "coordinates": list(BHAM)},
        "status": "planned",
        "social_value": ["local_employment", "green"],
        "contact": {"name": "Procurement", "email": "buy@example.org"},
    }
    body.update(overrides)
    return body


def publish(
    client: TestClient, headers: dict[str, str], proposal_id: int, **overrides: Any
) -> dict[str, Any]:
    r = client.post(
        "/api/v1/opportunities", json=opportunity_body(proposal_id, **overrides), headers=headers
    )
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data
