"""A forgotten password in real Chromium, with JavaScript on and off: the
login page's link, the request, the mail (a real SMTP server on loopback),
the new password, the link refused a second time; and an email change from
the account page. Pages are checked with axe and photographed on a phone
and a desktop."""

import re
import time
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import PASSWORD, post_form, register

NEW_PASSWORD = "a brand new passphrase"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
RESET_SUBJECT = "Reset your Docket password"


def mail_to(mailbox, address: str, subject: str, timeout: float = 10.0):
    """The newest mail to ``address`` with ``subject``, once it has arrived."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in mailbox.to(address) if m["Subject"] == subject]
        if found:
            return found[-1]
        time.sleep(0.05)
    raise AssertionError(f"no mail {subject!r} to {address}")


def link_in(message) -> str:
    [link] = re.findall(r"https?://\S+", message.get_content())
    return link


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in results.response["violations"]
            if v["impact"] in ("critical", "serious")]


def log_out(page):
    page.locator(".site-header").get_by_role("button", name="Log out").click()
    page.wait_for_url("**/auth/login")


def log_in(page, email, password):
    page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("form[action$='/auth/login'] button[type=submit]")


def test_forgot_password_with_javascript(page, new_page, live_server, mailbox, screenshot, allow_console_errors):
    allow_console_errors(r"status of 422", r"status of 410")  # the refused password, the used link
    email = register(page)
    log_out(page)
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url("**/auth/forgot")
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    assert not serious_violations(page)

    page.fill("#email", email.upper())
    page.get_by_role("button", name="Send me a link").click()
    page.wait_for_url("**/auth/login")
    expect(page.locator(".flash")).to_contain_text(f"If an account uses {email}, a link to choose a new password")

    link = link_in(mail_to(mailbox, email, RESET_SUBJECT))
    assert link.startswith(live_server + "/auth/reset/")
    response = page.goto(link)
    assert response.headers["referrer-policy"] == "no-referrer"
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    expect(page.get_by_text(email)).to_be_visible()
    assert not serious_violations(page)
    screenshot(page, "reset-desktop")

    # A refused password: the reason beside the field, and the link still works.
    page.fill("#new_password", "password123")
    page.fill("#new_password_confirm", "password123")
    page.get_by_role("button", name="Set new password").click()
    expect(page.locator("#new_password-error")).to_contain_text("most common passwords")
    expect(page.locator("#new_password")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "reset-refused-desktop")

    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#new_password_confirm", NEW_PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    page.wait_for_url("**/auth/login")
    expect(page.locator(".flash")).to_contain_text("Your password has been changed")

    log_in(page, email, PASSWORD)
    expect(page.locator("#password-error")).to_be_visible()
    log_in(page, email, NEW_PASSWORD)
    page.wait_for_url("**/tasks")

    again = new_page()
    again.goto(link)
    expect(again.get_by_role("heading", name="This link no longer works")).to_be_visible()
    assert not serious_violations(again)
    screenshot(again, "reset-used-desktop")
    again.get_by_role("link", name="Ask for a new link").click()
    again.wait_for_url("**/auth/forgot")
    # Last: Playwright's screenshot leaves style attributes that a later htmx
    # swap would re-apply against our CSP.
    screenshot(again, "forgot-desktop")


def test_forgot_password_with_javascript_off(page_nojs, mailbox, screenshot, allow_console_errors):
    allow_console_errors(r"status of 422", r"status of 410")
    page = page_nojs
    email = register(page)
    page.context.clear_cookies()
    page.goto("/auth/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url("**/auth/forgot")
    page.fill("#email", email)
    post_form(page, lambda: page.get_by_role("button", name="Send me a link").click(), "/auth/login")
    expect(page.locator(".flash")).to_contain_text("is on its way")
    screenshot(page, "forgot-sent-desktop")

    link = link_in(mail_to(mailbox, email, RESET_SUBJECT))
    page.goto(link)
    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#new_password_confirm", "not the same at all")
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        page.get_by_role("button", name="Set new password").click()
    assert info.value.status == 422
    expect(page.locator("#new_password_confirm-error")).to_have_text("The passwords do not match.")

    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#new_password_confirm", NEW_PASSWORD)
    post_form(page, lambda: page.get_by_role("button", name="Set new password").click(), "/auth/login")
    expect(page.locator(".flash")).to_contain_text("Log in with your new password")
    log_in(page, email, NEW_PASSWORD)
    page.wait_for_url("**/tasks")

    page.goto(link)
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_recovery_pages_fit_a_phone(new_page, mailbox, screenshot, scheme, allow_console_errors):
    allow_console_errors(r"status of 410")  # the used link's page
    setup = new_page()
    email = register(setup)
    setup.context.clear_cookies()
    setup.goto("/auth/forgot")
    setup.fill("#email", email)
    setup.get_by_role("button", name="Send me a link").click()
    setup.wait_for_url("**/auth/login")
    link = link_in(mail_to(mailbox, email, RESET_SUBJECT))

    phone = new_page(color_scheme=scheme, **PHONE)
    for name, path in (("login", "/auth/login"), ("forgot", "/auth/forgot"), ("reset", urlsplit(link).path),
                       ("reset-used", "/auth/reset/no-such-token")):
        phone.goto(path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, f"{name} scrolls sideways"
        assert not serious_violations(phone), name
        screenshot(phone, f"{name}-phone-{scheme}", full_page=False)


def test_email_change_from_the_account_page(page, new_page, mailbox, screenshot, allow_console_errors):
    allow_console_errors(r"status of 422")  # the wrong password
    email = register(page)
    new_email = "moved-" + email
    page.goto("/account")
    section = page.locator("section[aria-labelledby='email-heading']")
    section.get_by_label("New email address").fill(new_email)
    section.get_by_label("Current password").fill("wrong password")
    section.get_by_role("button", name="Send a confirmation link").click()
    expect(page.locator("#email-password-error")).to_have_text("That is not your current password.")
    expect(page).to_have_url(re.compile(r"/account$"))

    section.get_by_label("Current password").fill(PASSWORD)
    section.get_by_role("button", name="Send a confirmation link").click()
    expect(page.locator(".flash")).to_contain_text(f"We sent a link to {new_email}")
    assert not serious_violations(page)
    section.scroll_into_view_if_needed()
    screenshot(page, "account-email-desktop")

    link = link_in(mail_to(mailbox, new_email, "Confirm your new Docket address"))
    page.goto(link)
    expect(page.get_by_role("heading", name="Confirm your new address")).to_be_visible()
    assert not serious_violations(page)
    screenshot(page, "confirm-email-desktop")
    page.get_by_role("button", name="Use the new address").click()
    page.wait_for_url("**/account")
    expect(page.locator(".flash")).to_contain_text(f"Your email address is now {new_email}")
    expect(page.locator("main")).to_contain_text(f"Logged in as {new_email}")

    phone = new_page(storage_state=page.context.storage_state(), viewport={"width": 360, "height": 1600},
                     is_mobile=True, has_touch=True)
    phone.goto("/account")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360, "the account page scrolls sideways"
    phone.locator("section[aria-labelledby='email-heading']").scroll_into_view_if_needed()
    screenshot(phone, "account-email-phone", full_page=False)
