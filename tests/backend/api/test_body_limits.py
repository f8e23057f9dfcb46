"""One request-size policy: refused before the body is read (Content-Length) or while it streams
(chunked), a small default for every route, exceptions for geometry writes and uploads."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import httpx
from fastapi.testclient import TestClient

from backend.api.limits import ROUTE_LIMITS
from backend.settings import Settings
from tests.backend.proposals.helpers import proposal_body

Headers = Callable[[str], dict[str, str]]
LOGIN = {"email": "someone@example.org", "password": "wrong password here"}


def raw_request(base: str, head: str, timeout_s: float = 10) -> tuple[str, float]:
    """Send only request headers (no body) over a socket; the status line and how long it took."""
    parts = urlsplit(base)
    start = time.monotonic()
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout_s) as s:
        s.sendall(head.encode("latin-1"))
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.split(b"\r\n", 1)[0].decode(), time.monotonic() - start


def test_a_declared_200_mb_login_body_is_413_before_a_byte_is_read(server_url: str) -> None:
    host = urlsplit(server_url).netloc
    status, _ = raw_request(
        server_url,
        f"POST /api/v1/auth/login HTTP/1.1\r\nHost: {host}\r\n"
        "Content-Type: application/json\r\nContent-Length: 200000000\r\n\r\n",
    )
    # the server answered without waiting for the 200 MB it was promised
    assert status.startswith("HTTP/1.1 413"), status


def test_a_chunked_body_is_cut_off_at_the_default_limit(server_url: str) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        yield b'{"email": "a@example.org", "password": "'
        for _ in range(2000):  # 2000 x 16 KB = 32 MB, if nobody stops it
            sent += 16384
            yield b"x" * 16384
        yield b'"}'

    with httpx.Client(base_url=server_url, timeout=30) as http:
        try:
            r = http.post(
                "/api/v1/auth/login",
                content=chunks(),
                headers={"Content-Type": "application/json"},
            )
        except httpx.TransportError:  # the server may close before the client is done sending
            r = None
    if r is not None:
        assert r.status_code == 413, r.text
        assert r.json() == {
            "detail": "body: the request body is larger than the limit of 64 KB",
            "code": "PayloadTooLargeError",
            "key": "too_large",
            "params": {},
        }
    assert sent < 32 * 1024 * 1024


def test_every_route_has_the_small_default(client: TestClient, as_role: Headers) -> None:
    big = {**LOGIN, "password": "x" * 70_000}
    r = client.post("/api/v1/auth/login", json=big)
    assert r.status_code == 413 and "limit of 64 KB" in r.json()["detail"]
    citizen = as_role("citizen")
    r = client.patch("/api/v1/users/me", json={"display_name": "x" * 70_000}, headers=citizen)
    assert r.status_code == 413, r.text
    # a small body is not affected
    assert client.post("/api/v1/auth/login", json=LOGIN).status_code == 401


def test_geometry_writes_may_be_larger_up_to_their_own_limit(
    client: TestClient, as_role: Headers
) -> None:
    planner = as_role("planner")
    # 100 KB: over the default but under the proposal limit, so it gets past the size policy
    r = client.post(
        "/api/v1/proposals", json=proposal_body(description="x" * 100_000), headers=planner
    )
    assert r.status_code != 413, r.text
    r = client.post(
        "/api/v1/proposals", json=proposal_body(description="x" * 600_000), headers=planner
    )
    assert r.status_code == 413
    assert r.json()["detail"] == "body: the request body is larger than the limit of 512 KB"


def test_a_content_length_that_is_not_a_number_is_400(server_url: str) -> None:
    host = urlsplit(server_url).netloc
    status, _ = raw_request(
        server_url,
        f"POST /api/v1/auth/login HTTP/1.1\r\nHost: {host}\r\nContent-Length: 12, 12\r\n\r\n",
    )
    assert status.startswith("HTTP/1.1 400"), status


def test_comment_routes_follow_the_comment_length_setting(settings: Settings) -> None:
    default = ROUTE_LIMITS["createComment"](settings)
    assert default.shown == "64 KB"  # 5,000 characters fit in the default
    longer = ROUTE_LIMITS["updateComment"](
        settings.model_copy(update={"comment_max_length": 100_000})
    )
    assert longer.limit_bytes >= 100_000 * 6
