"""Lists in a real browser, JavaScript on and off: the sidebar, the drawer on a
phone, Today and Upcoming, moving tasks between lists, deleting with Undo."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from .conftest import add, add_any, expect_titles, register, row, rows, wait_idle
from .test_list_quality_browser import PHONE, serious_violations

JS = pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])


def sidebar_link(page, name):
    return page.locator("#sidebar li > a:first-child", has_text=re.compile(f"^{re.escape(name)}"))


def open_list(page, name):
    """Click a list (or view) in the sidebar and wait until it is shown."""
    sidebar_link(page, name).click()
    expect(page.locator("#tasks-heading")).to_have_text(name)
    wait_idle(page)


def count_of(page, name):
    return sidebar_link(page, name).locator(".count")


def create_list(page, name):
    """Through the sidebar's field: the browser lands on the new (empty) list."""
    page.fill("#new-list", name)
    page.press("#new-list", "Enter")
    expect(page.locator("#tasks-heading")).to_have_text(name)
    expect(page).to_have_url(re.compile(r"/tasks\?list=\d+$"))


@JS
def test_create_a_list_and_add_tasks_to_it(new_page, allow_console_errors, javascript):
    allow_console_errors(r"status of 422")  # the taken name, refused on purpose
    page = new_page(java_script_enabled=javascript)
    register(page)
    expect(sidebar_link(page, "Inbox")).to_be_visible()
    create_list(page, "Groceries")
    expect(sidebar_link(page, "Groceries")).to_have_attribute("aria-current", "page")
    add_any(page, javascript, "Milk", "Eggs")
    expect_titles(page, "Eggs", "Milk")
    expect(count_of(page, "Groceries")).to_have_text("2")
    # Not in the Inbox; in All tasks, named by their list.
    open_list(page, "Inbox")
    expect(page.locator("#tasks-heading")).to_have_text("Inbox")
    expect(rows(page)).to_have_count(0)
    open_list(page, "All tasks")
    expect(row(page, "Milk").locator(".in-list")).to_have_text("List: Groceries")
    # A name that is taken: 422, the message beside the field, nothing made.
    page.fill("#new-list", "groceries")
    page.press("#new-list", "Enter")
    expect(page.locator("#new-list-error")).to_have_text("You already have a list called “Groceries”.")
    expect(page.locator("#new-list")).to_have_attribute("aria-invalid", "true")
    expect(sidebar_link(page, "Groceries")).to_have_count(1)


def test_move_a_task_with_the_row_editor(page):
    register(page)
    create_list(page, "Work")
    open_list(page, "Inbox")
    add(page, "Write report", "Call mum")
    row(page, "Write report").locator(".title").click()
    editor = page.locator("li.editing")
    expect(editor.locator("select[name=list_id]")).to_be_visible()
    editor.locator("select[name=list_id]").select_option(label="Work")
    editor.get_by_role("button", name="Save").click()
    expect(row(page, "Write report")).to_have_count(0)  # left the Inbox
    expect_titles(page, "Call mum")
    expect(count_of(page, "Work")).to_have_text("1")
    expect(count_of(page, "Inbox")).to_have_text("1")
    open_list(page, "Work")
    expect_titles(page, "Write report")


def test_move_a_task_from_its_page_without_javascript(page_nojs):
    page = page_nojs
    register(page)
    create_list(page, "Work")
    open_list(page, "Inbox")
    add_any(page, False, "Write report")
    row(page, "Write report").locator(".title").click()
    page.select_option("#list_id", label="Work")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/tasks\?list=\d+$"))  # back to the Inbox it came from
    expect(rows(page)).to_have_count(0)
    open_list(page, "Work")
    expect_titles(page, "Write report")


def test_move_a_task_by_dragging_it_onto_a_list(page):
    register(page)
    create_list(page, "Errands")
    open_list(page, "Inbox")
    add(page, "Post the parcel", "Buy stamps")
    with page.expect_response(lambda r: r.request.method == "POST" and re.search(r"/tasks/[0-9a-f-]{36}$", r.url)) as info:
        page.drag_and_drop("#" + row(page, "Buy stamps").get_attribute("id"), "#sidebar a:has-text('Errands')")
    assert info.value.status == 200
    expect(row(page, "Buy stamps")).to_have_count(0)
    expect(count_of(page, "Errands")).to_have_text("1")
    wait_idle(page)
    page.reload()
    expect_titles(page, "Post the parcel")
    open_list(page, "Errands")
    expect_titles(page, "Buy stamps")


def test_move_selected_tasks_in_bulk(page_nojs):
    page = page_nojs
    register(page)
    create_list(page, "Someday")
    open_list(page, "Inbox")
    add_any(page, False, "Learn Welsh", "Read Proust", "Pay rent")
    page.get_by_role("link", name="Select").click()
    for title in ("Learn Welsh", "Read Proust"):
        row(page, title).locator("input.select").check()
    page.select_option("#bulk-list", label="Someday")
    page.get_by_role("button", name="Move to list").click()
    expect_titles(page, "Pay rent")
    open_list(page, "Someday")
    expect_titles(page, "Read Proust", "Learn Welsh")


@JS
def test_today_and_upcoming(new_page, javascript):
    page = new_page(java_script_enabled=javascript)
    register(page)
    today = date.today()
    add_any(page, javascript, "Overdue bill", due=today - timedelta(days=2))
    add_any(page, javascript, "Dentist today", due=today)
    add_any(page, javascript, "Trip in three days", due=today + timedelta(days=3))
    add_any(page, javascript, "Next month", due=today + timedelta(days=30))
    add_any(page, javascript, "Someday, no date")
    open_list(page, "Today")
    expect(page).to_have_url(re.compile(r"/tasks\?view=today$"))
    expect(page.locator("#tasks-heading")).to_have_text("Today")
    expect_titles(page, "Overdue bill", "Dentist today")  # by due date
    expect(count_of(page, "Today")).to_have_text("2")
    # Adding here makes a task due today, so it stays in view.
    add_any(page, javascript, "Added in the Today view")
    expect(row(page, "Added in the Today view").locator("time.due")).to_contain_text("Today")
    open_list(page, "Upcoming")
    expect(page).to_have_url(re.compile(r"/tasks\?view=upcoming$"))
    expect_titles(page, "Added in the Today view", "Dentist today", "Trip in three days")
    # Search and filter keep the view.
    page.locator("nav.filters").get_by_role("link", name="Active").click()
    expect(page).to_have_url(re.compile(r"/tasks\?view=upcoming&filter=active$"))
    expect(rows(page)).to_have_count(3)


def test_delete_a_list_asks_first_and_can_be_undone(page):
    register(page)
    create_list(page, "Old project")
    add(page, "Leftover")
    page.locator(".list-settings").click()
    page.get_by_role("button", name="Delete list").click()
    expect(page.locator("h1")).to_have_text("Delete “Old project”?")
    page.get_by_role("button", name="Delete the list and 1 task").click()
    expect(page.locator("#tasks-heading")).to_have_text("Inbox")
    expect(sidebar_link(page, "Old project")).to_have_count(0)
    expect(page.locator("#undo")).to_contain_text("Deleted the list “Old project” and its 1 task.")
    page.locator("#undo").get_by_role("button", name="Undo").click()
    expect(sidebar_link(page, "Old project")).to_have_count(1)
    open_list(page, "Old project")
    expect_titles(page, "Leftover")


def test_rename_and_reorder_without_javascript(page_nojs):
    page = page_nojs
    register(page)
    for name in ("Alpha", "Beta"):
        create_list(page, name)
    page.get_by_role("link", name="Edit list: Beta").click()
    page.get_by_role("button", name="↑ Move up").click()
    page.fill("#list-name", "Bravo")
    page.get_by_role("button", name="Rename").click()
    expect(page.locator("#tasks-heading")).to_have_text("Bravo")
    names = page.locator("#sidebar ul[aria-labelledby] li > a:first-child")
    expect(names).to_have_text(["Bravo", "Alpha"])


def test_reorder_lists_by_dragging_in_the_sidebar(page):
    register(page)
    for name in ("One", "Two", "Three"):
        create_list(page, name)
    names = page.locator("#sidebar ul[aria-labelledby] li > a:first-child")
    expect(names).to_have_text(["One", "Two", "Three"])
    def item(name):
        return page.locator("#sidebar li").filter(has=page.get_by_role("link", name=name, exact=True))

    # The sidebar is on screen as soon as the page is parsed, but dragging
    # works only once lists.js has run (it makes the lists draggable): under
    # load a page reached by a full load may still be fetching its scripts,
    # and a drag then is an ordinary link drag that moves nothing.
    for name in ("One", "Two", "Three"):
        expect(item(name)).to_have_attribute("draggable", "true")
    with page.expect_response(lambda r: r.url.endswith("/move") and r.request.method == "POST") as info:
        item("Three").drag_to(item("One"), target_position={"x": 30, "y": 3})
    assert info.value.status == 204
    expect(names).to_have_text(["Three", "One", "Two"])
    page.reload()
    expect(names).to_have_text(["Three", "One", "Two"])


def fill_lists(page):
    today = date.today()
    for name in ("Groceries", "Work", "A list with a rather long name for a phone"):
        create_list(page, name)
    add(page, "Ask about the lease")
    open_list(page, "Work")
    page.fill("#new-due", today.isoformat())
    add(page, "Send the quarterly numbers")
    page.fill("#new-due", (today + timedelta(days=2)).isoformat())
    page.select_option("#new-priority", "high")
    add(page, "Prepare the workshop")
    open_list(page, "Groceries")
    add(page, "Oat milk", "Bread", "Apples")
    open_list(page, "Inbox")
    page.fill("#new-due", (today - timedelta(days=1)).isoformat())
    add(page, "Pay the electricity bill")
    add(page, "Call mum")


def test_the_drawer_on_a_phone(page, new_page, screenshot):
    register(page)
    fill_lists(page)
    state = page.context.storage_state()
    for scheme in ("light", "dark"):
        phone = new_page(storage_state=state, viewport={"width": 360, "height": 780}, color_scheme=scheme, **PHONE)
        phone.goto("/tasks?view=today")
        sidebar = phone.locator("#sidebar")
        expect(sidebar).not_to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, "the page scrolls sideways"
        button = phone.locator(".drawer-button")
        expect(button).to_have_attribute("aria-expanded", "false")
        button.click()
        expect(sidebar).to_be_visible()
        expect(button).to_have_attribute("aria-expanded", "true")
        expect(sidebar.locator("a[aria-current=page]")).to_be_focused()
        expect(sidebar).to_have_css("transform", "none")  # slid all the way in
        box = sidebar.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        phone.keyboard.press("Escape")
        expect(sidebar).not_to_be_visible()
        expect(button).to_be_focused()
        button.click()
        expect(sidebar).to_be_visible()
        phone.mouse.click(350, 400)  # the backdrop, beside the drawer
        expect(sidebar).not_to_be_visible()
        button.click()
        open_list(phone, "Groceries")
        expect(phone.locator("#tasks-heading")).to_have_text("Groceries")
        expect(phone.locator("#sidebar")).not_to_be_visible()
        expect_titles(phone, "Apples", "Bread", "Oat milk")
        # Screenshots last, after a fresh load: Playwright's capture leaves
        # style attributes that an htmx swap would re-apply against our CSP.
        phone.goto("/tasks?view=today")
        screenshot(phone, f"lists-phone-360-{scheme}", full_page=False)
        phone.locator(".drawer-button").click()
        expect(sidebar).to_have_css("transform", "none")  # slid all the way in
        screenshot(phone, f"lists-drawer-phone-360-{scheme}", full_page=False)


def test_without_javascript_a_phone_gets_the_lists_page(page, new_page, screenshot):
    register(page)
    fill_lists(page)
    phone = new_page(storage_state=page.context.storage_state(), viewport={"width": 360, "height": 780},
                     java_script_enabled=False, **PHONE)
    phone.goto("/tasks")
    phone.locator(".drawer-button").click()
    expect(phone).to_have_url(re.compile(r"/lists$"))
    expect(sidebar_link(phone, "Work")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "lists-page-phone-360-nojs", full_page=False)
    open_list(phone, "Work")
    expect(phone.locator("#tasks-heading")).to_have_text("Work")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_sidebar_on_the_desktop(new_page, screenshot, scheme):
    page = new_page(color_scheme=scheme, viewport={"width": 1280, "height": 860})
    register(page)
    fill_lists(page)
    open_list(page, "Work")
    sidebar = page.locator("#sidebar")
    expect(sidebar).to_be_visible()
    expect(page.locator(".drawer-button")).not_to_be_visible()
    expect(count_of(page, "Groceries")).to_have_text("3")
    expect(count_of(page, "Today")).to_have_text("2")  # the bill (overdue) and the numbers (today)
    side, section = sidebar.bounding_box(), page.locator("section.todoapp").bounding_box()
    assert side["x"] + side["width"] < section["x"], "the sidebar sits beside the list"
    # The counts line up, whether or not a list has its ⋯ beside it.
    right_edges = {round(box["x"] + box["width"]) for box in
                   (count.bounding_box() for count in page.locator("#sidebar .count").all())}
    assert len(right_edges) == 1, right_edges
    problems = {"list with sidebar": serious_violations(page)}
    page.goto("/tasks")
    problems["all tasks"] = serious_violations(page)
    page.goto("/lists")
    problems["lists page"] = serious_violations(page)
    page.goto("/tasks?view=upcoming")
    problems["upcoming"] = serious_violations(page)
    open_list(page, "Work")
    page.locator(".list-settings").click()
    problems["list settings"] = serious_violations(page)
    page.get_by_role("button", name="Delete list").click()
    expect(page.locator("h1")).to_contain_text("Delete")
    problems["delete, asked"] = serious_violations(page)
    assert not any(problems.values()), problems
    # Screenshots last, each after a fresh load (see the phone test).
    page.goto("/tasks")
    open_list(page, "Work")
    page.mouse.move(0, 0)
    screenshot(page, f"lists-desktop-{scheme}")
    page.goto("/tasks")
    screenshot(page, f"lists-desktop-all-{scheme}")
    page.goto("/tasks")
    open_list(page, "Work")
    page.locator(".list-settings").click()
    page.reload()
    screenshot(page, f"lists-settings-desktop-{scheme}")


def test_axe_on_a_phone_with_the_drawer_open(page, new_page):
    register(page)
    fill_lists(page)
    for scheme in ("light", "dark"):
        phone = new_page(storage_state=page.context.storage_state(), viewport={"width": 390, "height": 800},
                         color_scheme=scheme, **PHONE)
        phone.goto("/tasks")
        phone.locator(".drawer-button").click()
        expect(phone.locator("#sidebar")).to_have_css("transform", "none")
        assert not serious_violations(phone), scheme
