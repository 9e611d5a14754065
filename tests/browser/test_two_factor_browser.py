"""Two-factor sign-in in real Chromium: set it up from the account page, then
log in with a code from the "app" (pyotp, at the real time), with JavaScript
on (boosted forms) and off (plain posts); how the pages look on a phone and a
desktop, light and dark; and what axe-core finds on them."""

import re
import time

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import PASSWORD, register

PHONE = dict(viewport={"width": 360, "height": 1100}, is_mobile=True, has_touch=True, device_scale_factor=2)
DESKTOP = dict(viewport={"width": 1280, "height": 900})


def code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def open_two_factor_page(page) -> str:
    """From the account page to /account/2fa; the key shown for typing in by hand."""
    page.goto("/account")
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    expect(page).to_have_url(re.compile(r"/account/2fa$"))
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    secret = page.locator(".secret-key code").inner_text().replace(" ", "")
    href = page.get_by_role("link", name="Open in an authenticator app on this device").get_attribute("href")
    assert href.startswith("otpauth://totp/Docket:") and f"secret={secret}&issuer=Docket" in href
    return secret


def turn_on(page, secret: str) -> list[str]:
    page.fill("#enable-code", code(secret))
    page.fill("#enable-password", PASSWORD)
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    return codes


def log_in(page, email: str) -> None:
    page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form[action$='/auth/login'] button[type=submit]")
    page.wait_for_url("**/auth/login/code")


def log_out(page) -> None:
    page.locator(".site-header").get_by_role("button", name="Log out").click()
    page.wait_for_url("**/auth/login")


def submit_code(page, value: str, javascript: bool) -> int:
    """Type a code on the code page and send it: boosted with JavaScript, a plain post without."""
    page.fill("#code", value)
    with page.expect_response(lambda r: r.request.method == "POST" and "/auth/login/code" in r.url) as info:
        page.get_by_role("button", name="Log in").click()
    response = info.value
    assert ("hx-request" in response.request.headers) == javascript
    return response.status


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_set_up_then_log_in_with_a_code(new_page, allow_console_errors, javascript):
    allow_console_errors(r"status of 422")
    page = new_page(java_script_enabled=javascript)
    email = register(page)
    secret = open_two_factor_page(page)

    # A wrong code first: refused beside the field, nothing turned on.
    page.fill("#enable-code", "000000" if code(secret) != "000000" else "111111")
    page.fill("#enable-password", PASSWORD)
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator("#enable-code-error")).to_contain_text("That code is not right")
    expect(page.locator("#enable-code")).to_have_attribute("aria-invalid", "true")

    codes = turn_on(page, secret)
    if javascript:
        expect(page).to_have_url(re.compile(r"/account/2fa$"))  # not the POST-only URL
    page.get_by_role("link", name="I have saved them").click()
    expect(page.locator("main")).to_contain_text("10 unused recovery codes")
    assert not any(c in page.content() for c in codes)

    log_out(page)
    log_in(page, email)
    expect(page.locator("#code")).to_have_attribute("autocomplete", "one-time-code")
    expect(page.locator("#code")).to_be_focused()
    page.goto("/tasks")  # not logged in yet
    expect(page).to_have_url(re.compile(r"/auth/login\?next="))
    log_in(page, email)

    assert submit_code(page, "123456" if code(secret, 1) != "123456" else "654321", javascript) == 422
    expect(page.locator("#code-error")).to_contain_text("That code is not right")
    assert submit_code(page, code(secret, 1), javascript) == 303
    expect(page).to_have_url(re.compile(r"/tasks$"))
    expect(page.locator(".site-header").get_by_role("button", name="Log out")).to_be_visible()

    # A recovery code works too, once.
    log_out(page)
    log_in(page, email)
    submit_code(page, codes[0], javascript)
    expect(page).to_have_url(re.compile(r"/tasks$"))
    expect(page.locator(".flash")).to_contain_text("You logged in with a recovery code; 9 codes are left.")


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("critical", "serious")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_two_factor_pages_look_right_and_pass_axe(new_page, screenshot, allow_console_errors, scheme):
    allow_console_errors(r"status of 422")
    problems = {}
    for device, options in (("phone", PHONE), ("desktop", DESKTOP)):
        page = new_page(color_scheme=scheme, **options)
        email = register(page)
        secret = open_two_factor_page(page)
        # Nothing sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), device
        screenshot(page, f"two-factor-setup-{device}-{scheme}", full_page=device == "desktop")
        problems[f"setup ({device})"] = serious_violations(page)

        # axe leaves style attributes behind, which htmx would carry over
        # (and the CSP refuse) in the next swap: a fresh page after each run.
        page.goto("/account/2fa")
        page.get_by_role("button", name="Turn on two-factor sign-in").click()  # empty: errors beside the fields
        expect(page.locator("#enable-code-error")).to_be_visible()
        problems[f"setup with errors ({device})"] = serious_violations(page)

        page.goto("/account/2fa")
        turn_on(page, secret)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), device
        screenshot(page, f"two-factor-codes-{device}-{scheme}", full_page=device == "desktop")
        problems[f"recovery codes ({device})"] = serious_violations(page)

        page.goto("/account/2fa")
        screenshot(page, f"two-factor-on-{device}-{scheme}", full_page=device == "desktop")
        problems[f"manage ({device})"] = serious_violations(page)

        log_out(page)
        log_in(page, email)
        screenshot(page, f"two-factor-login-code-{device}-{scheme}", full_page=device == "desktop")
        problems[f"code page ({device})"] = serious_violations(page)
        page.goto("/auth/login/code")
        page.get_by_role("button", name="Log in").click()
        expect(page.locator("#code-error")).to_be_visible()
        problems[f"code page with error ({device})"] = serious_violations(page)
    assert not any(problems.values()), problems
