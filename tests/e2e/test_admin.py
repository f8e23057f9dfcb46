"""The admin screen: an admin finds an account, gives it a role after confirming, and the API
and the audit log show the change; a non-admin sees no Admin tab and the endpoints answer 403."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import grant_roles, new_page, open_app, register, run_axe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _accounts(live_server) -> None:
    acc = live_server.accounts
    if "admin" not in acc:
        acc["admin"] = register(live_server.url, "admin")
        grant_roles(live_server.db_url, acc["admin"].id, ("admin",))
    if "newcomer" not in acc:
        acc["newcomer"] = register(live_server.url, "newcomer")


def test_an_admin_gives_a_role_in_the_page_and_the_api_reflects_it(browser, live_server) -> None:
    _accounts(live_server)
    target = live_server.accounts["newcomer"]
    page = new_page(browser, live_server, "admin")
    try:
        open_app(page, live_server)
        page.get_by_role("tab", name="Admin").click()
        page.get_by_label("Name or e-mail contains").fill("newcomer")
        page.get_by_role("button", name="Search", exact=True).click()
        card = page.locator(f"#admin-user-{target.id}")
        card.wait_for()
        # the search's answer replaces the first page of every account (which holds it too)
        page.wait_for_function("() => document.querySelectorAll('li.admin-user').length === 1")
        assert page.locator("li.admin-user").count() == 1
        box = card.get_by_role("checkbox", name="moderator")
        assert not box.is_checked()
        # a click asks first (the box stays as it is until the change is confirmed)
        box.click()
        dialog = card.get_by_role("alertdialog")
        dialog.get_by_text(f"Give {target.name} the role moderator?").wait_for()
        assert not box.is_checked()
        # nothing is changed before the confirmation
        admin_api = live_server.api("admin")
        listed = admin_api.call("GET", "/api/v1/users", params={"q": "newcomer"})["items"]
        assert listed[0]["roles"] == ["citizen"]
        dialog.get_by_role("button", name="Confirm").click()
        page.locator("p.status", has_text=f"Roles of {target.name}: citizen, moderator.").wait_for()
        assert box.is_checked()
        listed = admin_api.call("GET", "/api/v1/users", params={"q": "newcomer"})["items"]
        assert listed[0]["roles"] == ["citizen", "moderator"]
        # the audit log in the page shows it, by the admin, on that account
        entry = page.locator(".audit-entry", has_text="roles changed").first
        entry.wait_for()
        assert "citizen → citizen, moderator" in entry.inner_text()
        assert live_server.accounts["admin"].name in entry.inner_text()
        # the own admin role cannot be taken away here
        own = page.locator(f"#admin-role-{live_server.accounts['admin'].id}-admin")
        page.get_by_label("Name or e-mail contains").fill("admin@e2e")
        page.get_by_role("button", name="Search", exact=True).click()
        own.wait_for()
        assert own.is_checked() and own.is_disabled()
        page.set_viewport_size({"width": 1280, "height": 720})
        screenshot(page, "admin_en_1280")
        assert run_axe(page) == []
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()
        # leave the account as it was for other tests
        grant_back = live_server.api("admin")
        grant_back.call("PUT", f"/api/v1/users/{target.id}/roles", json={"roles": ["citizen"]})


def test_a_non_admin_has_no_admin_tab_and_is_refused_by_the_endpoints(browser, live_server) -> None:
    _accounts(live_server)
    page = new_page(browser, live_server, "staff")  # planner and moderator, not admin
    try:
        open_app(page, live_server)
        tabs = [t.strip() for t in page.get_by_role("tab").all_inner_texts()]
        assert "Moderation" in tabs and "Admin" not in tabs, tabs
        for path in ("/api/v1/users", "/api/v1/audit-log"):
            r = page.context.request.get(f"{live_server.url}{path}")
            assert r.status == 403, (path, r.status)
            assert r.json()["key"] == "role_required"
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()
    # and anonymous callers are asked to sign in
    r = httpx.get(f"{live_server.url}/api/v1/audit-log", timeout=30)
    assert r.status_code == 401
