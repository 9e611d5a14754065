"""Planning features in a real browser: dates, priorities, search, sort,
reordering, bulk actions, Undo, and the keyboard."""

import re

from playwright.sync_api import expect

from .conftest import add, by_id, expect_titles, post_form, register, row, rows, wait_idle


def test_due_date_and_priority_when_adding(page):
    register(page)
    page.fill("#new-due", "2031-01-05")
    page.select_option("#new-priority", "high")
    page.fill("#new-title", "Pay rent")
    page.press("#new-title", "Enter")
    task = row(page, "Pay rent")
    expect(task.locator("time.due")).to_have_text("5 Jan 2031")
    # The next task starts afresh.
    expect(page.locator("#new-due")).to_have_value("")
    expect(page.locator("#new-priority")).to_have_value("none")
    expect(task.locator(".priority")).to_contain_text("High")
    page.reload()
    expect(row(page, "Pay rent").locator(".priority.p3")).to_have_count(1)


def test_search_as_you_type_and_sort(page):
    register(page)
    add(page, "Buy milk", "Call the bank", "Milk the cow")
    page.fill("#search", "milk")
    expect_titles(page, "Milk the cow", "Buy milk")
    expect(page).to_have_url(re.compile(r"q=milk"))
    page.select_option("#sort", "oldest")
    expect_titles(page, "Buy milk", "Milk the cow")
    expect(page).to_have_url(re.compile(r"sort=oldest"))
    page.reload()
    expect(page.locator("#search")).to_have_value("milk")
    expect_titles(page, "Buy milk", "Milk the cow")
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"sort=oldest"))


def test_reorder_with_buttons_and_by_dragging(page):
    register(page)
    add(page, "a", "b", "c")  # newest on top: c b a
    page.goto("/tasks?sort=manual")
    expect_titles(page, "c", "b", "a")
    row(page, "a").hover()
    row(page, "a").locator(".move-up").click()
    expect_titles(page, "c", "a", "b")
    wait_idle(page)
    with page.expect_response(lambda r: "/move" in r.url and r.request.method == "POST") as info:
        page.drag_and_drop("#" + row(page, "b").get_attribute("id"), "#" + row(page, "c").get_attribute("id"),
                           target_position={"x": 20, "y": 3})
    assert info.value.status == 204
    expect_titles(page, "b", "c", "a")
    page.reload()
    expect_titles(page, "b", "c", "a")


def test_bulk_complete_with_shift_click_range(page):
    register(page)
    add(page, "one", "two", "three", "four")  # four three two one
    expect(page.locator("input.select")).to_have_count(0)  # a calm list until asked
    page.get_by_role("link", name="Select").click()
    expect(page).to_have_url(re.compile(r"select=1"))
    rows(page).nth(0).locator("input.select").click()
    rows(page).nth(2).locator("input.select").click(modifiers=["Shift"])
    page.locator("#list").get_by_role("button", name="Complete").click()
    wait_idle(page)
    for title in ("four", "three", "two"):
        expect(row(page, title)).to_have_class(re.compile("completed"))
    expect(row(page, "one")).not_to_have_class(re.compile("completed"))
    expect(page.locator("#todo-count")).to_have_text("1")


def test_delete_then_undo_brings_the_task_back(page):
    register(page)
    add(page, "keep me", "other")
    task_id = row(page, "keep me").get_attribute("id")
    row(page, "keep me").hover()
    row(page, "keep me").locator(".destroy").click()
    expect(page.locator("#" + task_id)).to_have_count(0)
    undo = page.locator("#undo").get_by_role("button", name="Undo")
    expect(undo).to_be_visible()
    undo.click()
    expect(page.locator("#" + task_id)).to_have_count(1)
    expect(page.locator("#undo button")).to_have_count(0)
    expect(page.locator("#todo-count")).to_have_text("2")


def test_undo_offer_leaves_after_about_ten_seconds(page):
    register(page)
    add(page, "gone")
    row(page, "gone").hover()
    row(page, "gone").locator(".destroy").click()
    expect(page.locator("#undo button")).to_be_visible()
    expect(page.locator("#undo button")).to_have_count(0, timeout=14_000)


def test_keyboard_shortcuts_and_help(page):
    register(page)
    add(page, "first", "second")  # second first
    page.locator("p.hint.center").click()  # somewhere neutral
    page.locator("#new-title").blur()
    page.keyboard.press("?")
    help_dialog = page.locator("#shortcuts-help")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("Next / previous task")
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()
    page.keyboard.press("j")
    expect(rows(page).nth(0).locator(".toggle")).to_be_focused()
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(row(page, "first")).to_have_class(re.compile("completed"))
    page.keyboard.press("/")
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.type("?n")  # typing in a field never triggers a shortcut
    expect(help_dialog).to_be_hidden()
    expect(page.locator("#search")).to_have_value("?n")
    page.locator("#search").blur()
    page.keyboard.press("n")
    expect(page.locator("#new-title")).to_be_focused()
    # Escape leaves the field; then "?" is a shortcut again, not a character.
    page.keyboard.press("Escape")
    expect(page.locator("#new-title")).not_to_be_focused()
    page.keyboard.press("?")
    expect(help_dialog).to_be_visible()
    expect(page.locator("#new-title")).to_have_value("")


def test_bulk_and_undo_work_without_javascript(page_nojs):
    page = page_nojs
    register(page)
    for title in ("x", "y"):
        page.fill("#new-title", title)
        post_form(page, lambda: page.press("#new-title", "Enter"), "/tasks")
    page.get_by_role("link", name="Select").click()
    for title in ("x", "y"):
        row(page, title).locator("input.select").check()
    post_form(page, lambda: page.locator("#list").get_by_role("button", name="Delete").click(), "/tasks?select=1")
    expect(rows(page)).to_have_count(0)
    post_form(page, lambda: page.locator("#undo").get_by_role("button", name="Undo").click(), "/tasks?select=1")
    expect(rows(page)).to_have_count(2)
    page.goto("/tasks?sort=manual")
    post_form(page, lambda: row(page, "x").locator(".move-up").click(), "/tasks?sort=manual")
    expect_titles(page, "x", "y")


def test_due_date_and_priority_edited_in_place(page):
    register(page)
    add(page, "Plan trip")
    task = by_id(page, "Plan trip")
    task.locator(".title").click()
    task.locator("select[name=priority]").select_option("medium")
    task.locator("input[name=due_date]").fill("2030-07-14")
    task.locator("input.edit").press("Enter")
    expect(task.locator(".priority")).to_contain_text("Medium")
    expect(task.locator("time.due")).to_have_text("14 Jul 2030")
    wait_idle(page)
    task.locator(".title").click()
    task.locator("select[name=priority]").select_option("high")
    task.locator("select[name=priority]").press("Escape")  # cancels: nothing is saved
    expect(task).not_to_have_class(re.compile("editing"))
    page.reload()
    expect(row(page, "Plan trip").locator(".priority")).to_contain_text("Medium")


def test_sign_up_suggests_the_browsers_time_zone(new_page):
    page = new_page(timezone_id="Asia/Tokyo")
    register(page)
    page.goto("/account")
    expect(page.locator("#timezone")).to_have_value("Asia/Tokyo")
