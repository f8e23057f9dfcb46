"""A small server-sent-events reader for tests (httpx streaming, one event at a time)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Frame:
    """One block of an event stream: an event, or only comments / a retry hint."""

    id: str | None = None
    event: str | None = None
    data: str = ""
    retry: int | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def payload(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.data)
        return result


def frames(response: httpx.Response) -> Iterator[Frame]:
    """Parse ``response`` into frames as they arrive (blank line ends one)."""
    frame = Frame()
    for line in response.iter_lines():
        if line == "":
            yield frame
            frame = Frame()
        elif line.startswith(":"):
            frame.comments.append(line[1:].strip())
        else:
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "id":
                frame.id = value
            elif name == "event":
                frame.event = value
            elif name == "data":
                frame.data += value
            elif name == "retry":
                frame.retry = int(value)


def next_event(stream: Iterator[Frame]) -> Frame:
    """The next frame that is an event (skips keep-alives)."""
    for frame in stream:
        if frame.event is not None:
            return frame
    raise AssertionError("the stream ended")
