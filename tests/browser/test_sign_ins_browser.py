"""Where you're logged in, in a real browser: a phone and a laptop sign in,
the account page lists both, and "Log out everywhere else" really ends the
other one. JavaScript on and off."""

import pytest
from playwright.sync_api import expect

from .conftest import register
from .test_accounts_browser import log_in
from .test_list_quality_browser import PHONE, serious_violations

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_log_out_everywhere_else_ends_the_other_device(new_page, screenshot, javascript):
    laptop = new_page(java_script_enabled=javascript)
    email = register(laptop)
    phone = new_page(java_script_enabled=javascript, user_agent=IPHONE, viewport={"width": 390, "height": 900}, **PHONE)
    log_in(phone, email)
    phone.wait_for_url("**/tasks")

    laptop.goto("/account")
    listed = laptop.locator(".sign-ins .sign-in")
    expect(listed).to_have_count(2)
    expect(laptop.locator(".sign-in.current")).to_contain_text("This browser")
    expect(laptop.locator(".sign-in:not(.current)")).to_contain_text("Safari on iPhone")
    if javascript:  # axe-core runs as a script in the page
        assert serious_violations(laptop) == []

    laptop.get_by_role("button", name="Log out everywhere else").click()
    expect(laptop.locator(".flash")).to_contain_text("Logged out everywhere else (1 device)")
    expect(listed).to_have_count(1)

    phone.goto("/tasks")
    phone.wait_for_url("**/auth/login**")
    laptop.goto("/tasks")
    assert laptop.url.endswith("/tasks")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_sign_ins_section_reads_well_on_a_phone_and_a_desktop(new_page, screenshot, scheme):
    laptop = new_page(color_scheme=scheme)
    email = register(laptop)
    other = new_page(user_agent=IPHONE)
    log_in(other, email, remember=True)
    other.wait_for_url("**/tasks")
    laptop.goto("/account#sign-ins-heading")
    expect(laptop.locator(".sign-ins .sign-in")).to_have_count(2)
    screenshot(laptop, f"account-sign-ins-desktop-{scheme}")

    phone = new_page(storage_state=laptop.context.storage_state(), color_scheme=scheme,
                     viewport={"width": 360, "height": 1600}, **PHONE)
    phone.goto("/account")
    section = phone.locator("section[aria-labelledby='sign-ins-heading']")
    section.scroll_into_view_if_needed()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360, "the account page scrolls sideways"
    for index in range(section.locator(".sign-in").count()):
        assert section.locator(".sign-in").nth(index).bounding_box()["height"] <= 150
    screenshot(phone, f"account-sign-ins-phone-{scheme}", full_page=False)
