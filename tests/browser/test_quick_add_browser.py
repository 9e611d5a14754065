"""Quick add in Chromium: chips under the add box before Enter (in the
person's time zone), the row that Enter makes, a chip's × and a typed
backslash keeping words as text, form fields winning, a slow network never
showing chips for text no longer there, JavaScript off, phone and desktop
screenshots in light and dark, and axe-core with the chips showing."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from .conftest import add, register, row, rows, wait_idle
from .test_list_quality_browser import PHONE, serious_violations

EXAMPLE = "Pay rent tomorrow !high #home every month"
KIRITIMATI = "Pacific/Kiritimati"  # UTC+14: its tomorrow is often not the server's


def tomorrow_in(zone: str):
    return datetime.now(ZoneInfo(zone)).date() + timedelta(days=1)


def chips(page):
    return page.locator("#quick-chips .quick-part")


def expect_chips(page, *names):
    """The chips, by what a screen reader reads for each (its × aside)."""
    expect(chips(page)).to_have_count(len(names))
    read = chips(page).evaluate_all("""chips => chips.map(chip => {
        const copy = chip.cloneNode(true);
        copy.querySelectorAll('[aria-hidden="true"], button').forEach(node => node.remove());
        return copy.textContent.replace(/\\s+/g, " ").trim();
    })""")
    assert read == list(names), read


def type_title(page, text):
    page.locator("#new-title").click()
    page.keyboard.type(text, delay=20)


def test_the_issues_example_shows_its_chips_then_lands_as_they_said(new_page):
    page = new_page(timezone_id=KIRITIMATI)
    register(page)  # the sign-up form takes the browser's time zone
    tomorrow = tomorrow_in(KIRITIMATI)

    type_title(page, EXAMPLE)

    expect_chips(page, f"Due tomorrow, {tomorrow:%A} {tomorrow.day} {tomorrow:%B}", "Priority high", "Label home",
                 "Repeats monthly")
    expect(page.locator("#new-title")).to_be_focused()  # the chips never take the focus
    expect(page.locator("#new-title")).to_have_value(EXAMPLE)
    expect(rows(page)).to_have_count(0)  # nothing is added before Enter

    page.keyboard.press("Enter")

    task = row(page, "Pay rent")
    expect(task).to_have_count(1)
    expect(task.locator("time.due")).to_have_attribute("datetime", tomorrow.isoformat())
    expect(task.locator(".priority.p3")).to_have_count(1)
    expect(task.locator(".labels a")).to_have_text(["home"])
    expect(task.locator(".repeat")).to_contain_text("Monthly")
    expect(chips(page)).to_have_count(0)  # the box is empty again, and so are its chips
    expect(page.locator("#quick-said")).to_have_text(
        "Added “Pay rent”: due tomorrow, high priority, #home, repeats monthly.")
    expect(page.locator("#new-title")).to_be_focused()
    # Typing the next task clears that line.
    page.keyboard.type("Next", delay=20)
    expect(page.locator("#quick-said")).to_be_empty()
    page.reload()
    expect(row(page, "Pay rent").locator("time.due")).to_have_attribute("datetime", tomorrow.isoformat())


def test_a_chips_x_keeps_its_words_as_text(page):
    register(page)
    type_title(page, "Buy #1 fan *Shops tomorrow")
    expect_chips(page, "Label 1", "New list Shops", re_due(page))

    chips(page).filter(has_text="Label").get_by_role("button", name="Keep “#1” as text").click()

    expect(page.locator("#new-title")).to_have_value("Buy \\#1 fan *Shops tomorrow")
    expect(page.locator("#new-title")).to_be_focused()
    expect(chips(page)).to_have_count(2)
    page.get_by_role("button", name="Keep “*Shops” as text").click()
    expect(page.locator("#new-title")).to_have_value("Buy \\#1 fan \\*Shops tomorrow")
    expect(chips(page)).to_have_count(1)
    page.keyboard.press("Enter")
    expect(row(page, "Buy #1 fan *Shops")).to_have_count(1)
    expect(row(page, "Buy #1 fan *Shops").locator("time.due")).to_have_count(1)
    expect(page.locator("#sidebar")).not_to_contain_text("Shops")  # no list was made


def re_due(page) -> str:
    """The date chip's name for "tomorrow" where the browser is (the server's zone here)."""
    zone = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    tomorrow = tomorrow_in(zone)
    return f"Due tomorrow, {tomorrow:%A} {tomorrow.day} {tomorrow:%B}"


def test_a_typed_backslash_and_keep_title_as_typed(page):
    register(page)
    type_title(page, "Call \\tomorrow !high")
    expect_chips(page, "Priority high")
    page.keyboard.press("Enter")
    expect(row(page, "Call tomorrow")).to_have_count(1)
    expect(row(page, "Call tomorrow").locator("time.due")).to_have_count(0)

    type_title(page, "Read chapter 3 on monday #book")
    expect(chips(page)).to_have_count(2)
    page.get_by_label("Keep title as typed").check()
    expect(chips(page)).to_have_count(0)
    page.locator("#new-title").press("Enter")
    expect(row(page, "Read chapter 3 on monday #book")).to_have_count(1)


def test_a_picked_date_wins_and_the_chips_say_so_before_enter(page):
    register(page)
    type_title(page, "Dentist tomorrow !high")
    expect(chips(page)).to_have_count(2)
    page.fill("#new-due", "2031-01-02")
    expect_chips(page, "Priority high")  # "tomorrow" will stay in the title
    page.locator("#new-title").press("Enter")
    task = row(page, "Dentist tomorrow")
    expect(task.locator("time.due")).to_have_attribute("datetime", "2031-01-02")
    expect(task.locator(".priority.p3")).to_have_count(1)


def test_on_a_slow_network_the_chips_never_show_text_no_longer_there(new_page):
    page = new_page(extra_http_headers={"X-Test-Delay-Ms": "400"})
    register(page)
    type_title(page, "Meet tomorrow")
    page.wait_for_timeout(250)  # the preview is on its way
    for _ in range(len(" tomorrow")):
        page.keyboard.press("Backspace")
    expect(page.locator("#new-title")).to_have_value("Meet")
    page.wait_for_timeout(1200)  # every answer is in
    wait_idle(page)
    expect(chips(page)).to_have_count(0)
    # Enter while a preview is still on its way: the box and its chips stay empty.
    page.keyboard.type(" on friday", delay=20)
    page.keyboard.press("Enter")
    expect(row(page, "Meet")).to_have_count(1, timeout=5000)
    page.wait_for_timeout(800)
    wait_idle(page)
    expect(chips(page)).to_have_count(0)
    expect(page.locator("#new-title")).to_have_value("")


def test_without_javascript_the_title_is_read_on_submit_and_the_page_says_what(page_nojs):
    page = page_nojs
    register(page)
    page.fill("#new-title", EXAMPLE + " *Bills")
    page.press("#new-title", "Enter")
    page.wait_for_url("**/tasks")
    expect(page.locator(".flash")).to_have_text(
        "Added “Pay rent” to a new list, Bills: due tomorrow, high priority, #home, repeats monthly. "
        "Type \\ before a word to keep it as text.")
    expect(row(page, "Pay rent")).to_have_count(1)
    expect(page.locator("#quick-chips")).to_be_empty()
    expect(page.locator("#quick-chips")).to_be_hidden()
    page.get_by_label("Keep title as typed").check()
    page.fill("#new-title", "Ship \\#2 every monday")
    page.press("#new-title", "Enter")
    page.wait_for_url("**/tasks")
    expect(row(page, "Ship \\#2 every monday")).to_have_count(1)


LONG_LIST = "Renovation of the summer house by the lake before the family visit"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_chips_on_a_phone_and_a_desktop_look_calm_and_pass_axe(new_page, screenshot, scheme):
    """The add box with every kind of chip, at 360 px and on a desktop: no
    sideways scroll, the chips inside the box, and nothing serious for axe."""
    typed = f'Pay rent tomorrow !high #home #bills every month *"{LONG_LIST}"'
    setup = new_page()
    register(setup)
    add(setup, "Call mum")
    state = setup.context.storage_state()
    for name, options in (("phone-360", dict(viewport={"width": 360, "height": 800}, **PHONE)),
                          ("desktop", dict(viewport={"width": 1280, "height": 800}))):
        page = new_page(storage_state=state, color_scheme=scheme, **options)
        page.goto("/tasks")
        type_title(page, typed)
        expect(chips(page)).to_have_count(6)
        wait_idle(page)
        width = options["viewport"]["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
        box = page.locator("#new-task").bounding_box()
        for index in range(6):
            chip = chips(page).nth(index).bounding_box()
            assert box["x"] <= chip["x"] and chip["x"] + chip["width"] <= box["x"] + box["width"] + 0.5, (index, chip)
            assert chip["height"] <= 40, f"chip {index} wraps: {chip}"
        x_button = chips(page).first.locator("button").bounding_box()
        assert x_button["width"] >= 24 and x_button["height"] >= 24  # a target a finger can hit
        problems = serious_violations(page)
        assert not problems, problems
        screenshot(page, f"quick-add-{name}-{scheme}", full_page=False)


def test_a_title_enter_would_refuse_says_why_before_and_after(page, allow_console_errors):
    allow_console_errors(r"status of 422")  # the add itself, refused on purpose
    register(page)
    typed = "Plan trip #" + "l" * 61
    type_title(page, typed)
    expect(page.locator("#quick-chips .field-error")).to_contain_text("A label name can be at most 60 characters")
    page.keyboard.press("Enter")
    expect(page.locator("#new-title-error")).to_contain_text("A label name can be at most 60 characters")
    expect(page.locator("#new-title")).to_have_value(typed)  # given back to put right
    expect(rows(page)).to_have_count(0)
    page.keyboard.press("End")
    for _ in range(10):
        page.keyboard.press("Backspace")
    expect(chips(page)).to_have_count(1)
    expect(page.locator("#quick-chips .field-error")).to_have_count(0)
    page.keyboard.press("Enter")
    expect(row(page, "Plan trip")).to_have_count(1)
