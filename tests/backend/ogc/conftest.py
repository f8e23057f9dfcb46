"""A small public city: proposals (one draft), buildings, comments and opportunities."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point, box

from backend.db.engine import Database
from backend.db.models import (
    Building,
    Comment,
    Opportunity,
    OpportunityCPV,
    Proposal,
    Tileset,
    User,
)
from backend.db.models_impact import ImpactJob, ImpactResult

ORIGIN = (-1.8904, 52.4862)
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def square(lon: float, lat: float, half: float = 0.0004) -> MultiPolygon:
    return MultiPolygon([box(lon - half, lat - half, lon + half, lat + half)])


@pytest.fixture
def city(database: Database) -> dict[str, int]:
    """Counts of what each OGC collection publishes (and one of each kind that it must not)."""
    lon0, lat0 = ORIGIN
    with database.sessions() as s:
        author = User(email="author@example.org", display_name="Alice Author")
        s.add(author)
        s.add(Tileset(name="city", title="City"))
        s.flush()
        for i in range(7):
            s.add(
                Building(
                    tileset="city",
                    building_id=f"b{i}",
                    footprint=from_shape(square(lon0 + i * 0.001, lat0), srid=4326),
                    height_m=10 + i,
                    height_source="measured",
                )
            )
        proposals = []
        for i, stage in enumerate(["consultation", "assessment", "decided", "draft"]):
            p = Proposal(
                reference=f"P{i}",
                title=f"Scheme {i}",
                stage=stage,
                site_boundary=from_shape(square(lon0 + i * 0.01, lat0 + 0.01, 0.002), srid=4326),
                created_at=T0 + timedelta(days=30 * i),
            )
            s.add(p)
            proposals.append(p)
        s.flush()
        for i in range(5):
            for p in proposals:
                s.add(
                    Comment(
                        proposal_id=p.id,
                        author_id=author.id,
                        body=f"Comment {i} on {p.reference}",
                        sentiment=("objection", "neutral", "supportive")[i % 3],
                        topics=["design", "traffic"][: 1 + i % 2],
                        anchor_point=from_shape(Point(lon0 + i * 0.0005, lat0 + 0.01), srid=4326),
                        anchor_building_id="b1" if i < 3 else None,
                        state="hidden" if i == 4 else "published",
                        created_at=T0 + timedelta(days=i),
                    )
                )
        for i, p in enumerate(proposals):
            s.add(
                Opportunity(
                    proposal_id=p.id,
                    title=f"Package {i}",
                    status="planned",
                    value_amount=Decimal("1000.00"),
                    tender_end=T0 + timedelta(days=60 + i),
                    delivery_location=from_shape(Point(lon0 + i * 0.01, lat0 + 0.01), srid=4326),
                    cpv=[OpportunityCPV(code="45112710-5", position=0)],
                )
            )
        # impact studies (issue 13): P0 twice (only the latest is published), P1, and the draft
        for n, p in enumerate([proposals[0], proposals[0], proposals[1], proposals[3]]):
            facts = [{"code": "vsc", "failing": n, "points": 10, "buildings": 1}]
            r = ImpactResult(
                scene_hash=f"{n:064d}",
                tileset="city",
                data=gzip.compress(json.dumps({"vsc": {"features": []}}).encode()),
                summary={"facts": facts, "sentences": []},
                seconds=1.0,
            )
            s.add(r)
            s.flush()
            s.add(
                ImpactJob(
                    proposal_id=p.id,
                    scene_hash=r.scene_hash,
                    status="done",
                    progress=100,
                    inputs={},
                    result_id=r.id,
                    finished_at=T0 + timedelta(days=n),
                )
            )
        s.commit()
    # public: 3 proposals (not the draft), 4 published comments on each of them, 3 packages,
    # the latest impact study of P0 and P1
    return {"proposals": 3, "buildings": 7, "comments": 12, "opportunities": 3, "impact": 2}
