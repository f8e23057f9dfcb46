"""`/api/v1` routes: live events of a proposal as server-sent events.

The stream starts with a ``retry:`` hint and a comment confirming the subscription, then sends one
event per change (``id``, ``event`` = the type, ``data`` = JSON) and a keep-alive comment when
nothing happened for ``sse_keepalive_seconds``. It ends when the client disconnects: Starlette's
StreamingResponse watches for ``http.disconnect`` and cancels the generator, which unsubscribes.
The request-id middleware is pure ASGI, so nothing buffers the stream.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from backend.api import examples
from backend.api.deps import DatabaseDep, SettingsDep
from backend.api.params import ResourceId
from backend.api.routes.comments import broker
from backend.db.engine import Database
from backend.schemas.events import EVENT_TYPES, ProposalEvent
from backend.services import comments
from backend.services.events import EventBroker, proposal_channel, sse_frame

router = APIRouter(tags=["comments"])

#: How long a browser waits before reconnecting after the stream drops, in milliseconds.
RETRY_MS = 3000


class EventStream(StreamingResponse):
    """A ``text/event-stream`` response (so the document gives its events' schema there)."""

    media_type = "text/event-stream"


def _check_visible(db: Database, proposal_id: int) -> None:
    # a short-lived session of its own: a stream may last hours and must not hold a connection
    with db.read_sessions() as session:  # reads only: no write lock on SpatiaLite
        comments.visible_proposal(session, proposal_id)


async def _stream(events: EventBroker, channel: str, keepalive_s: float) -> AsyncIterator[str]:
    async with events.subscribe(channel) as queue:
        yield f"retry: {RETRY_MS}\n: subscribed to {channel}\n\n"
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), timeout=keepalive_s)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            yield sse_frame(event)


@router.get(
    "/proposals/{proposal_id}/events",
    operation_id="streamProposalEvents",
    response_class=EventStream,
    responses={
        200: {
            # each event's `data` is one ProposalEvent (JSON), discriminated by `type`
            "model": ProposalEvent,
            "description": (
                "A `text/event-stream`. Event types: "
                + ", ".join(f"`{t}`" for t in EVENT_TYPES)
                + "; each event's `data` is a `ProposalEvent` (JSON, discriminated by `type`)."
            ),
            "content": {"text/event-stream": {"example": examples.SSE}},
        },
        # the stream's errors are sent before it starts, as the JSON error model (the router's
        # entries would be filed under the stream's media type)
        **{
            status_range: {
                "description": description,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ErrorModel"}}
                },
            }
            for status_range, description in (
                (404, "The proposal does not exist or is not visible: `{detail, code}`"),
                ("4XX", "Client error: `{detail, code}`"),
                ("5XX", "Server error or unavailable: `{detail, code}`"),
            )
        },
    },
    summary="Live updates of a proposal (server-sent events)",
)
async def stream_events(
    proposal_id: ResourceId, request: Request, db: DatabaseDep, settings: SettingsDep
) -> StreamingResponse:
    await run_in_threadpool(_check_visible, db, proposal_id)
    return EventStream(
        _stream(broker(request), proposal_channel(proposal_id), settings.sse_keepalive_seconds),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
