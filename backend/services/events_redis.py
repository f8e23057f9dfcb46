"""Live events across workers through Redis pub/sub (``CIVICTWIN_REDIS_URL``).

Each process keeps **one** subscriber connection, pattern-subscribed to every event channel, and
fans messages out to its own SSE clients (:class:`~backend.services.events.LocalFanOut`), so the
number of Redis connections does not grow with the number of browsers. A pattern subscription
also survives reconnects without bookkeeping of which channels are wanted; the cost is that every
process receives every proposal's events, which is small next to the SSE writes themselves.

``publish`` is called from the threads that run sync routes: it only hands the event to the event
loop (``call_soon_threadsafe``); a publisher task sends it. Events go through Redis even to
subscribers in the same process, so every subscriber sees the same order. If Redis is down, the
publisher retries with exponential backoff while a bounded outbox drops the oldest surplus, and
the subscriber reconnects with backoff and subscribes again; SSE clients stay connected meanwhile
(events published during the outage are lost; clients refresh lists on ``retry``/reconnect).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from backend.services.events import Event, LocalFanOut, stamp

logger = logging.getLogger(__name__)

PREFIX = "civictwin:events:"
OUTBOX_SIZE = 10_000
MIN_BACKOFF_S = 0.1
MAX_BACKOFF_S = 10.0
#: How long ``start`` waits for the first subscription before serving anyway.
START_WAIT_S = 5.0
#: Ping an idle subscriber connection this often, so a silently dropped one is noticed.
HEALTH_CHECK_S = 15


class RedisBroker:
    """Redis pub/sub between processes, asyncio queues within one."""

    def __init__(self, url: str, prefix: str = PREFIX) -> None:
        self._url = url
        self._prefix = prefix
        self._fanout = LocalFanOut()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._outbox: asyncio.Queue[tuple[str, str]] | None = None
        self._subscribed = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._publisher: Any = None

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._outbox = asyncio.Queue(maxsize=OUTBOX_SIZE)
        self._publisher = aioredis.from_url(self._url)
        self._tasks = [
            asyncio.create_task(self._listen(), name="redis-events-listen"),
            asyncio.create_task(self._send(), name="redis-events-publish"),
        ]
        try:
            await asyncio.wait_for(self._subscribed.wait(), START_WAIT_S)
        except TimeoutError:
            logger.warning(
                "Redis at %s not reachable yet; live events resume once it is", self._url
            )

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        if self._publisher is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._publisher.aclose()
            self._publisher = None
        self._fanout.clear()
        self._subscribed.clear()
        self._loop = None

    # --- the EventBroker protocol -------------------------------------------------------------

    def publish(self, channel: str, event: Event) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        data = json.dumps(stamp(event), separators=(",", ":"), default=str)
        loop.call_soon_threadsafe(self._enqueue, channel, data)

    def subscribe(
        self, channel: str
    ) -> contextlib.AbstractAsyncContextManager[asyncio.Queue[Event]]:
        return self._fanout.subscribe(channel)

    def subscriber_count(self, channel: str) -> int:
        return self._fanout.count(channel)

    @property
    def connected(self) -> bool:
        """Whether the subscriber connection is up (for health checks and tests)."""
        return self._subscribed.is_set()

    # --- tasks --------------------------------------------------------------------------------

    def _enqueue(self, channel: str, data: str) -> None:
        assert self._outbox is not None
        if self._outbox.full():  # Redis has been down a while: keep the newest events
            self._outbox.get_nowait()
            logger.warning("live-event outbox full; dropping the oldest event")
        self._outbox.put_nowait((channel, data))

    async def _send(self) -> None:
        assert self._outbox is not None
        backoff = MIN_BACKOFF_S
        while True:
            channel, data = await self._outbox.get()
            while True:
                try:
                    await self._publisher.publish(self._prefix + channel, data)
                    backoff = MIN_BACKOFF_S
                    break
                except (RedisError, OSError) as exc:
                    logger.warning("publishing to Redis failed (%s); retry in %.1f s", exc, backoff)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF_S)

    async def _listen(self) -> None:
        backoff = MIN_BACKOFF_S
        while True:
            client = aioredis.from_url(self._url, health_check_interval=HEALTH_CHECK_S)
            pubsub = client.pubsub()
            try:
                await pubsub.psubscribe(self._prefix + "*")
                async for message in pubsub.listen():
                    kind = message.get("type")
                    if kind == "psubscribe":
                        self._subscribed.set()
                        backoff = MIN_BACKOFF_S
                        logger.info("subscribed to live events in Redis")
                    elif kind == "pmessage":
                        self._deliver(message["channel"], message["data"])
                raise ConnectionError("subscription ended")
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                self._subscribed.clear()
                logger.warning("Redis subscription lost (%s); reconnecting in %.1f s", exc, backoff)
            finally:
                # aclose() is redis-py >= 5; the types-redis stubs predate it
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[attr-defined]
                with contextlib.suppress(RedisError, OSError):
                    await client.aclose()  # type: ignore[attr-defined]
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)

    def _deliver(self, raw_channel: bytes | str, raw_data: bytes | str) -> None:
        channel = raw_channel.decode() if isinstance(raw_channel, bytes) else raw_channel
        try:
            event = json.loads(raw_data)
        except ValueError:
            logger.warning("ignoring a malformed live event on %s", channel)
            return
        if isinstance(event, dict):
            self._fanout.deliver(channel.removeprefix(self._prefix), event)
