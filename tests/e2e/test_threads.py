"""Comment threads end to end, driven through the UI in several browsers at once: a citizen posts
a comment placed in 3D, a neighbour sees what its author saw, replies, and the reply arrives
threaded and live; reactions update counts live; a report reaches a moderator who signs in,
hides the comment with a reason, and every open browser shows it hidden while the reply stays."""

from __future__ import annotations

import math
from typing import Any

import pytest

from tests.e2e.conftest import (
    PASSWORD,
    draw_at_half_resolution,
    new_page,
    open_app,
    screenshot,
    site_centre,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT_BODY = "Could the ground floor open onto the street as a café?"
REPLY_BODY = "Yes please, with seats under the plane trees."
LIVE_MS = 20_000
# for screenshots: the panel's tabs stick to its top, so centre what the picture is about
SCROLL_TO = "(e) => e.scrollIntoView({ block: 'center' })"

CAMERA_JS = """() => {
    const { viewer } = window.__civictwin
    const c = viewer.camera, p = c.positionCartographic
    const deg = 180 / Math.PI
    return {
        lon: p.longitude * deg, lat: p.latitude * deg, height: p.height,
        heading: c.heading * deg, pitch: c.pitch * deg,
        flying: !!c._currentFlight,
    }
}"""


def comments_of(live_server) -> list[dict[str, Any]]:
    """Every comment of the seeded proposal as the public API lists it, replies flattened."""
    pid = live_server.seed["proposal"]["id"]
    page = live_server.api().call("GET", f"/api/v1/proposals/{pid}/comments", params={"limit": 100})
    out: list[dict[str, Any]] = []

    def walk(c: dict[str, Any]) -> None:
        out.append(c)
        for r in c.get("replies", []):
            walk(r)

    for c in page["items"]:
        walk(c)
    return out


def find_comment(live_server, body: str) -> dict[str, Any]:
    found = [c for c in comments_of(live_server) if c["body"] == body]
    assert len(found) == 1, f"{len(found)} comments with body {body!r}"
    return found[0]


def article(page, comment_id: int):
    return page.locator(f"section.comments article#comment-{comment_id}")


def reply_under(page, parent_id: int, reply_id: int):
    """The reply's article, only when it sits in the thread list of its parent's item."""
    return page.locator(
        f"section.comments li.comment:has(> article#comment-{parent_id}) "
        f"> ol.thread > li.comment > article#comment-{reply_id}"
    )


def reaction(page, comment_id: int, kind: str):
    return article(page, comment_id).locator(f"button.react-{kind}")


def site_camera(live_server) -> str:
    """A deep-link camera north of the site looking south at it, unlike the default fly-to."""
    lon, lat = site_centre(live_server.seed["proposal"])
    return f"cam={lon:.6f},{lat + 0.0018:.6f},140.0,180.0,-28.0,0.0"


def ground_metres(a: dict[str, float], lon: float, lat: float) -> float:
    dx = (a["lon"] - lon) * 111_320 * math.cos(math.radians(lat))
    dy = (a["lat"] - lat) * 111_320
    return math.hypot(dx, dy)


def angle_diff(a: float, b: float) -> float:
    return abs((a - b + 180) % 360 - 180)


def test_reply_react_report_and_hide_a_thread_live_across_browsers(browser, live_server):
    pid = live_server.seed["proposal"]["id"]
    author = new_page(browser, live_server, "citizen")
    neighbour = new_page(browser, live_server, "neighbour")
    moderator = new_page(browser)
    # what is checked is the threads, the camera and the pick at the view's centre, not the
    # view's pixels
    for page in (author, neighbour, moderator):
        draw_at_half_resolution(page)
    try:
        # --- the author posts a comment placed at the centre of their (deep-linked) view
        open_app(author, live_server, hash_=f"#{site_camera(live_server)}&proposal={pid}")
        open_app(neighbour, live_server, hash_=f"#proposal={pid}")
        for page in (author, neighbour):
            assert page.evaluate("() => window.__civictwin.viewer.resolutionScale") == 0.5
        neighbour.locator("section.comments").wait_for()
        author.get_by_label("Your comment").fill(ROOT_BODY)
        author.get_by_label("Support").check()
        author.get_by_label("Use", exact=True).check()
        author.locator("#anchor-centre").click()
        author.get_by_text("Placed at").wait_for()
        author.get_by_role("button", name="Post comment").click()
        author.locator("p.status", has_text="Your comment was posted.").wait_for()
        root = find_comment(live_server, ROOT_BODY)
        stored = root["anchor"]["camera"]
        assert stored is not None and root["anchor"]["point"] is not None
        assert root["sentiment"] == "supportive" and root["topics"] == ["use"]
        article(neighbour, root["id"]).get_by_text(ROOT_BODY).wait_for(timeout=LIVE_MS)
        # the API refuses reporting one's own comment, so its author is not offered the button
        assert article(author, root["id"]).get_by_role("button", name="Report").count() == 0
        assert article(neighbour, root["id"]).get_by_role("button", name="Report").count() == 1

        # --- the neighbour sees what the author saw: the camera flies to the stored view
        before = neighbour.evaluate(CAMERA_JS)
        pos = stored["position"]
        assert ground_metres(before, pos["lon"], pos["lat"]) > 50, "already at the author's view"
        article(neighbour, root["id"]).get_by_role(
            "button", name="See what Citizen E2E saw"
        ).click()
        neighbour.wait_for_function(
            f"() => {{ const s = ({CAMERA_JS})(); return !s.flying }}", polling=100
        )
        after = neighbour.evaluate(CAMERA_JS)
        assert ground_metres(after, pos["lon"], pos["lat"]) < 2, (after, stored)
        assert abs(after["height"] - pos["height_m"]) < 2, (after, stored)
        assert angle_diff(after["heading"], stored["heading_deg"]) < 1, (after, stored)
        assert abs(after["pitch"] - stored["pitch_deg"]) < 1, (after, stored)
        assert f"comment={root['id']}" in neighbour.evaluate("() => location.hash")
        screenshot(neighbour, "thread_author_view")

        # --- the neighbour replies; the reply is threaded under the comment, here and live there
        article(neighbour, root["id"]).get_by_role("button", name="Reply").click()
        form = neighbour.get_by_role("form", name="Reply to Citizen E2E")
        form.get_by_label("Your comment").fill(REPLY_BODY)
        form.get_by_label("Support").check()
        form.get_by_role("button", name="Post comment").click()
        reply = find_comment(live_server, REPLY_BODY)
        assert reply["parent_id"] == root["id"] and reply["depth"] == 2
        reply_under(neighbour, root["id"], reply["id"]).get_by_text(REPLY_BODY).wait_for()
        reply_under(author, root["id"], reply["id"]).get_by_text(REPLY_BODY).wait_for(
            timeout=LIVE_MS
        )
        article(author, root["id"]).evaluate(SCROLL_TO)
        screenshot(author, "thread_reply_live")

        # --- reactions: the author agrees with the reply, the neighbour with the comment then
        # changes their mind; counts change for the one who reacts and live for the other
        reaction(author, reply["id"], "agree").click()
        agree = reaction(author, reply["id"], "agree")
        agree.and_(author.locator("[aria-pressed=true]")).wait_for()
        assert agree.inner_text() == "Agree (1)"
        reaction(neighbour, reply["id"], "agree").get_by_text("Agree (1)").wait_for(timeout=LIVE_MS)
        reaction(neighbour, root["id"], "agree").click()
        reaction(author, root["id"], "agree").get_by_text("Agree (1)").wait_for(timeout=LIVE_MS)
        reaction(neighbour, root["id"], "disagree").click()
        reaction(neighbour, root["id"], "disagree").and_(
            neighbour.locator("[aria-pressed=true]")
        ).wait_for()
        reaction(author, root["id"], "disagree").get_by_text("Disagree (1)").wait_for(
            timeout=LIVE_MS
        )
        reaction(author, root["id"], "agree").get_by_text("Agree (0)").wait_for(timeout=LIVE_MS)
        assert reaction(neighbour, root["id"], "agree").get_attribute("aria-pressed") == "false"
        counts = find_comment(live_server, ROOT_BODY)
        assert (counts["agree_count"], counts["disagree_count"]) == (0, 1)
        assert find_comment(live_server, REPLY_BODY)["agree_count"] == 1
        article(author, root["id"]).evaluate(SCROLL_TO)
        screenshot(author, "thread_reactions")

        # --- the neighbour reports the comment as off topic
        actions = article(neighbour, root["id"]).locator(".actions").first
        actions.get_by_label("Why are you reporting this comment?").select_option("off_topic")
        actions.get_by_role("button", name="Report").click()
        neighbour.locator("p.status", has_text="Thank you. A moderator will look at it.").wait_for()

        # --- a moderator signs in, finds the report in the queue and hides the comment
        open_app(moderator, live_server)
        moderator.get_by_role("tab", name="Account").click()
        sign_in = moderator.locator("form[aria-labelledby=signin-h]")
        sign_in.get_by_label("Email").fill(live_server.accounts["staff"].email)
        sign_in.get_by_label("Password").fill(PASSWORD)
        sign_in.get_by_role("button", name="Sign in").click()
        moderator.get_by_role("tab", name="Moderation").click()
        # the reports queue (hidden comments are listed below it, each with Restore)
        item = moderator.locator(".mod-item:not(.mod-hidden)", has_text=ROOT_BODY)
        item.wait_for()
        assert "Off topic ×1" in item.inner_text()
        item.locator("blockquote").evaluate(SCROLL_TO)
        screenshot(moderator, "thread_moderation_queue")
        item.get_by_label("Reason for the decision").fill("Not about this scheme")
        item.get_by_role("button", name="Hide").click()
        moderator.locator("p.status", has_text="Decision recorded.").wait_for()
        item.wait_for(state="detached")
        hidden_item = moderator.locator(".mod-item.mod-hidden", has_text=ROOT_BODY)
        hidden_item.get_by_role("button", name="Restore").wait_for()

        # --- every open browser shows the comment hidden, live; the reply stays in its thread
        for page in (neighbour, author):
            hidden = article(page, root["id"])
            hidden.get_by_text("This comment was hidden by a moderator.").wait_for(timeout=LIVE_MS)
            assert ROOT_BODY not in hidden.inner_text()
            assert hidden.locator("button").count() == 0
            reply_under(page, root["id"], reply["id"]).get_by_text(REPLY_BODY).wait_for()
        article(neighbour, root["id"]).evaluate(SCROLL_TO)
        screenshot(neighbour, "thread_hidden_live")
        public = next(c for c in comments_of(live_server) if c["id"] == root["id"])
        assert public["state"] == "hidden" and public["body"] is None
        # after a reload the listing from the API gives the same picture
        moderator.goto("about:blank")
        open_app(moderator, live_server, hash_=f"#proposal={pid}")
        article(moderator, root["id"]).get_by_text(
            "This comment was hidden by a moderator."
        ).wait_for()
        reply_under(moderator, root["id"], reply["id"]).get_by_text(REPLY_BODY).wait_for()
        for page in (author, neighbour, moderator):
            assert page.js_errors == []
    finally:
        for page in (author, neighbour, moderator):
            page.context.close()
