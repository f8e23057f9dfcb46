"""Ids and offsets beyond what the columns hold are a 4xx on every route, never a 500.

PostgreSQL ids are ``integer`` (up to 2**31 - 1), SQLite's are 64-bit, and Python ints are
unbounded: the API bounds every path id and every offset once (``backend.api.params``), so the
database never sees a number it cannot hold. The routes are enumerated from the app itself, so a
new route is covered without editing this test.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.db.models import User

HUGE = (2**31, 2**63, 2**64)
_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def _id_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every operation in the OpenAPI document whose path params are ids."""
    routes = []
    for path, operations in app.openapi()["paths"].items():
        names = _PARAM.findall(path)
        if names and all(n.endswith("_id") for n in names):
            routes.extend(
                (m.upper(), path)
                for m in operations
                if m in ("get", "post", "put", "patch", "delete")
            )
    return routes


def test_huge_path_ids_are_4xx_on_every_route(
    app: FastAPI, make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]
) -> None:
    admin = bearer(make_user("admin", "planner", "moderator"))
    routes = _id_routes(app)
    assert len(routes) > 30  # the enumeration found the API
    server_errors = []
    with TestClient(app, raise_server_exceptions=False) as client:
        for method, path in routes:
            for value in HUGE:
                url = _PARAM.sub(str(value), path)
                r = client.request(method, url, headers=admin, json={})
                if r.status_code >= 500:
                    server_errors.append(f"{method} {url}: {r.status_code} {r.text[:80]}")
    assert server_errors == []


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/proposals",
        "/api/v1/opportunities",
        "/api/v1/organisations",
        "/ogc/collections/proposals/items",
    ],
)
def test_huge_offsets_and_limits_are_4xx(client: TestClient, path: str) -> None:
    for value in HUGE:
        for name in ("offset", "limit"):
            r = client.get(path, params={name: value})
            assert 400 <= r.status_code < 500, (path, name, value, r.status_code, r.text[:200])
