"""Live events of a proposal over server-sent events, in-process broker, under a real uvicorn."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
from fastapi import FastAPI

from backend.db.engine import Database
from backend.db.models import User
from backend.main import create_app
from backend.services.events import proposal_channel
from backend.settings import Settings
from tests.backend.comments.conftest import Headers
from tests.backend.comments.sse import frames, next_event
from tests.services import live_server

Citizen = Callable[..., tuple[User, Headers]]


def test_comment_lifecycle_reaches_subscribers_without_hidden_bodies_or_emails(
    settings: Settings, database: Database, proposal_id: int, citizen: Citizen
) -> None:
    app = create_app(settings.model_copy(update={"report_hide_threshold": 1}), database=database)
    author_user, author = citizen(name="Ada")
    _, voter = citizen()
    _, moderator = citizen("moderator")
    with (
        live_server(app) as base,
        httpx.Client(base_url=base, timeout=5) as http,
        http.stream("GET", f"/api/v1/proposals/{proposal_id}/events") as stream,
    ):
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["cache-control"] == "no-cache"
        events = frames(stream)
        hello = next(events)
        assert hello.retry == 3000 and hello.comments == [f"subscribed to proposal:{proposal_id}"]

        made = http.post(
            f"/api/v1/proposals/{proposal_id}/comments",
            json={"body": "Secret garden", "anchor": {"building_id": "b1"}},
            headers=author,
        ).json()
        created = next_event(events)
        assert created.event == "comment_created"
        assert created.payload["type"] == "comment_created"
        assert created.payload["proposal_id"] == proposal_id
        assert created.payload["id"] == created.id
        assert created.payload["comment"]["body"] == "Secret garden"
        assert created.payload["comment"]["author"]["display_name"] == "Ada"
        assert created.payload["comment"]["anchor"]["building_id"] == "b1"
        assert str(author_user.email) not in created.data and "ip_hash" not in created.data

        http.put(f"/api/v1/comments/{made['id']}/reaction", json={"kind": "agree"}, headers=voter)
        counts = next_event(events)
        assert counts.event == "reaction_counts"
        assert (counts.payload["comment_id"], counts.payload["agree_count"]) == (made["id"], 1)

        http.post(f"/api/v1/comments/{made['id']}/reports", json={"reason": "spam"}, headers=voter)
        hidden = next_event(events)
        assert hidden.event == "comment_hidden" and hidden.payload["comment_id"] == made["id"]
        assert "Secret garden" not in hidden.data

        http.post(
            f"/api/v1/moderation/comments/{made['id']}/restore",
            json={"reason": "fine"},
            headers=moderator,
        )
        restored = next_event(events)
        assert restored.event == "comment_restored"
        assert restored.payload["comment"]["body"] == "Secret garden"

        http.delete(f"/api/v1/comments/{made['id']}", headers=author)
        deleted = next_event(events)
        assert deleted.event == "comment_deleted"
        assert deleted.payload == {
            "type": "comment_deleted",
            "proposal_id": proposal_id,
            "comment_id": made["id"],
            "id": deleted.id,
        }

        # the proposals service publishes stage changes through the same broker, from any thread
        app.state.events.publish(
            proposal_channel(proposal_id),
            {"type": "stage_changed", "proposal_id": proposal_id, "stage": "assessment"},
        )
        stage = next_event(events)
        assert stage.event == "stage_changed" and stage.payload["stage"] == "assessment"

        ids = [created.id, counts.id, hidden.id, restored.id, deleted.id, stage.id]
        assert len(set(ids)) == len(ids)


def test_stream_sends_keep_alives_and_unsubscribes_when_the_client_leaves(
    settings: Settings, database: Database, make_proposal: Callable[..., int]
) -> None:
    app = create_app(settings.model_copy(update={"sse_keepalive_seconds": 0.1}), database=database)
    pid = make_proposal(stage="assessment")  # closed consultations still stream (stage changes)
    channel = proposal_channel(pid)
    with live_server(app) as base, httpx.Client(base_url=base, timeout=5) as http:
        with http.stream("GET", f"/api/v1/proposals/{pid}/events") as stream:
            events = frames(stream)
            next(events)
            assert app.state.events.subscriber_count(channel) == 1
            assert next(events).comments == ["keep-alive"]
            assert next(events).comments == ["keep-alive"]
        deadline = time.monotonic() + 5
        while app.state.events.subscriber_count(channel) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert app.state.events.subscriber_count(channel) == 0


def test_events_of_other_proposals_and_drafts_are_not_streamed(
    app: FastAPI, make_proposal: Callable[..., int]
) -> None:
    draft = make_proposal(stage="draft")
    mine, other = make_proposal(), make_proposal()
    with (
        live_server(app) as base,
        httpx.Client(base_url=base, timeout=5) as http,
    ):
        r = http.get(f"/api/v1/proposals/{draft}/events")
        assert r.status_code == 404 and r.json()["code"] == "NotFoundError"
        with http.stream("GET", f"/api/v1/proposals/{mine}/events") as stream:
            events = frames(stream)
            next(events)
            app.state.events.publish(proposal_channel(other), {"type": "stage_changed", "n": 1})
            app.state.events.publish(proposal_channel(mine), {"type": "stage_changed", "n": 2})
            assert next_event(events).payload["n"] == 2
