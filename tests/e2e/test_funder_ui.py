"""Publishing in the SME one-stop shop through the app (issue 15): a funder creates a scheme in the
Funding tab's "My schemes" (an API error shown beside its field first), publishes it and records a
grant under it; an SME then finds it among "schemes for my organisation"; an admin adds a step to
the guide (in Italian) that a citizen then reads. Screenshots at 1280x720 and 390x844, English and
Italian, in /tmp/shots_d15/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import (
    grant_roles,
    new_page,
    open_app,
    register,
    run_axe,
    settle,
    wait_for_globe,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = Path("/tmp/shots_d15")
TITLE = "Bid bond guarantee (funder UI e2e)"
STEP = "Register as a council supplier (e2e)"
STEP_IT = "Registrati come fornitore del comune (e2e)"


def shot(page, name: str, width: int, height: int, target=None) -> None:
    """A screenshot of the page at width x height, `target` scrolled into view."""
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": height})
    if target is not None:
        target.scroll_into_view_if_needed()
    wait_for_globe(page)
    settle(page)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_a_funder_publishes_in_the_app_and_the_city_edits_the_guide(browser, live_server) -> None:
    base, acc = live_server.url, live_server.accounts
    for key, org, roles in (
        ("funderui", None, ("funder",)),
        ("smeui", "Rooftop Bonds E2E", ()),
        ("adminui", None, ("admin",)),
    ):
        if key not in acc:
            acc[key] = register(base, key, org=org)
            if roles:
                grant_roles(live_server.db_url, acc[key].id, roles)
    opp = live_server.seed["opportunity"]  # "Green roof and rooftop solar", CPV 45261215
    sme = live_server.api("smeui")
    org = sme.call(
        "PATCH",
        "/api/v1/organisations/me",
        json={"size": "micro", "sectors": ["45261215"], "location": opp["delivery_location"]},
    )

    # the funder, in the browser: a new scheme with the form's fields, then published
    page = new_page(browser, live_server, "funderui")
    try:
        open_app(page, live_server)
        page.get_by_role("tab", name="Funding").click()
        page.locator("#my-schemes-new").click()
        page.locator("#scheme-kind").select_option("guarantee")
        page.locator("#scheme-provider").fill("City Growth Fund (e2e)")
        page.locator("#scheme-title-en").fill(TITLE)
        page.locator("#scheme-summary-en").fill("Covers the bid bond of a first council tender.")
        page.locator(".scheme-langs > summary").click()
        page.locator("#scheme-title-it").fill("Garanzia per la cauzione (e2e)")
        page.locator("#scheme-sizes-micro").check()
        page.locator("#scheme-sizes-small").check()
        cpv = page.locator("#scheme-cpv")
        cpv.fill("4526")
        page.locator("#scheme-cpv-list li").first.wait_for()
        cpv.press("Enter")
        page.locator(".cpv-picker .chips li", has_text="4526").wait_for()
        page.locator("#scheme-stages-startup").check()
        page.locator("#scheme-rolling").check()
        page.locator("#scheme-how_to_apply").fill("Apply online with your tender notice.")
        page.locator("#scheme-apply_url").fill("bonds dot example")
        page.locator("#scheme-contact_email").fill("bonds@growth.example.org")
        page.locator("#scheme-publish").click()
        # the API refuses the link: said beside the field, which is marked invalid
        error = page.locator("#scheme-apply_url-error")
        error.wait_for()
        assert page.locator("#scheme-apply_url").get_attribute("aria-invalid") == "true"
        assert "scheme-apply_url-error" in (
            page.locator("#scheme-apply_url").get_attribute("aria-describedby") or ""
        )
        assert run_axe(page) == []
        shot(page, "scheme_form_error_en_390", 390, 844, error)
        shot(page, "scheme_form_en_1280", 1280, 720, page.locator("#scheme-form-h"))
        page.locator("#scheme-apply_url").fill("https://growth.example.org/bonds")
        page.locator("#scheme-publish").click()
        item = page.locator("#my-schemes-list li.my-scheme", has_text=TITLE)
        item.wait_for()
        assert "Published" in item.inner_text()
        scheme = next(
            s
            for s in live_server.api("funderui").call("GET", "/api/v1/schemes/managed")["items"]
            if s["translations"]["en"]["title"] == TITLE
        )
        assert scheme["status"] == "published" and scheme["rolling"] is True
        # the picked code kept as its subtree's prefix (45260000-7 -> 4526)
        (sector,) = scheme["sectors"]
        assert sector["scheme"] == "CPV" and sector["code"].startswith("4526"), sector
        assert scheme["sizes"] == ["micro", "small"] and scheme["stages"] == ["startup"]
        assert scheme["translations"]["it"]["title"] == "Garanzia per la cauzione (e2e)"
        # in the directory too
        page.locator("#fund-list li", has_text=TITLE).wait_for()

        # a grant recorded under it: the recipient named from its number
        sid = scheme["id"]
        page.locator(f"#grant-{sid}-form-h").click()
        # the recipient found in the organisation directory by its name
        recipient = page.locator(f"#grant-{sid}-org")
        recipient.press_sequentially("Rooftop Bo")
        page.locator(f"#grant-{sid}-org-list li", has_text="Rooftop Bonds E2E").wait_for()
        recipient.press("Enter")
        page.wait_for_function(
            f"() => document.querySelector('#grant-{sid}-org').value === 'Rooftop Bonds E2E'"
        )
        page.locator(f"#grant-{sid}-amount").fill("2500")
        page.locator(f"#grant-{sid}-date").fill("2026-11-02")
        page.locator(f"#grant-{sid}-record").click()
        page.locator(f"#grant-{sid}-list li", has_text="Rooftop Bonds E2E").wait_for()
        link = page.locator(f"#grant-{sid}-360")
        assert link.get_attribute("href") == "/api/v1/grants/360giving.json"
        assert run_axe(page) == []
        heading = page.locator(f"#my-scheme-{sid}-h")
        shot(page, "my_schemes_grant_en_1280", 1280, 720, heading)
        shot(page, "my_schemes_grant_en_390", 390, 844, heading)
        # the same in Italian, switched with the header's language box
        page.locator("#lang").select_option("it")
        page.locator("#my-schemes-h", has_text="I miei programmi").wait_for()
        assert "Pubblicato" in page.locator(f"#my-scheme-{sid}-item").inner_text()
        assert page.locator(f"#grant-{sid}-h").inner_text() == "Contributi assegnati"
        assert run_axe(page) == []
        shot(page, "my_schemes_grant_it_390", 390, 844, heading)
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()
    package = live_server.api().call("GET", "/api/v1/grants/360giving.json")
    assert any(
        g["recipientOrganization"][0]["name"] == "Rooftop Bonds E2E" and g["amountAwarded"] == 2500
        for g in package["grants"]
    )

    # the SME: the scheme among "schemes for my organisation", with the reasons
    page = new_page(browser, live_server, "smeui")
    try:
        open_app(page, live_server)
        page.get_by_role("tab", name="Funding").click()
        page.locator("#fund-mine").click()
        card = page.locator("#fund-mine-list li", has_text=TITLE)
        card.wait_for()
        assert f"within CPV {sector['code']}" in card.inner_text()
        assert page.locator("#my-schemes").count() == 0  # not a funder
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()

    # an admin, in Italian: a step added to "bid for public work"
    page = new_page(browser, live_server, "adminui")
    try:
        open_app(page, live_server, query="test=1&lang=it")
        page.locator("#tab-funding").click()
        page.locator("#guide-edit-toggle").click()
        page.locator("#guide-add-bid").click()
        form = page.locator("#guide-form-new-bid")
        form.locator("#guide-form-new-bid-save").click()
        # no English title: said beside the field
        page.locator("#guide-form-new-bid-title-en-error").wait_for()
        page.locator("#guide-form-new-bid-title-en").fill(STEP)
        form.locator("details > summary").click()
        page.locator("#guide-form-new-bid-title-it").fill(STEP_IT)
        page.locator("#guide-form-new-bid-description-it").fill("Una registrazione per ogni gara.")
        page.locator("#guide-form-new-bid-provider").fill("Il comune")
        page.locator("#guide-form-new-bid-cost").fill("gratis")
        page.locator("#guide-form-new-bid-duration").fill("1 giorno")
        page.locator("#guide-form-new-bid-url").fill("https://city.example.org/suppliers")
        shot(page, "guide_step_form_it_390", 390, 844, page.locator("#guide-form-new-bid-h"))
        assert run_axe(page) == []
        page.locator("#guide-form-new-bid-save").click()
        step = page.locator("#guide-editor li", has_text=STEP_IT)
        step.wait_for()
        shot(page, "guide_editor_it_1280", 1280, 720, step)
        assert run_axe(page) == []
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()

    # a citizen (not signed in) reads it in the guide
    page = new_page(browser, live_server)
    try:
        open_app(page, live_server)
        page.get_by_role("tab", name="Funding").click()
        page.locator("#guide-edit-toggle").wait_for(state="detached")
        page.locator("#guide-bid > summary").click()
        read = page.locator("#guide-bid li", has_text=STEP)
        read.wait_for()
        assert "Il comune" in read.inner_text()
        shot(page, "guide_citizen_en_390", 390, 844, read)
        assert page.js_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()
