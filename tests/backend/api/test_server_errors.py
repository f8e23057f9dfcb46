"""A 500 keeps its request id (body, header, access log); a bad upload is a 4xx, never a 500."""

from __future__ import annotations

import json
import logging
import struct
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.backend.proposals.helpers import create

Headers = Callable[[str], dict[str, str]]


def test_a_500_keeps_its_request_id_in_body_header_and_access_log(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise RuntimeError("secret internals")

    # a route that fails the way any bug would: the app's own handling, nothing mocked
    app.add_api_route("/api/v1/test-broken", broken, methods=["GET"])
    with TestClient(app) as client, caplog.at_level(logging.INFO):
        r = client.get("/api/v1/test-broken", headers={"X-Request-ID": "req-500-abc"})
    assert r.status_code == 500
    assert r.json() == {
        "detail": "internal error (request id req-500-abc)",
        "code": "InternalError",
        "key": "internal",
        "params": {},
    }
    assert "secret internals" not in r.text
    assert r.headers["x-request-id"] == "req-500-abc"
    access = [rec.getMessage() for rec in caplog.records if rec.name == "backend.access"]
    assert any(m.startswith("GET /api/v1/test-broken 500 ") for m in access), access
    traced = [rec for rec in caplog.records if rec.exc_info and "test-broken" in rec.getMessage()]
    assert traced, "the traceback is logged"


def nested_glb(depth: int) -> bytes:
    doc = b'{"asset": {"version": "2.0"}, "extras": ' + b"[" * depth + b"]" * depth + b"}"
    doc += b" " * (-len(doc) % 4)
    header = struct.pack("<4sII", b"glTF", 2, 12 + 8 + len(doc))
    return header + struct.pack("<II", len(doc), 0x4E4F534A) + doc


def test_a_deeply_nested_glb_json_chunk_is_422_not_a_crash(
    client: TestClient, as_role: Headers
) -> None:
    planner = as_role("planner")
    pid = create(client, planner)["id"]

    def put(body: bytes):
        return client.put(
            f"/api/v1/proposals/{pid}/model",
            params={"lon": -0.095, "lat": 51.515},
            content=body,
            headers={**planner, "Content-Type": "model/gltf-binary"},
        )

    r = put(nested_glb(100_000))
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == (
        "file: the glb JSON chunk nests arrays or objects more than 64 levels deep"
    )
    # brackets inside strings do not count; a sane depth is accepted
    assert put(nested_glb(50)).status_code == 200
    assert json.loads(nested_glb(3)[20:])["extras"] == [[[]]]
