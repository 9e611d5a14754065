"""The list as a person meets it: on a phone, on a slow network, from the
keyboard, under a search, and through a screen reader's eyes (axe-core)."""

import re
from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import add, assert_rows_fit_a_phone, expect_count, expect_titles, register, row, rows, wait_idle

LONG = ("Renew the passport before the summer trip and book the photo appointment "
        "at the shop on the corner of Elm Street")
PHONE = dict(is_mobile=True, has_touch=True)


def add_planned(page, title, due=None, priority=None):
    """Add through the form, with a due date and priority when given."""
    if due:
        page.fill("#new-due", due.isoformat())
    if priority:
        page.select_option("#new-priority", priority)
    add(page, title)


def fill_a_real_list(page):
    today = date.today()  # the test's clock and the server's are the same machine's
    add_planned(page, "Call mum")
    add_planned(page, "Pay the electricity bill", today - timedelta(days=3), "high")
    add_planned(page, "שלום עולם — משימה בעברית", today, "medium")
    add_planned(page, LONG, today + timedelta(days=9), "low")
    add_planned(page, "Supercalifragilisticexpialidocious-and-then-some-more-letters-without-spaces")
    add(page, "Done already")
    row(page, "Done already").locator(".toggle").click()
    wait_idle(page)


@pytest.mark.parametrize("width", [360, 390])
def test_phone_layout_never_scrolls_sideways_and_rows_stay_short(page, new_page, screenshot, width):
    register(page)
    fill_a_real_list(page)
    state = page.context.storage_state()
    for scheme in ("light", "dark"):
        phone = new_page(storage_state=state, viewport={"width": width, "height": 1200}, color_scheme=scheme, **PHONE)
        phone.goto("/tasks")
        assert_rows_fit_a_phone(phone, 6, width)
        screenshot(phone, f"list-phone-{width}-{scheme}", full_page=False)
    # Renaming in place and selecting several fit the phone too. (A fresh
    # page: Playwright's screenshot leaves style attributes that htmx would
    # then re-apply against our CSP.)
    phone.goto("/tasks")
    phone.get_by_role("link", name="Select").click()
    expect(phone.locator("input.select")).to_have_count(6)
    expect(phone.locator("section.todoapp")).to_have_count(1)  # a whole page, not a page in the list
    assert phone.evaluate("document.documentElement.scrollWidth") <= width
    row(phone, "Pay the electricity bill").locator("input.select").check()
    rows(phone).nth(2).locator(".title").click()
    expect(phone.locator("input.edit")).to_be_focused()
    assert phone.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(phone, f"list-phone-{width}-select-and-edit", full_page=False)


def test_on_the_desktop_titles_use_the_row_width(page, screenshot):
    register(page)
    add_planned(page, LONG, date.today() + timedelta(days=2), "high")
    task = rows(page).first
    row_box, title_box = task.bounding_box(), task.locator(".title").bounding_box()
    # The delete button appears on hover and takes no room until then.
    assert title_box["width"] >= row_box["width"] - 90, (row_box, title_box)
    expect(task.locator(".destroy")).to_have_css("opacity", "0")
    task.hover()
    expect(task.locator(".destroy")).to_have_css("opacity", "1")
    screenshot(page, "list-desktop-hover")


def test_quick_entry_at_400_ms_latency_lands_exactly_as_typed(new_page):
    page = new_page(extra_http_headers={"X-Test-Delay-Ms": "400"})
    register(page)
    words = ["milk", "eggs", "bread", "jam", "tea", "rice"]
    page.locator("#new-title").focus()
    for word in words:
        page.keyboard.type(word, delay=15)
        page.keyboard.press("Enter")
        # Cleared at submit time, not when the answer comes.
        expect(page.locator("#new-title")).to_have_value("")
    expect(rows(page)).to_have_count(len(words), timeout=15_000)
    wait_idle(page)
    expect_titles(page, *reversed(words))
    expect_count(page, f"{len(words)} items left")
    page.reload()
    expect_titles(page, *reversed(words))


def test_rapid_toggles_and_double_clicks_end_as_shown(new_page):
    page = new_page(extra_http_headers={"X-Test-Delay-Ms": "300"})
    register(page)
    add(page, "a", "b", "c")
    row(page, "a").locator(".toggle").dblclick()   # done, then not done
    row(page, "b").locator(".toggle").click()
    row(page, "c").locator(".toggle").click(click_count=3)  # done, not done, done
    expect(page.locator(".htmx-request")).to_have_count(0, timeout=15_000)
    wait_idle(page)
    shown = {title: "completed" in row(page, title).get_attribute("class") for title in "abc"}
    assert shown == {"a": False, "b": True, "c": True}
    expect_count(page, "1 item left")
    page.reload()
    saved = {title: "completed" in row(page, title).get_attribute("class") for title in "abc"}
    assert saved == shown


def test_search_and_sort_never_move_focus(page):
    register(page)
    add(page, "Buy milk", "Milk the cow", "Call the bank")
    search = page.locator("#search")
    search.click()
    page.keyboard.type("mil", delay=60)
    expect_titles(page, "Milk the cow", "Buy milk")
    wait_idle(page)
    expect(search).to_be_focused()
    page.keyboard.type("k the", delay=60)  # keeps typing into the search, not into a new task
    expect_titles(page, "Milk the cow")
    wait_idle(page)
    expect(search).to_be_focused()
    page.locator("#sort").focus()
    page.keyboard.press("ArrowDown")
    expect(page).to_have_url(re.compile(r"sort=oldest"))
    wait_idle(page)
    expect(page.locator("#sort")).to_be_focused()
    search.fill("")
    expect(rows(page)).to_have_count(3)  # no junk task was created


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_complete_all_and_clear_completed_leave_tasks_the_search_hides(new_page, javascript):
    page = new_page(java_script_enabled=javascript)
    register(page)
    for title in ("buy milk", "buy eggs", "call mum"):
        page.fill("#new-title", title)
        page.press("#new-title", "Enter")
        expect(row(page, title)).to_have_count(1)
        wait_idle(page) if javascript else None
    page.goto("/tasks?q=buy")
    expect(rows(page)).to_have_count(2)
    page.locator("#toggle-all").click()
    expect(page.locator("#task-list > li.task.completed")).to_have_count(2)
    expect(page.locator("#undo")).to_contain_text("Completed 2 tasks.")
    page.locator("button.clear-completed").click()
    expect(rows(page)).to_have_count(0)
    page.goto("/tasks")
    expect_titles(page, "call mum")
    expect(row(page, "call mum")).not_to_have_class(re.compile("completed"))


def test_complete_all_can_be_undone(page):
    register(page)
    add(page, "one", "two")
    page.locator("#toggle-all").click()
    expect_count(page, "0 items left")
    page.locator("#undo").get_by_role("button", name="Undo").click()
    expect_count(page, "2 items left")
    expect(page.locator("#task-list > li.task.completed")).to_have_count(0)


def test_focus_lands_sensibly_after_undo_and_moves(page):
    register(page)
    add(page, "a", "b", "c")
    row(page, "b").locator(".destroy").focus()
    page.keyboard.press("Enter")
    expect(row(page, "b")).to_have_count(0)
    page.locator("#undo button").focus()
    page.keyboard.press("Enter")
    expect(row(page, "b")).to_have_count(1)
    wait_idle(page)
    expect(row(page, "b").locator(".title")).to_be_focused()
    page.goto("/tasks?sort=manual")
    row(page, "a").locator(".move-up").focus()
    page.keyboard.press("Enter")
    expect_titles(page, "c", "a", "b")
    wait_idle(page)
    expect(row(page, "a").locator(".move-up")).to_be_focused()


def test_undo_pressed_the_moment_it_appears_restores_in_place(page):
    """The Undo offer comes out of band, and htmx wires up new content only
    when it settles. With htmx's 20 ms settle delay, an Undo pressed before
    then (a key press is often handled before a timer) was a plain form
    post: a whole new page, with focus in the new-task field. Here the press
    comes in the very next task after the offer is swapped in."""
    register(page)
    add(page, "a", "b", "c")
    page.evaluate("""() => {
      window.__samePage = true;
      document.addEventListener("htmx:afterSwap", function (event) {
        var button = event.target.id === "undo" && event.target.querySelector("button");
        if (button) setTimeout(function () { button.focus(); button.click(); }, 0);
      });
    }""")
    row(page, "b").locator(".destroy").focus()
    with page.expect_response("**/tasks/undo") as answer:
        page.keyboard.press("Enter")
    assert answer.value.request.headers.get("hx-request") == "true", "Undo was a plain form post"
    expect(row(page, "b")).to_have_count(1)
    wait_idle(page)
    expect_titles(page, "c", "b", "a")
    expect(row(page, "b").locator(".title")).to_be_focused()
    assert page.evaluate("window.__samePage") is True, "the page was reloaded"


def test_titles_in_right_to_left_scripts_read_right_to_left(page):
    register(page)
    add(page, "שלום עולם")
    title = row(page, "שלום עולם").locator(".title")
    expect(title).to_have_attribute("dir", "auto")
    assert title.evaluate("element => getComputedStyle(element).direction") == "rtl"


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("critical", "serious")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_serious_on_any_page(new_page, scheme):
    page = new_page(color_scheme=scheme)
    page.goto("/auth/register")
    problems = {"register": serious_violations(page)}
    register(page)
    fill_a_real_list(page)
    problems["tasks"] = serious_violations(page)
    page.goto("/tasks?select=1&sort=manual")
    problems["tasks (select, my order)"] = serious_violations(page)
    row(page, "Call mum").locator(".title").click()
    expect(page.locator("input.edit")).to_be_visible()
    problems["tasks (editing)"] = serious_violations(page)
    page.goto("/tasks")
    page.goto(rows(page).first.locator(".title").get_attribute("href"))
    problems["task"] = serious_violations(page)
    page.goto("/account")
    problems["account"] = serious_violations(page)
    page.context.clear_cookies()
    page.goto("/auth/login")
    problems["login"] = serious_violations(page)
    assert not any(problems.values()), problems


@pytest.mark.parametrize("how", ["logged out in another tab", "password changed elsewhere"])
def test_an_action_after_the_session_ended_leads_to_the_login_page(page, new_page, allow_console_errors, how):
    allow_console_errors(r"status of 401")
    register(page)
    add(page, "still mine")
    if how == "logged out in another tab":
        other = page.context.new_page()  # same browser, same cookies
        other.goto("/tasks")
        other.get_by_role("button", name="Log out").click()
        other.wait_for_url("**/auth/login")
    else:
        elsewhere = new_page(storage_state=page.context.storage_state())
        elsewhere.goto("/account")
        elsewhere.fill("#current_password", "correct horse battery")
        elsewhere.fill("#new_password", "another good passphrase")
        elsewhere.fill("#new_password_confirm", "another good passphrase")
        elsewhere.locator("form[action$='/account/password'] button[type=submit]").click()
        expect(elsewhere.locator(".flash")).to_be_visible()
    row(page, "still mine").locator(".toggle").click()
    page.wait_for_url(re.compile(r"/auth/login\?next=(%2F|/)tasks$"))
    expect(page.locator(".flash")).to_have_text("Your session has ended. Please log in again.")
