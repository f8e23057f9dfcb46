"""Accounts through the screens: registering with consent and the mailed link, changing the
password, and resetting a forgotten one with its mailed link."""

from __future__ import annotations

from tests.e2e.conftest import PASSWORD, mailed_link_token, open_app, register


def test_a_visitor_registers_with_consent_and_the_mailed_link_signs_them_in(page, live_server):
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
    consent.check()
    form.get_by_role("button", name="Create an account").click()
    page.get_by_text("we sent a message to new.resident@e2e.civictwin.test").first.wait_for()
    assert page.get_by_text("Signed in as New Resident").count() == 0
    # the link of the mail, opened in the same browser
    token = mailed_link_token(live_server.db_url, "new.resident@e2e.civictwin.test", "verify")
    # a fresh page load (a changed hash alone would not reload the app)
    open_app(page, live_server, query="test=1&from=mail", hash_=f"#verify={token}")
    page.get_by_role("tab", name="Account").click()
    page.get_by_text("Signed in as New Resident").first.wait_for()
    page.get_by_text("Your e-mail address is confirmed.").first.wait_for()
    me = page.evaluate("() => fetch('/api/v1/auth/me').then((r) => r.json())")
    assert me["email_verified"] is True
    export = page.evaluate("() => fetch('/api/v1/users/me/export').then((r) => r.json())")
    assert export["account"]["consent_at"], export["account"]
    assert page.js_errors == []


def test_a_resident_changes_a_password_then_resets_a_forgotten_one(page, live_server):
    acc = register(live_server.url, "forgetful")
    open_app(page, live_server)
    page.get_by_role("tab", name="Account").click()
    page.locator("#signin-email").fill(acc.email)
    page.locator("#signin-password").fill(PASSWORD)
    page.locator("form[aria-labelledby=signin-h]").get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {acc.name}").first.wait_for()
    change = page.locator("form[aria-labelledby=password-h]")
    change.locator("#current-password").fill(PASSWORD)
    change.locator("#new-password").fill("1234567890a")
    change.get_by_role("button", name="Change password").click()
    page.get_by_text("too common a pattern").first.wait_for()  # the server's reason is shown
    change.locator("#current-password").fill(PASSWORD)
    change.locator("#new-password").fill("a changed passphrase")
    change.get_by_role("button", name="Change password").click()
    page.get_by_text("Password changed.").first.wait_for()
    page.locator("#sign-out").click()
    # forgotten: ask for a link, open it, choose a new password, sign in with it
    page.locator("#forgot-password").click()
    page.locator("#forgot-email").fill(acc.email)
    page.get_by_role("button", name="Send me a link").click()
    page.get_by_text("If the address has an account").first.wait_for()
    token = mailed_link_token(live_server.db_url, acc.email, "reset")
    open_app(page, live_server, query="test=1&from=mail", hash_=f"#reset={token}")
    page.get_by_role("tab", name="Account").click()
    reset = page.locator("form[aria-labelledby=reset-h]")
    reset.locator("#reset-password").fill("a brand new passphrase")
    reset.get_by_role("button", name="Save the new password").click()
    page.get_by_text("Your password is changed. Sign in with it.").first.wait_for()
    page.locator("#signin-email").fill(acc.email)
    page.locator("#signin-password").fill("a brand new passphrase")
    page.locator("form[aria-labelledby=signin-h]").get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {acc.name}").first.wait_for()
    assert page.js_errors == []
