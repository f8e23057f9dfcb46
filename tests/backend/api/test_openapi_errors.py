"""The error model is documented once in OpenAPI, for every operation, as the API sends it.

Before, 29 operations documented FastAPI's 422 array (``HTTPValidationError``) while the API
answers every error with ``{"detail", "code"}``.
"""

from __future__ import annotations

import json

from fastapi.testclient import TestClient


def test_every_operation_documents_the_error_model_and_never_fastapis_array(
    client: TestClient,
) -> None:
    spec = client.get("/api/openapi.json").json()
    assert "HTTPValidationError" not in json.dumps(spec)
    assert "ValidationError" not in spec["components"]["schemas"]
    model = spec["components"]["schemas"]["ErrorModel"]
    assert set(model["required"]) == {"detail", "code"}
    operations = [
        (method, path, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method in ("get", "head", "post", "put", "patch", "delete")
    ]
    assert len(operations) > 50
    for method, path, op in operations:
        for status in ("4XX", "5XX"):
            content = op["responses"][status]["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/ErrorModel"}, (
                method,
                path,
            )
        for status, response in op["responses"].items():
            if status.startswith(("4", "5")) and "content" in response:
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorModel"), (method, path, status)


def test_a_bad_path_parameter_answers_the_documented_model(client: TestClient) -> None:
    for url in ("/api/v1/proposals/not-a-number", "/api/v1/comments/1.5"):
        r = client.get(url)
        assert r.status_code == 422, r.text
        assert set(r.json()) == {"detail", "code", "key", "params"}
        assert r.json()["code"] == "InvalidInputError"
        assert "path" in r.json()["detail"]
