"""Moderation in the page: a moderator dismisses one comment's reports (it stays up), hides
another, finds it among the hidden comments and restores it; every item names its proposal; a
moderator without the planner role is not offered Analytics."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import grant_roles, new_page, open_app, register, run_axe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def public_bodies(live_server, pid: int) -> list[str]:
    return [
        c["body"]
        for c in live_server.api().call("GET", f"/api/v1/proposals/{pid}/comments")["items"]
    ]


@pytest.mark.parametrize("locale", ["en-GB"])
def test_moderator_dismisses_a_report_hides_and_restores(browser, live_server, locale) -> None:
    if "moderator_only" not in live_server.accounts:
        acc = register(live_server.url, "moderator_only")
        grant_roles(live_server.db_url, acc.id, ("moderator",))
        live_server.accounts["moderator_only"] = acc
    proposal = live_server.seed["proposal"]
    pid = proposal["id"]
    citizen, neighbour = live_server.api("citizen"), live_server.api("neighbour")
    fair = citizen.call(
        "POST", f"/api/v1/proposals/{pid}/comments", json={"body": "The entrance is too narrow"}
    )
    rude = citizen.call(
        "POST", f"/api/v1/proposals/{pid}/comments", json={"body": "Rude words about neighbours"}
    )
    for c, reason in ((fair, "off_topic"), (rude, "offensive")):
        neighbour.call("POST", f"/api/v1/comments/{c['id']}/reports", json={"reason": reason})

    page = new_page(browser, live_server, "moderator_only")
    try:
        open_app(page, live_server)
        tabs = [t.strip() for t in page.get_by_role("tab").all_inner_texts()]
        assert "Moderation" in tabs and "Analytics" not in tabs and "Planner" not in tabs, tabs
        page.get_by_role("tab", name="Moderation").click()
        item = page.locator(".mod-item", has_text="The entrance is too narrow")
        # the item says which proposal it belongs to
        item.get_by_text(f"On “{proposal['title']}”").wait_for()

        item.get_by_label("Reason for the decision").fill("A fair point")
        item.get_by_role("button", name="Dismiss the reports").click()
        page.locator("p.status", has_text="Decision recorded.").wait_for()
        page.locator(".mod-item", has_text="The entrance is too narrow").wait_for(state="detached")
        assert "The entrance is too narrow" in public_bodies(live_server, pid)

        item = page.locator(".mod-item:not(.mod-hidden)", has_text="Rude words")
        item.get_by_label("Reason for the decision").fill("Offensive")
        item.get_by_role("button", name="Hide").click()
        hidden = page.locator(".mod-hidden", has_text="Rude words")
        hidden.wait_for()
        assert page.locator(".mod-item:not(.mod-hidden)", has_text="Rude words").count() == 0
        assert "Rude words about neighbours" not in public_bodies(live_server, pid)
        assert hidden.get_by_text("Hidden: Offensive").is_visible()
        page.set_viewport_size({"width": 1280, "height": 720})
        screenshot(page, "moderation_hidden_en_1280")
        assert run_axe(page) == []

        hidden.get_by_label("Reason for the decision").fill("On reflection acceptable")
        hidden.get_by_role("button", name="Restore").click()
        page.locator(".mod-hidden", has_text="Rude words").wait_for(state="detached")
        assert "Rude words about neighbours" in public_bodies(live_server, pid)
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()


def test_moderator_dismisses_one_report_and_sees_who_filed_it(browser, live_server) -> None:
    if "moderator_only" not in live_server.accounts:
        acc = register(live_server.url, "moderator_only")
        grant_roles(live_server.db_url, acc.id, ("moderator",))
        live_server.accounts["moderator_only"] = acc
    pid = live_server.seed["proposal"]["id"]
    citizen, neighbour, sme = (live_server.api(k) for k in ("citizen", "neighbour", "sme"))
    twice = citizen.call(
        "POST", f"/api/v1/proposals/{pid}/comments", json={"body": "Two reports on this one"}
    )
    neighbour.call("POST", f"/api/v1/comments/{twice['id']}/reports", json={"reason": "spam"})
    sme.call("POST", f"/api/v1/comments/{twice['id']}/reports", json={"reason": "off_topic"})
    names = {k: live_server.accounts[k].name for k in ("neighbour", "sme")}

    page = new_page(browser, live_server, "moderator_only")
    try:
        open_app(page, live_server)
        page.get_by_role("tab", name="Moderation").click()
        item = page.locator(".mod-item", has_text="Two reports on this one")
        reports = item.locator(".mod-report")
        reports.first.wait_for()
        texts = reports.all_inner_texts()
        assert len(texts) == 2, texts
        assert f"Spam: reported by {names['neighbour']}" in texts[0]
        assert f"Off topic: reported by {names['sme']}" in texts[1] or names["sme"] in texts[1]
        item.get_by_label("Reason for the decision").fill("Not spam")
        item.get_by_role("button", name=f"Dismiss this report ({names['neighbour']})").click()
        page.locator("p.status", has_text="Report dismissed").wait_for()
        item.locator(".mod-report", has_text=names["neighbour"]).wait_for(state="detached")
        assert item.locator(".mod-report").count() == 1
        # the API agrees: the comment is still queued with the other report, and still published
        queue = live_server.api("moderator_only").call("GET", "/api/v1/moderation/queue")
        queued = next(i for i in queue["items"] if i["comment"]["id"] == twice["id"])
        assert [r["reporter"]["display_name"] for r in queued["reports"]] == [names["sme"]]
        assert queued["comment"]["state"] == "published"
        assert run_axe(page) == []
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()
