"""One contract: vocabularies, limits and live-event payloads are published by the backend.

``GET /api/v1/vocabularies`` lists each closed vocabulary from the ``Literal`` the models use, and
the limits the backend enforces (some from settings); ``ProposalEvent`` is the union of the live
events' payloads, published in the OpenAPI document for the generated frontend client.
"""

from __future__ import annotations

import json
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter, ValidationError

from backend.api import examples
from backend.db.models import STAGES
from backend.main import create_app
from backend.schemas.comments import CommentState, ReportReason, Sentiment, Topic
from backend.schemas.events import EVENT_TYPES, ProposalEvent
from backend.schemas.proposals import Decision
from backend.settings import Settings


def test_vocabularies_are_the_models_own(client: TestClient) -> None:
    body = client.get("/api/v1/vocabularies").json()
    # the database's check constraint and the API agree on the stages, in order
    assert body["stages"] == list(STAGES)
    assert body["decisions"] == list(get_args(Decision))
    assert body["sentiments"] == list(get_args(Sentiment))
    assert body["topics"] == list(get_args(Topic))
    assert body["report_reasons"] == list(get_args(ReportReason))
    assert body["comment_states"] == list(get_args(CommentState))
    assert body["event_types"] == list(EVENT_TYPES)
    limits = body["limits"]
    assert limits["thread_depth"] == 3
    assert limits["comment_max_length"] == 5000  # the setting's default
    assert limits["comment_topics_max"] == len(get_args(Topic))
    assert limits["massing_height_max_m"] == 1000
    assert limits["massing_storeys_max"] == 300
    assert limits["metres_per_storey"] == 3.0


def test_a_configured_comment_limit_is_published_and_enforced(
    settings: Settings, database: object
) -> None:
    configured = settings.model_copy(update={"comment_max_length": 40})
    with TestClient(create_app(configured, database=database)) as c:  # type: ignore[arg-type]
        assert c.get("/api/v1/vocabularies").json()["limits"]["comment_max_length"] == 40


def test_the_live_event_payloads_are_one_discriminated_union() -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(ProposalEvent)
    data = [line[len("data: ") :] for line in examples.SSE.splitlines() if line.startswith("data:")]
    assert data, "the stream example has no event"
    for d in data:
        event = adapter.validate_python({"proposal_id": 1, **json.loads(d)})
        assert event.type in EVENT_TYPES
    with pytest.raises(ValidationError):
        adapter.validate_python({"type": "comment_exploded", "proposal_id": 1})
    with pytest.raises(ValidationError):  # the union is discriminated: its fields follow the type
        adapter.validate_python({"type": "stage_changed", "proposal_id": 1, "stage": "demolished"})


def test_the_openapi_document_publishes_the_union_and_the_vocabularies(
    settings: Settings,
) -> None:
    spec = create_app(settings).openapi()
    schemas = spec["components"]["schemas"]
    for name in ("CommentEvent", "CommentGoneEvent", "ReactionCountsEvent", "StageChangedEvent"):
        assert name in schemas
    stream = spec["paths"]["/api/v1/proposals/{proposal_id}/events"]["get"]["responses"]["200"]
    union = stream["content"]["text/event-stream"]["schema"]
    assert union["discriminator"]["propertyName"] == "type"
    assert sorted(union["discriminator"]["mapping"]) == sorted(EVENT_TYPES)
    stages = schemas["Vocabularies"]["properties"]["stages"]["items"]
    assert stages["enum"] == list(STAGES)
