"""``Idempotency-Key`` is documented in OpenAPI on every POST, as the middleware applies it."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.backend.proposals.helpers import proposal_body


def test_every_post_documents_the_idempotency_key_header(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    parameter = spec["components"]["parameters"]["IdempotencyKey"]
    assert parameter["in"] == "header" and parameter["name"] == "Idempotency-Key"
    assert parameter["required"] is False
    assert "stored response" in parameter["description"]
    assert parameter["schema"] == {"type": "string", "minLength": 1, "maxLength": 255}
    posts = [(path, ops["post"]) for path, ops in spec["paths"].items() if "post" in ops]
    assert len(posts) > 15
    ref = {"$ref": "#/components/parameters/IdempotencyKey"}
    missing = [path for path, op in posts if op.get("parameters", []).count(ref) != 1]
    assert missing == []
    # and only on POSTs: a GET or a PATCH is idempotent by itself or not covered
    others = [
        (method, path)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method != "post" and ref in op.get("parameters", [])
    ]
    assert others == []
    # fetching the document again does not add the header twice
    again = client.get("/api/openapi.json").json()
    assert again["paths"]["/api/v1/proposals"]["post"]["parameters"].count(ref) == 1


def test_the_documented_header_replays_a_creating_post(
    client: TestClient, as_role: Callable[[str], dict[str, str]]
) -> None:
    spec = client.get("/api/openapi.json").json()
    name = spec["components"]["parameters"]["IdempotencyKey"]["name"]
    headers = {**as_role("planner"), name: "documented-key-1"}
    body = proposal_body()
    first = client.post("/api/v1/proposals", json=body, headers=headers)
    again = client.post("/api/v1/proposals", json=body, headers=headers)
    assert first.status_code == again.status_code == 201, first.text
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
