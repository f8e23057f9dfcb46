"""Registering through the form: consent is asked for, recorded, and the new account signs in."""

from __future__ import annotations

from tests.e2e.conftest import open_app


def test_a_visitor_registers_with_consent_and_is_signed_in(page, live_server):
    open_app(page, live_server)
    page.get_by_role("tab", name="Account").click()
    form = page.locator("form[aria-labelledby=register-h]")
    form.locator("#register-email").fill("new.resident@e2e.civictwin.test")
    form.locator("#register-name").fill("New Resident")
    form.locator("#register-password").fill("a long enough passphrase")
    consent = form.get_by_label("I agree that my comments and the name above are published.")
    # the browser will not send the form without consent
    form.get_by_role("button", name="Create an account").click()
    assert page.evaluate("() => document.querySelector('#register-consent').validity.valueMissing")
    assert page.get_by_text("Signed in as New Resident").count() == 0
    consent.check()
    form.get_by_role("button", name="Create an account").click()
    page.get_by_text("Signed in as New Resident").first.wait_for()
    me = page.evaluate("() => fetch('/api/v1/users/me/export').then((r) => r.json())")
    assert me["account"]["email"] == "new.resident@e2e.civictwin.test"
    assert me["account"]["consent_at"], me["account"]
    assert page.js_errors == []
