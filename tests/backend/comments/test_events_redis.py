"""Live events across two app instances (two uvicorn servers, one database) through real Redis."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
import redis as redis_client
from fastapi import FastAPI

from backend.db.engine import Database
from backend.db.models import User
from backend.main import create_app
from backend.services.events_redis import RedisBroker
from backend.settings import Settings
from tests.backend.comments.conftest import Headers
from tests.backend.comments.sse import frames, next_event
from tests.services import RedisServer, live_server

Citizen = Callable[..., tuple[User, Headers]]


@pytest.fixture
def two_apps(
    settings: Settings, db_url: str, redis: RedisServer
) -> Iterator[tuple[FastAPI, FastAPI]]:
    """Two app instances, each with its own engine, sharing one database and one Redis."""
    shared = settings.model_copy(update={"redis_url": redis.url})
    databases = [Database.connect(db_url), Database.connect(db_url)]
    try:
        yield (
            create_app(shared, database=databases[0]),
            create_app(shared, database=databases[1]),
        )
    finally:
        for db in databases:
            db.dispose()


def pubsub_clients(redis: RedisServer) -> int:
    with contextlib.closing(redis_client.Redis.from_url(redis.url)) as r:
        return len(r.client_list(_type="pubsub"))


def wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def test_comment_posted_on_one_instance_reaches_a_subscriber_of_another(
    two_apps: tuple[FastAPI, FastAPI], redis: RedisServer, proposal_id: int, citizen: Citizen
) -> None:
    app_a, app_b = two_apps
    _, author = citizen(name="Grace")
    with (
        live_server(app_a) as url_a,
        live_server(app_b) as url_b,
        httpx.Client(base_url=url_a, timeout=10) as http_a,
        httpx.Client(base_url=url_b, timeout=10) as http_b,
    ):
        assert isinstance(app_a.state.events, RedisBroker)
        assert app_a.state.events.connected and app_b.state.events.connected
        with http_a.stream("GET", f"/api/v1/proposals/{proposal_id}/events") as stream:
            events = frames(stream)
            next(events)  # subscribed locally on A
            made = http_b.post(
                f"/api/v1/proposals/{proposal_id}/comments",
                json={"body": "Seen from the other worker"},
                headers=author,
            )
            assert made.status_code == 201, made.text
            created = next_event(events)
            assert created.event == "comment_created"
            assert created.payload["comment"]["id"] == made.json()["id"]
            assert created.payload["comment"]["author"]["display_name"] == "Grace"

            # and the subscriber survives losing its Redis connection: it reconnects
            with contextlib.closing(redis_client.Redis.from_url(redis.url)) as r:
                r.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
            wait_for(lambda: pubsub_clients(redis) == 2 and app_a.state.events.connected)
            http_b.delete(f"/api/v1/comments/{made.json()['id']}", headers=author)
            deleted = next_event(events)
            assert deleted.event == "comment_deleted"
            assert deleted.payload["comment_id"] == made.json()["id"]
