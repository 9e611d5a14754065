"""Accounts in real Chromium: sign up, log out, log in (remembered), change
password, delete the account; and sign-up / log-in with JavaScript off."""

import re
import time

from playwright.sync_api import expect

from .conftest import PASSWORD, register

NEW_PASSWORD = "a brand new passphrase"
NO_MATCH = "That email and password do not match an account."


def log_in(page, email, password=PASSWORD, remember=False):
    """Submit the log-in form (the caller checks where it leads)."""
    if "/auth/login" not in page.url:
        page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.set_checked("#remember", remember)
    page.click("form[action$='/auth/login'] button[type=submit]")


def log_out(page):
    """Press the header's Log out button; the browser lands on the log-in page."""
    page.locator(".site-header").get_by_role("button", name="Log out").click()
    page.wait_for_url("**/auth/login")


def expect_logged_in(page):
    expect(page).to_have_url(re.compile(r"/tasks$"))
    expect(page.locator(".site-header").get_by_role("button", name="Log out")).to_be_visible()


def test_register_log_out_and_log_in_remembered(page, new_page):
    email = register(page)
    expect_logged_in(page)
    expect(page.locator(".flash")).to_contain_text("Welcome to Docket")

    log_out(page)
    expect(page.locator(".flash")).to_contain_text("You are logged out.")
    expect(page.locator(".site-header").get_by_role("link", name="Log in")).to_be_visible()
    page.goto("/tasks")
    expect(page).to_have_url(re.compile(r"/auth/login\?next=(%2F|/)tasks$"))

    log_in(page, email, remember=True)
    expect_logged_in(page)
    remember = [c for c in page.context.cookies() if c["name"] == "remember_token"]
    assert remember, "Keep me logged in set no remember cookie"
    assert remember[0]["expires"] > time.time() + 29 * 24 * 3600
    assert remember[0]["httpOnly"]

    # The remember cookie alone (no session cookie) logs a new browser in.
    other = new_page()
    other.context.add_cookies(remember)
    other.goto("/tasks")
    expect_logged_in(other)


def test_log_in_without_remember_sets_no_remember_cookie(page):
    email = register(page)
    log_out(page)
    log_in(page, email, remember=False)
    expect_logged_in(page)
    assert not [c for c in page.context.cookies() if c["name"] == "remember_token"]


def test_change_password(page, allow_console_errors):
    allow_console_errors(r"status of 422")
    email = register(page)
    page.locator(".site-header").get_by_role("link", name="Account").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.locator("main")).to_contain_text(email)

    form = page.locator("form[action$='/account/password']")
    page.fill("#current_password", "not my password")
    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#new_password_confirm", NEW_PASSWORD)
    form.get_by_role("button", name="Change password").click()
    expect(form.locator(".field-error")).to_contain_text("That is not your current password.")

    page.fill("#current_password", PASSWORD)
    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#new_password_confirm", NEW_PASSWORD)
    form.get_by_role("button", name="Change password").click()
    expect(page.locator(".flash")).to_contain_text("Password changed.")
    expect(page).to_have_url(re.compile(r"/account$"))

    log_out(page)
    log_in(page, email, PASSWORD)
    expect(page.locator(".field-error")).to_have_text(NO_MATCH)
    log_in(page, email, NEW_PASSWORD)
    expect_logged_in(page)


def test_delete_account(page, allow_console_errors):
    allow_console_errors(r"status of 422")
    email = register(page)
    page.fill("#new-title", "A task that goes with the account")
    page.press("#new-title", "Enter")
    expect(page.locator("#task-list > li.task")).to_have_count(1)

    page.goto("/account")
    form = page.locator("form[action$='/account/delete']")
    form.locator("#password").fill("not my password")
    form.get_by_role("button", name="Delete my account").click()
    expect(form.locator(".field-error")).to_contain_text("nothing was deleted")

    form.locator("#password").fill(PASSWORD)
    form.get_by_role("button", name="Delete my account").click()
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))
    expect(page.locator(".flash")).to_contain_text("deleted")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your tasks, calmly.")

    log_in(page, email)
    expect(page.locator(".field-error")).to_have_text(NO_MATCH)
    expect(page).to_have_url(re.compile(r"/auth/login"))
    page.goto("/tasks")
    expect(page).to_have_url(re.compile(r"/auth/login\?next="))


def test_register_and_log_in_without_javascript(page_nojs):
    page = page_nojs
    email = register(page)
    expect_logged_in(page)
    log_out(page)
    expect(page.locator(".flash")).to_contain_text("You are logged out.")
    log_in(page, email, remember=True)
    expect_logged_in(page)
