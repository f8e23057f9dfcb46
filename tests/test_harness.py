"""The harness's own services are real: Redis answers, Chromium renders WebGL."""

from __future__ import annotations

import redis as redis_lib

from tests.services import RedisServer


def test_redis_server_round_trips_pubsub(redis: RedisServer) -> None:
    client = redis_lib.Redis.from_url(redis.url)
    pubsub = client.pubsub()
    pubsub.subscribe("civictwin-test")
    assert pubsub.get_message(timeout=2)["type"] == "subscribe"  # type: ignore[index]
    assert client.publish("civictwin-test", b"hello") == 1
    message = pubsub.get_message(timeout=2)
    assert message is not None and message["data"] == b"hello"
    client.close()


def test_browser_renders_webgl_at_the_test_viewport(page: object) -> None:
    page.set_content(  # type: ignore[attr-defined]
        "<canvas id=c width=64 height=64></canvas><script>"
        "const gl=document.getElementById('c').getContext('webgl2');"
        "gl.clearColor(0,0.5,1,1);gl.clear(gl.COLOR_BUFFER_BIT);"
        "const px=new Uint8Array(4);gl.readPixels(1,1,1,1,gl.RGBA,gl.UNSIGNED_BYTE,px);"
        "window.px=Array.from(px);</script>"
    )
    assert page.evaluate("window.px") == [0, 128, 255, 255]  # type: ignore[attr-defined]
    assert page.viewport_size == {"width": 640, "height": 360}  # type: ignore[attr-defined]


def test_browser_opens_the_served_api_docs(page: object, server_url: str) -> None:
    page.goto(f"{server_url}/api/docs")  # type: ignore[attr-defined]
    # Swagger UI is served locally and renders the operation from our OpenAPI document.
    page.locator(".opblock-summary-path", has_text="/api/v1/health").wait_for(timeout=20000)  # type: ignore[attr-defined]
