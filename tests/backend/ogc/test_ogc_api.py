"""OGC API - Features Part 1 Core, read by OWSLib (a real OGC client) over a real server."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi.testclient import TestClient
from owslib.ogcapi.features import Features

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"


def test_owslib_pages_through_every_collection(server_url: str, city: dict[str, int]) -> None:
    api = Features(f"{server_url}/ogc")
    assert CORE in api.conformance()["conformsTo"]
    assert "/ogc/collections/{collection_id}/items" in api.api()["paths"]
    ids = {c["id"] for c in api.collections()["collections"]}
    assert ids == set(city)
    for cid, expected in city.items():
        seen: list[int] = []
        offset = 0
        while True:
            page = api.collection_items(cid, limit=2, offset=offset)
            assert page["numberMatched"] == expected
            assert page["numberReturned"] == len(page["features"]) <= 2
            seen += [f["id"] for f in page["features"]]
            nxt = [link for link in page["links"] if link["rel"] == "next"]
            if not nxt:
                break
            offset = int(parse_qs(urlparse(nxt[0]["href"]).query)["offset"][0])
        assert len(seen) == expected == len(set(seen)), cid
        one = api.collection_item(cid, str(seen[0]))
        assert one["id"] == seen[0] and one["type"] == "Feature"


def test_comments_are_published_only_and_anonymised(
    client: TestClient, city: dict[str, int]
) -> None:
    page = client.get("/ogc/collections/comments/items?limit=100").json()
    assert page["numberMatched"] == city["comments"]
    for f in page["features"]:
        assert f["geometry"]["type"] == "Point"
        assert "author" not in str(f["properties"]).lower()
        assert "Alice" not in str(f["properties"])
        assert "P3" not in f["properties"]["body"]  # the draft proposal's comments stay private


def test_bbox_and_datetime_filter_items(client: TestClient, city: dict[str, int]) -> None:
    # only the first building's footprint lies west of -1.8900
    got = client.get("/ogc/collections/buildings/items?bbox=-1.9,52.48,-1.8900,52.49").json()
    assert [f["properties"]["building_id"] for f in got["features"]] == ["b0"]
    r = client.get(
        "/ogc/collections/comments/items?datetime=2025-01-01T00:00:00Z/2025-01-02T00:00:00Z"
    )
    assert r.status_code == 200
    assert r.json()["numberMatched"] == 6  # days 0 and 1, three public proposals
    assert r.headers["content-type"].startswith("application/geo+json")
    open_end = client.get(
        "/ogc/collections/proposals/items?datetime=2025-01-15T00:00:00Z/.."
    ).json()
    assert open_end["numberMatched"] == 2


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("bbox=-200,0,10,10", "bbox"),
        ("bbox=0,10,10,0", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=1,2,3", "bbox"),
        ("limit=0", "limit"),
        ("limit=5000", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        ("datetime=yesterday", "datetime"),
        ("datetime=2025-02-01T00:00:00Z/2025-01-01T00:00:00Z", "datetime"),
        ("colour=red", "colour"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(
    client: TestClient, query: str, param: str
) -> None:
    r = client.get(f"/ogc/collections/buildings/items?{query}")
    assert r.status_code == 400, r.text
    assert r.json()["detail"].startswith(param)


def test_unknown_collection_and_feature_are_404(client: TestClient, city: dict[str, int]) -> None:
    assert client.get("/ogc/collections/trees").status_code == 404
    assert client.get("/ogc/collections/trees/items").status_code == 404
    assert client.get("/ogc/collections/buildings/items/999999").status_code == 404
    assert client.get("/ogc/collections/buildings/items/abc").status_code == 404
    draft = client.get("/ogc/collections/proposals/items?limit=100").json()
    assert all(f["properties"]["stage"] != "draft" for f in draft["features"])


def test_landing_page_links_to_api_conformance_and_data(client: TestClient) -> None:
    landing = client.get("/ogc").json()
    rels = {link["rel"]: link for link in landing["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= set(rels)
    assert rels["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    api = client.get("/ogc/api")
    assert api.status_code == 200 and api.json()["openapi"].startswith("3.0")
    assert isinstance(httpx.URL(rels["data"]["href"]), httpx.URL)


def test_every_href_is_the_route_on_the_address_the_request_came_to(
    client: TestClient, city: dict[str, int]
) -> None:
    # a GIS client follows the links back to the server it asked, whatever the public address
    host = {"Host": "gis.example.org"}
    base = "http://gis.example.org/ogc"
    landing = client.get("/ogc", headers=host).json()
    assert {link["href"] for link in landing["links"]} == {
        base,
        f"{base}/api",
        f"{base}/conformance",
        f"{base}/collections",
    }
    listed = client.get("/ogc/collections", headers=host).json()
    for c in listed["collections"]:
        hrefs = {link["rel"]: link["href"] for link in c["links"]}
        assert hrefs == {
            "self": f"{base}/collections/{c['id']}",
            "items": f"{base}/collections/{c['id']}/items",
        }
    page = client.get("/ogc/collections/proposals/items?limit=1&offset=1", headers=host).json()
    hrefs = {link["rel"]: link["href"] for link in page["links"]}
    items = f"{base}/collections/proposals/items"
    assert hrefs["self"] == f"{items}?limit=1&offset=1"
    assert hrefs["prev"] == f"{items}?limit=1&offset=0"
    assert hrefs["collection"] == f"{base}/collections/proposals"
    assert ("next" in hrefs) == (city["proposals"] > 2)
    fid = page["features"][0]["id"]
    one = client.get(f"/ogc/collections/proposals/items/{fid}", headers=host).json()
    assert {link["rel"]: link["href"] for link in one["links"]} == {
        "self": f"{items}/{fid}",
        "collection": f"{base}/collections/proposals",
    }
