"""Collection extents: computed from the public features, on both engines."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import Tileset
from tests.backend.ogc.conftest import ORIGIN

LON0, LAT0 = ORIGIN


def extent_of(client: TestClient, cid: str) -> dict[str, object]:
    r = client.get(f"/ogc/collections/{cid}")
    assert r.status_code == 200, r.text
    return dict(r.json().get("extent", {}))


def bbox_of(client: TestClient, cid: str) -> list[float]:
    spatial = extent_of(client, cid)["spatial"]
    assert isinstance(spatial, dict)
    assert spatial["crs"] == "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    (bbox,) = spatial["bbox"]
    return list(bbox)


def test_spatial_extents_cover_the_public_features_only(
    client: TestClient, city: dict[str, int]
) -> None:
    # three public sites of half-width 0.002 at 0.01 steps; the draft (the 4th) is left out
    assert bbox_of(client, "proposals") == pytest.approx(
        [LON0 - 0.002, LAT0 + 0.008, LON0 + 0.022, LAT0 + 0.012]
    )
    # published anchors at 0.0005 steps; the hidden 5th and the draft's comments are left out
    assert bbox_of(client, "comments") == pytest.approx(
        [LON0, LAT0 + 0.01, LON0 + 0.0015, LAT0 + 0.01]
    )
    assert bbox_of(client, "opportunities") == pytest.approx(
        [LON0, LAT0 + 0.01, LON0 + 0.02, LAT0 + 0.01]
    )
    # the fixture's tileset has no stored bbox: computed from its seven footprints
    assert bbox_of(client, "buildings") == pytest.approx(
        [LON0 - 0.0004, LAT0 - 0.0004, LON0 + 0.0064, LAT0 + 0.0004]
    )


def test_temporal_extents_span_the_public_features(
    client: TestClient, city: dict[str, int]
) -> None:
    def interval(cid: str) -> list[str | None]:
        temporal = extent_of(client, cid)["temporal"]
        assert isinstance(temporal, dict)
        return list(temporal["interval"][0])

    assert interval("proposals") == ["2025-01-01T00:00:00Z", "2025-03-02T00:00:00Z"]
    assert interval("comments") == ["2025-01-01T00:00:00Z", "2025-01-04T00:00:00Z"]
    # opportunities by closing date, as the items' datetime filter
    assert interval("opportunities") == ["2025-03-02T00:00:00Z", "2025-03-04T00:00:00Z"]
    assert "temporal" not in extent_of(client, "buildings")


def test_buildings_extent_comes_from_the_tileset_bbox(
    client: TestClient, database: Database, city: dict[str, int]
) -> None:
    with database.sessions() as s:
        tileset = s.get(Tileset, "city")
        assert tileset is not None
        tileset.bbox = [-1.9, 52.4, -1.8, 52.5]
        s.commit()
    assert bbox_of(client, "buildings") == pytest.approx([-1.9, 52.4, -1.8, 52.5])
    listed = {c["id"]: c for c in client.get("/ogc/collections").json()["collections"]}
    assert listed["buildings"]["extent"]["spatial"]["bbox"] == [[-1.9, 52.4, -1.8, 52.5]]


def test_empty_collections_have_no_extent(client: TestClient) -> None:
    for cid in ("proposals", "buildings", "comments", "opportunities"):
        assert extent_of(client, cid) == {}
