"""A tileset folder's build report stays on the server: it names the server's paths."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.backend.city.fixtures import City


def test_build_report_is_not_served_but_the_tileset_is(client: TestClient, city: City) -> None:
    report = city.tileset_dir / "build-report.json"
    text = report.read_text()
    assert '"path": "/' in text  # absolute server paths: what must not be shown
    for method in (client.get, client.head):
        r = method(f"/tiles/{city.name}/build-report.json")
        assert r.status_code == 404, r.text
    r = client.get(f"/tiles/{city.name}/build-report.json")
    assert r.json()["code"] == "NotFoundError"
    assert '"path"' not in r.text
    assert client.get(f"/tiles/{city.name}/tileset.json").status_code == 200
