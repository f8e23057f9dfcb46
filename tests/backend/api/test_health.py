from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.db import migrate


def test_health_reports_engine_versions_and_revision(client: TestClient, engine_name: str) -> None:
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    db = body["database"]
    assert db["engine"] == engine_name
    assert db["revision"] == migrate.head_revision() == db["head"]
    assert db["up_to_date"] is True
    expected = "SpatiaLite 5" if engine_name == "spatialite" else "PostGIS 3"
    assert db["spatial_version"].startswith(expected)


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    r = client.get("/api/v1/health", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    generated = client.get("/api/v1/health", headers={"X-Request-ID": "bad id\nwith newline"})
    assert len(generated.headers["x-request-id"]) == 32


def test_unknown_path_uses_the_error_model(client: TestClient) -> None:
    r = client.get("/api/v1/nowhere")
    assert r.status_code == 404
    assert r.json() == {
        "detail": "Not Found",
        "code": "NotFoundError",
        "key": "not_found",
        "params": {},
    }


def test_unexpected_errors_hide_internals(app: FastAPI) -> None:
    @app.get("/api/v1/_boom")
    def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/v1/_boom")
    assert r.status_code == 500
    assert r.json()["code"] == "InternalError"
    assert "hunter2" not in r.text and "RuntimeError" not in r.text


def test_validation_errors_name_the_parameter(app: FastAPI) -> None:
    @app.get("/api/v1/_items")
    def items(limit: int) -> dict[str, int]:
        return {"limit": limit}

    with TestClient(app) as c:
        r = c.get("/api/v1/_items", params={"limit": "ten"})
    assert r.status_code == 422
    assert r.json()["code"] == "InvalidInputError"
    assert "query limit" in r.json()["detail"]


def test_domain_errors_map_through_the_status_table(app: FastAPI) -> None:
    from backend.errors import ConflictError, PermissionDeniedError, RateLimitedError

    @app.get("/api/v1/_raise/{kind}")
    def raise_(kind: str) -> None:
        raise {
            "conflict": ConflictError("already there"),
            "denied": PermissionDeniedError("planners only"),
            "slow": RateLimitedError("too many comments", retry_after_s=30),
        }[kind]

    with TestClient(app) as c:
        assert c.get("/api/v1/_raise/conflict").json() == {
            "detail": "already there",
            "code": "ConflictError",
            "key": "conflict",
            "params": {},
        }
        assert c.get("/api/v1/_raise/denied").status_code == 403
        slow = c.get("/api/v1/_raise/slow")
        assert slow.status_code == 429 and slow.headers["retry-after"] == "30"


def test_openapi_and_offline_docs(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert spec["paths"]["/api/v1/health"]["get"]["operationId"] == "getHealth"
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "/api/docs/static/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert client.get("/api/docs/static/swagger-ui-bundle.js").status_code == 200


def test_cors_is_off_unless_configured(client: TestClient) -> None:
    r = client.get("/api/v1/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_viewer_config_defaults_to_offline_imagery(client: TestClient) -> None:
    body = client.get("/api/v1/config").json()
    assert body["imagery"]["type"] == "natural-earth"
    assert body["terrain_url"] is None
    assert body["default_tileset"] == "london"
    assert "OpenStreetMap" in body["attribution"]


def test_viewer_config_passes_a_configured_base_layer(settings: object, database: object) -> None:
    from backend.main import create_app

    configured = settings.model_copy(  # type: ignore[attr-defined]
        update={
            "imagery_url": "https://tiles.example.org/{z}/{x}/{y}.png",
            "imagery_credit": "Example tiles",
        }
    )
    with TestClient(create_app(configured, database=database)) as c:  # type: ignore[arg-type]
        imagery = c.get("/api/v1/config").json()["imagery"]
    assert imagery == {
        "type": "xyz",
        "url": "https://tiles.example.org/{z}/{x}/{y}.png",
        "layer": None,
        "credit": "Example tiles",
    }
