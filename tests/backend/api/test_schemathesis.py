"""A bounded schemathesis run over the live OpenAPI document, anonymous and signed in.

Every operation gets a few generated requests (``MAX_EXAMPLES`` valid and as many invalid); every
response must not be a server error and must match what OpenAPI documents for it: status code,
content type and body schema. Failures of all operations are collected and reported together.

The operations are driven from inside one test per engine and caller (schemathesis' pytest
loader ``from_fixture`` needs a pytest internal that pytest 9 no longer has).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode

from backend.db.models import User

MAX_EXAMPLES = 3
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# a glb model upload is raw bytes, as application/octet-stream is
schemathesis.serializer.alias("model/gltf-binary", "application/octet-stream")

#: Not generated: a server-sent event stream never ends, so a generated request would wait
#: until the test's timeout (its behaviour is tested in tests/backend/comments/test_events.py).
EVENT_STREAMS = {"streamProposalEvents"}


def _negatable(raw: dict[str, Any]) -> bool:
    """Whether an invalid request exists: a body, or a parameter that is not a free string
    (hypothesis would search in vain for one, ~10 s per operation)."""
    if "requestBody" in raw:
        return True
    for param in raw.get("parameters", []):
        schema = param.get("schema", {})
        if schema.get("type", "string") != "string" or set(schema) & _STRING_RULES:
            return True
    return False


_STRING_RULES = {"pattern", "minLength", "maxLength", "enum", "format", "anyOf", "const"}


def _run(app: FastAPI, headers: dict[str, str]) -> list[str]:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    failures: list[str] = []
    operations = []
    for result in schema.get_all_operations():
        if isinstance(result, Ok):
            operations.append(result.ok())
        else:  # an operation whose definition schemathesis cannot read is a failure too
            failures.append(f"unreadable operation: {result.err()}")
    for operation, mode in (
        (operation, mode)
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    ):
        if operation.definition.raw.get("operationId") in EVENT_STREAMS:
            continue
        if mode is GenerationMode.NEGATIVE and not _negatable(operation.definition.raw):
            continue

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except Unsatisfiable:
            # negative mode: nothing in this operation can be made invalid (no parameters, or
            # only free-form strings), so there is no invalid request to send
            assert mode is GenerationMode.NEGATIVE, operation.label
        except Exception as exc:  # a failure group: keep going, report every operation
            first = str(exc).strip().splitlines()
            failures.append(f"{operation.label} ({mode.value}): {' | '.join(first[:12])}")
    return failures


def test_api_answers_as_documented_to_anonymous_callers(app: FastAPI) -> None:
    failures = _run(app, {})
    assert not failures, "\n".join(failures)


def test_api_answers_as_documented_to_a_signed_in_caller(
    app: FastAPI, make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]
) -> None:
    # one account with every role, so operations get past their role checks
    headers = bearer(make_user("admin", "planner", "moderator", "sme"))
    failures = _run(app, headers)
    assert not failures, "\n".join(failures)


pytestmark = pytest.mark.timeout(300)
