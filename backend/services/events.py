"""Live events per proposal (new comment, hidden comment, reactions, stage change).

Services publish after they commit; the SSE endpoint subscribes. ``publish`` is safe to call from
the worker threads that run sync services. The in-process broker reaches the subscribers of one
worker; with ``CIVICTWIN_REDIS_URL`` set, the Redis broker carries events across workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import time
from collections.abc import AsyncIterator
from typing import Any, Protocol

logger = logging.getLogger(__name__)

Event = dict[str, Any]
QUEUE_SIZE = 256


_sequence = itertools.count(1)


def proposal_channel(proposal_id: int) -> str:
    return f"proposal:{proposal_id}"


def stamp(event: Event) -> Event:
    """A copy of ``event`` with an ``id`` (unique across workers, increasing within one), unless
    it has one. Brokers stamp on publish, so every subscriber sees the same id."""
    if "id" in event:
        return event
    return {**event, "id": f"{time.time_ns() // 1_000_000}-{os.getpid()}-{next(_sequence)}"}


def sse_frame(event: Event) -> str:
    """One server-sent event (https://html.spec.whatwg.org/multipage/server-sent-events.html):
    ``id``, ``event`` (the type) and the JSON payload on one ``data`` line."""
    data = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
    return f"id: {event.get('id', '')}\nevent: {event.get('type', 'message')}\ndata: {data}\n\n"


class EventBroker(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def publish(self, channel: str, event: Event) -> None:
        """Queue ``event`` for every subscriber of ``channel``; never blocks, thread-safe."""

    def subscribe(
        self, channel: str
    ) -> contextlib.AbstractAsyncContextManager[asyncio.Queue[Event]]:
        """A queue receiving the events of ``channel`` while the context is open."""

    def subscriber_count(self, channel: str) -> int:
        """How many local subscribers ``channel`` has (for tests and health)."""


class LocalFanOut:
    """Subscribers of one process, by channel; ``deliver`` runs on the event loop."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[Event]]] = {}

    def deliver(self, channel: str, event: Event) -> None:
        for queue in list(self._subscribers.get(channel, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:  # a stalled client loses events rather than memory
                logger.warning("dropping event for a slow subscriber of %s", channel)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[asyncio.Queue[Event]]:
        queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self._subscribers.setdefault(channel, set()).add(queue)
        try:
            yield queue
        finally:
            subs = self._subscribers.get(channel)
            if subs is not None:
                subs.discard(queue)
                if not subs:
                    del self._subscribers[channel]

    def count(self, channel: str) -> int:
        return len(self._subscribers.get(channel, ()))

    def clear(self) -> None:
        self._subscribers.clear()


class LocalBroker:
    """In-process fan-out to asyncio queues (one worker)."""

    def __init__(self) -> None:
        self._fanout = LocalFanOut()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()

    async def stop(self) -> None:
        self._fanout.clear()

    def publish(self, channel: str, event: Event) -> None:
        if self._loop is None or self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._fanout.deliver, channel, stamp(event))

    def subscribe(
        self, channel: str
    ) -> contextlib.AbstractAsyncContextManager[asyncio.Queue[Event]]:
        return self._fanout.subscribe(channel)

    def subscriber_count(self, channel: str) -> int:
        return self._fanout.count(channel)
