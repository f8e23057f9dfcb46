"""The OGC collections and items (and the proposals list) read on the event loop on PostGIS
(``CIVICTWIN_DATABASE_ASYNC_READS``: psycopg's async mode, ``deps.Reads``) answer exactly what
the thread-pool executor answers: same status and media type, the same bytes apart from the
response's ``timeStamp``. On SpatiaLite the setting opens nothing and the same requests go
through the thread pool both times."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.main import create_app
from backend.settings import Settings

REQUESTS = [
    "/ogc/collections",
    "/ogc/collections/proposals",
    "/ogc/collections/buildings",
    "/ogc/collections/nowhere",
    *(
        f"/ogc/collections/{c}/items{q}"
        for c in ("proposals", "buildings", "comments", "opportunities", "impact")
        for q in ("", "?limit=2", "?limit=2&offset=2", "?bbox=-1.9,52.4,-1.87,52.5")
    ),
    "/ogc/collections/proposals/items?datetime=2025-01-15T00:00:00Z/..",
    "/ogc/collections/comments/items?datetime=../2025-01-02T00:00:00Z&limit=3",
    "/ogc/collections/proposals/items?limit=ten",
    "/ogc/collections/proposals/items?colour=red",
    "/ogc/collections/proposals/items/1",
    "/ogc/collections/buildings/items/2",
    "/ogc/collections/proposals/items/999999",
    "/ogc/collections/proposals/items/x",
    "/api/v1/proposals",
    "/api/v1/proposals?limit=2&offset=1",
    "/api/v1/proposals?stage=decided&q=Scheme",
    "/api/v1/proposals?bbox=-1.9,52.4,-1.87,52.5",
    "/api/v1/proposals?limit=0",
]
_STAMP = re.compile(rb'"timeStamp": ?"[^"]*"')


@pytest.fixture
def async_client(settings: Settings, database: Database) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"database_async_reads": True}), database=database)
    with TestClient(app) as client:
        yield client


def _answer(client: TestClient, path: str) -> tuple[int, str | None, bytes]:
    response = client.get(path)
    return response.status_code, response.headers.get("content-type"), response.content


def _statements(engine: sa.Engine | None) -> Iterator[list[str]]:
    seen: list[str] = []
    if engine is None:
        yield seen
        return

    def on_execute(*args: Any) -> None:
        seen.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", on_execute)


def test_reads_on_the_event_loop_answer_what_the_thread_pool_answers(
    async_client: TestClient, database: Database, engine_name: str, city: dict[str, int]
) -> None:
    client = async_client
    on_loop = database.async_read_sessions
    assert (on_loop is not None) == (engine_name == "postgis")
    engine = database.async_engine.sync_engine if database.async_engine is not None else None
    counted = _statements(engine)
    seen = next(counted)
    answers = {path: _answer(client, path) for path in REQUESTS}
    if engine_name == "postgis":
        # every request above read through the async engine (none answered from the sync one)
        assert len(seen) >= len(REQUESTS) - 4, seen  # 404 collection, 400s: no statement
    database.async_read_sessions = None  # the same app, its reads now in the thread pool
    try:
        for path, (status, media_type, body) in answers.items():
            again = _answer(client, path)
            assert (again[0], again[1]) == (status, media_type), path
            assert _STAMP.sub(b"", again[2]) == _STAMP.sub(b"", body), path
    finally:
        database.async_read_sessions = on_loop
    assert {s for s, _, _ in answers.values()} == {200, 400, 404, 422}
    features = answers["/ogc/collections/proposals/items"][2]
    assert features.count(b'"type":"Feature"') + features.count(b'"type": "Feature"') == 3


def test_a_signed_in_reader_with_a_bearer_token_reads_in_the_thread_pool(
    async_client: TestClient, database: Database, city: dict[str, int], make_user: Any, bearer: Any
) -> None:
    """A bearer token's use is recorded (a write), so its reads take a writable session."""
    client = async_client
    headers = bearer(make_user("planner"))
    engine = database.async_engine.sync_engine if database.async_engine is not None else None
    counted = _statements(engine)
    seen = next(counted)
    listed = client.get("/api/v1/proposals", headers=headers)
    assert listed.status_code == 200
    assert listed.json()["total"] == 4  # a planner sees the draft too
    assert seen == []
    assert client.get("/api/v1/proposals").json()["total"] == 3


def test_async_reads_are_off_unless_asked_for(client: TestClient, database: Database) -> None:
    assert database.async_engine is None
    assert client.get("/ogc/collections/proposals/items").status_code == 200


def test_a_page_past_the_end_still_says_how_many_matched(
    client: TestClient, city: dict[str, int]
) -> None:
    """The total rides on the page's rows (count over the window); a page with no rows asks
    for it on its own."""
    full = client.get("/ogc/collections/comments/items?limit=1000").json()
    assert full["numberMatched"] == full["numberReturned"] == city["comments"]
    past = client.get("/ogc/collections/comments/items?offset=500").json()
    assert (past["numberMatched"], past["numberReturned"]) == (city["comments"], 0)
    assert [link["rel"] for link in past["links"]] == ["self", "collection", "prev"]
    last = client.get(f"/ogc/collections/comments/items?limit=2&offset={city['comments'] - 1}")
    assert (last.json()["numberMatched"], last.json()["numberReturned"]) == (city["comments"], 1)
    nowhere = client.get("/ogc/collections/proposals/items?bbox=10,10,11,11").json()
    assert (nowhere["numberMatched"], nowhere["numberReturned"]) == (0, 0)
