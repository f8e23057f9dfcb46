"""The OpenAPI document describes every operation, with examples of what goes in and comes out.

Built from the app itself (no database is opened: ``app.openapi()`` needs none), so it runs once,
not per engine.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from backend.main import create_app
from backend.settings import Settings

Schema = dict[str, Any]
OPERATION_ID = re.compile(r"^[a-z][A-Za-z0-9]*$")
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp_path = tmp_path_factory.mktemp("openapi")
    app = create_app(
        Settings(
            _env_file=None,
            database_url=f"sqlite:///{tmp_path}/x.sqlite",
            frontend_dir=tmp_path / "none",
        )
    )
    return app.openapi()


def _operations(spec: dict[str, Any]) -> list[tuple[str, Schema]]:
    return [
        (f"{method.upper()} {path}", op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def _resolve(spec: dict[str, Any], schema: Schema) -> Schema:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = spec["components"]["schemas"][name]
    return schema


def _has_examples(spec: dict[str, Any], schema: Schema) -> bool:
    """Examples on the schema itself, on its properties, or on every variant / the array items."""
    schema = _resolve(spec, schema)
    if "examples" in schema or "example" in schema:
        return True
    props = schema.get("properties", {})
    if any("examples" in p or "example" in p for p in props.values()):
        return True
    for key in ("anyOf", "oneOf", "allOf"):
        variants = [v for v in schema.get(key, []) if v.get("type") != "null"]
        if variants and all(_has_examples(spec, v) for v in variants):
            return True
    if schema.get("type") == "array" and "items" in schema:
        return _has_examples(spec, schema["items"])
    return False


def _media_ok(spec: dict[str, Any], media: Schema) -> bool:
    if "example" in media or "examples" in media:
        return True
    return _has_examples(spec, media.get("schema", {}))


def test_every_operation_is_named_described_and_tagged(spec: dict[str, Any]) -> None:
    offenders = []
    seen: dict[str, str] = {}
    for where, op in _operations(spec):
        problems = []
        op_id = op.get("operationId", "")
        if not OPERATION_ID.match(op_id):
            problems.append(f"operationId {op_id!r} is not camelCase")
        elif op_id in seen:
            problems.append(f"operationId {op_id!r} is also used by {seen[op_id]}")
        seen[op_id] = where
        if not (op.get("summary") or op.get("description")):
            problems.append("no summary or description")
        if not op.get("tags"):
            problems.append("no tags")
        if problems:
            offenders.append(f"{where}: {'; '.join(problems)}")
    assert not offenders, "operations lacking metadata:\n" + "\n".join(offenders)


def test_every_json_request_body_has_examples(spec: dict[str, Any]) -> None:
    offenders = []
    for where, op in _operations(spec):
        content = op.get("requestBody", {}).get("content", {})
        for media_type, media in content.items():
            if "json" in media_type and not _media_ok(spec, media):
                ref = media.get("schema", {}).get("$ref", "inline schema")
                offenders.append(f"{where} ({op.get('operationId')}): {media_type} {ref}")
    assert not offenders, "request bodies without examples:\n" + "\n".join(offenders)


def test_every_success_response_has_an_example(spec: dict[str, Any]) -> None:
    offenders = []
    for where, op in _operations(spec):
        for status, response in op.get("responses", {}).items():
            if not str(status).startswith("2") or str(status) == "204":
                continue
            content = response.get("content", {})
            if not content:
                offenders.append(f"{where} ({op.get('operationId')}) {status}: no content")
            for media_type, media in content.items():
                if not _media_ok(spec, media):
                    ref = media.get("schema", {}).get("$ref", "inline schema")
                    offenders.append(
                        f"{where} ({op.get('operationId')}) {status}: {media_type} {ref}"
                    )
    assert not offenders, "2xx responses without examples:\n" + "\n".join(offenders)


def test_the_checks_see_a_missing_example() -> None:
    spec: dict[str, Any] = {
        "components": {
            "schemas": {
                "Bare": {"type": "object", "properties": {"a": {"type": "integer"}}},
                "Shown": {"type": "object", "examples": [{"a": 1}]},
            }
        }
    }
    assert not _media_ok(spec, {"schema": {"$ref": "#/components/schemas/Bare"}})
    assert _media_ok(spec, {"schema": {"$ref": "#/components/schemas/Shown"}})
    assert _media_ok(
        spec, {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Shown"}}}
    )
    assert _media_ok(spec, {"schema": {}, "example": "a,b\n1,2\n"})
    assert not _media_ok(spec, {})
