"""The task list in real Chromium, with JavaScript on (HTMX) and off (plain posts)."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import (add, add_plain, by_id, choose_filter, expect_count, expect_list, expect_titles, hold_requests,
                       post_form, register, row, rows, toggle, wait_idle)

ROW_ID = re.compile(r"^task-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
EDITING, COMPLETED = re.compile(r"\bediting\b"), re.compile(r"\bcompleted\b")


@pytest.fixture
def page(page):
    """Here ``page`` is a new user's task list, with a marker that a full page load would wipe."""
    register(page)
    page.evaluate("window.__docketMarker = 'still here'")
    return page


def test_add_task_without_a_page_load(page):
    expect(page.locator("#task-footer")).to_be_hidden()
    expect(page.locator(".empty-state")).to_be_visible()
    add(page, "Buy milk")
    expect(page.locator(".empty-state")).to_be_hidden()
    new_row = row(page, "Buy milk")
    assert ROW_ID.match(new_row.get_attribute("id"))
    expect(page.locator("#new-title")).to_be_focused()
    expect(page.locator("#todo-count")).to_have_text("1")
    expect_count(page, "1 item left")
    add(page, "Walk the dog")
    expect_titles(page, "Walk the dog", "Buy milk")
    expect_count(page, "2 items left")
    assert page.evaluate("window.__docketMarker") == "still here", "the page was reloaded"


def test_empty_new_title_is_refused(page, allow_console_errors):
    allow_console_errors(r"status of 422")
    page.press("#new-title", "Enter")
    expect(page.locator("#new-title-error")).to_be_visible()
    expect(rows(page)).to_have_count(0)
    add(page, "After all")
    expect(page.locator("#new-title-error")).to_have_count(0)


def test_edit_in_place(page):
    add(page, "Buy milk")
    same_row = by_id(page, "Buy milk")
    edit = same_row.locator("input.edit")

    # Enter saves.
    same_row.locator(".title").click()
    expect(same_row).to_have_class(EDITING)
    expect(edit).to_be_focused()
    edit.fill("Buy oat milk")
    edit.press("Enter")
    wait_idle(page)
    expect(same_row.locator(".title")).to_have_text("Buy oat milk")
    expect(same_row).not_to_have_class(EDITING)
    expect(same_row.locator(".title")).to_be_focused()  # the keyboard stays on the row

    # Escape cancels and restores.
    same_row.locator(".title").click()
    edit.fill("Something else")
    edit.press("Escape")
    expect(same_row).not_to_have_class(EDITING)
    expect(same_row.locator(".title")).to_have_text("Buy oat milk")
    expect(edit).to_have_count(0)  # the editor is fetched when asked for, and gone after
    expect(same_row.locator(".title")).to_be_focused()

    # Leaving the field (a click elsewhere) saves.
    same_row.locator(".title").click()
    edit.fill("Buy bread")
    page.locator("p.hint.center").click()
    expect(same_row.locator(".title")).to_have_text("Buy bread")
    expect(same_row).not_to_have_class(EDITING)

    page.reload()
    expect_titles(page, "Buy bread")


def test_emptied_title_is_refused_with_a_message(page, allow_console_errors):
    allow_console_errors(r"status of 422")
    add(page, "Keep this title")
    same_row = by_id(page, "Keep this title")
    same_row.locator(".title").click()
    # The editor opens in the row (fetched on demand), not on the task's page.
    expect(same_row).to_have_class(EDITING)
    expect(page).to_have_url(re.compile(r"/tasks$"))
    same_row.locator("input.edit").fill("   ")
    same_row.locator("input.edit").press("Enter")
    error = same_row.locator(".field-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Enter a title")
    # htmx has put focus back in the field (same id) as the error came in:
    # Escape at once, as a person would (the test below presses it sooner).
    expect(same_row.locator("input.edit")).to_be_focused()
    same_row.locator("input.edit").press("Escape")
    expect(error).to_have_count(0)
    expect(same_row).not_to_have_class(EDITING)
    expect(same_row.locator(".title")).to_have_text("Keep this title")
    page.reload()
    expect_titles(page, "Keep this title")


def test_escape_the_moment_a_refusal_appears_cancels(page, allow_console_errors):
    """Refused, the editor comes back with its error, and htmx puts focus back
    in its title field straight away (the field keeps its id). Its Cancel was
    wired up by htmx only when the swap settled, 20 ms later: an Escape before
    then did nothing and left the editor stuck open. Here Escape comes in the
    very next task after the swap, as a key press often does."""
    allow_console_errors(r"status of 422")
    add(page, "Keep this title")
    same_row = by_id(page, "Keep this title")
    same_row.locator(".title").click()
    edit = same_row.locator("input.edit")
    expect(edit).to_be_focused()
    page.evaluate("""() => document.addEventListener("htmx:afterSwap", function (event) {
      var field = event.target.querySelector && event.target.querySelector("input.edit[aria-invalid]");
      if (field) setTimeout(function () {
        field.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true }));
      }, 0);
    })""")
    edit.fill("   ")
    edit.press("Enter")
    expect(same_row).not_to_have_class(EDITING)
    expect(same_row.locator(".title")).to_have_text("Keep this title")
    expect(same_row.locator(".title")).to_be_focused()


def test_escape_in_the_editor_cancels_and_never_saves(page):
    """Escape is heard by the editor (cancel) and by the shortcuts (leave a
    field, which in the editor would save the change): only the cancel may act."""
    add(page, "Original")
    same_row = by_id(page, "Original")
    saves = []
    page.on("request", lambda request: request.method == "POST" and saves.append(request.url))
    for field in ("input.edit", "input[name=labels]", "input[name=repeat]"):
        same_row.locator(".title").click()
        expect(same_row).to_have_class(EDITING)
        same_row.locator("input.edit").fill("Changed")
        same_row.locator(field).press("Escape")
        expect(same_row).not_to_have_class(EDITING)
        expect(same_row.locator(".title")).to_have_text("Original")
        wait_idle(page)
    assert saves == [], f"Escape saved: {saves}"
    page.reload()
    expect_titles(page, "Original")


def test_toggle_updates_row_and_counter(page):
    add(page, "One", "Two")
    expect_count(page, "2 items left")
    toggle(page, "One")
    expect(row(page, "One")).to_have_class(COMPLETED)
    expect(row(page, "One").locator(".toggle")).to_have_attribute("aria-pressed", "true")
    expect_count(page, "1 item left")
    toggle(page, "One")
    expect(row(page, "One")).not_to_have_class(COMPLETED)
    expect_count(page, "2 items left")


def test_mark_all_and_reopen_all(page):
    add(page, "One", "Two", "Three")
    toggle(page, "Two")
    button = page.locator("#toggle-all")
    button.click()
    wait_idle(page)
    expect(page.locator("#task-list > li.task.completed")).to_have_count(3)
    expect_count(page, "0 items left")
    expect(button).to_have_attribute("aria-checked", "true")
    button.click()
    expect(page.locator("#task-list > li.task.completed")).to_have_count(0)
    expect_count(page, "3 items left")
    expect(button).to_have_attribute("aria-checked", "false")
    assert page.evaluate("window.__docketMarker") == "still here"


def test_delete_a_task(page):
    add(page, "Stay", "Go away")
    row(page, "Go away").locator("button.destroy").click()
    expect(row(page, "Go away")).to_have_count(0)
    expect_titles(page, "Stay")
    expect_count(page, "1 item left")
    row(page, "Stay").locator("button.destroy").click()
    expect(rows(page)).to_have_count(0)
    expect(page.locator("#task-footer")).to_be_hidden()
    expect(page.locator(".empty-state")).to_be_visible()


def test_clear_completed(page):
    add(page, "Done one", "Done two", "Still to do")
    clear = page.locator("button.clear-completed")
    expect(clear).to_be_hidden()
    toggle(page, "Done one")
    expect(clear).to_be_visible()
    expect(clear).to_have_text("Clear completed (1)")
    toggle(page, "Done two")
    expect(clear).to_have_text("Clear completed (2)")
    clear.click()
    expect_titles(page, "Still to do")
    expect(clear).to_be_hidden()
    expect_count(page, "1 item left")


def test_filters_push_the_url_and_back_restores(page):
    add(page, "Open task", "Finished task")
    toggle(page, "Finished task")
    expect_count(page, "1 item left")

    choose_filter(page, "Active", "/tasks?filter=active", "Open task")
    expect(page.locator("nav.filters [aria-current=page]")).to_have_text("Active")
    choose_filter(page, "Completed", "/tasks?filter=completed", "Finished task")
    choose_filter(page, "All", "/tasks", "Finished task", "Open task")

    page.go_back()
    expect_list(page, "/tasks?filter=completed", "Finished task")
    page.go_back()
    expect_list(page, "/tasks?filter=active", "Open task")
    page.go_forward()
    expect_list(page, "/tasks?filter=completed", "Finished task")


def test_completing_under_active_filter_removes_the_row(page):
    add(page, "First", "Second")
    choose_filter(page, "Active", "/tasks?filter=active", "Second", "First")
    toggle(page, "First")
    expect(row(page, "First")).to_have_count(0)
    expect_titles(page, "Second")
    expect_count(page, "1 item left")
    # A task added under the Active filter shows up there.
    add(page, "Third")
    expect_titles(page, "Third", "Second")


def test_keyboard_focus_survives_the_swaps(page):
    def press(locator, key):
        locator.focus()
        page.keyboard.press(key)
        wait_idle(page)  # (a swapped-in form is live once htmx has settled it)

    add(page, "One", "Two")
    press(row(page, "Two").locator(".toggle"), "Space")
    expect(row(page, "Two")).to_have_class(COMPLETED)
    expect(row(page, "Two").locator(".toggle")).to_be_focused()
    press(row(page, "Two").locator("button.destroy"), "Enter")
    expect(row(page, "Two")).to_have_count(0)
    expect(row(page, "One").locator(".toggle")).to_be_focused()  # the neighbouring row
    press(page.locator("#toggle-all"), "Enter")
    expect(page.locator("#toggle-all")).to_have_attribute("aria-checked", "true")
    expect(page.locator("#toggle-all")).to_be_focused()
    assert page.evaluate("window.__docketMarker") == "still here"


def test_typing_on_while_a_task_is_being_saved(page):
    """On a slow network the field empties at once; what is typed meanwhile is kept and sent."""
    release_next = hold_requests(page, "POST", "**/tasks")
    page.fill("#new-title", "First")
    page.press("#new-title", "Enter")
    expect(page.locator("#new-title")).to_have_value("")
    page.keyboard.type("Second")
    page.keyboard.press("Enter")  # while "First" is still on its way
    release_next()
    expect_titles(page, "First")
    release_next()
    page.keyboard.type("Thi")
    expect_titles(page, "Second", "First")
    expect(page.locator("#new-title")).to_have_value("Thi")
    expect(page.locator("#new-title")).to_be_focused()
    assert page.evaluate("window.__docketMarker") == "still here"


def test_a_failed_request_says_so(page, new_page, allow_console_errors):
    allow_console_errors(r"status of 404", r"Response Status Error Code 404")
    add(page, "Deleted elsewhere")
    other = new_page(storage_state=page.context.storage_state())
    other.goto("/tasks")
    row(other, "Deleted elsewhere").locator("button.destroy").click()
    expect(rows(other)).to_have_count(0)
    toggle(page, "Deleted elsewhere")
    expect(page.locator("#toast")).to_have_text("That task no longer exists. Reload the page to see the current list.")


def test_an_unreachable_server_keeps_the_typed_title(page, allow_console_errors):
    allow_console_errors(r"net::ERR_FAILED", r"console: htmx:(afterRequest|sendError)$")
    page.route("**/tasks", lambda route: route.abort() if route.request.method == "POST" else route.continue_())
    page.fill("#new-title", "Not lost")
    page.press("#new-title", "Enter")
    expect(page.locator("#toast")).to_contain_text("could not be reached")
    expect(page.locator("#new-title")).to_have_value("Not lost")
    expect(rows(page)).to_have_count(0)


def test_screenshots_light_and_dark(page, new_page, screenshot):
    add(page, "Renew passport", "Call the plumber about the kitchen tap", "Buy milk", "Book dentist", "Water plants")
    toggle(page, "Buy milk")
    toggle(page, "Water plants")
    expect_count(page, "3 items left")
    state = page.context.storage_state()
    sizes = {"desktop": dict(viewport={"width": 1280, "height": 800}),
             "phone": dict(viewport={"width": 360, "height": 900}, is_mobile=True, has_touch=True)}
    backgrounds = {}
    for scheme in ("light", "dark"):
        for size, options in sizes.items():
            shot = new_page(storage_state=state, color_scheme=scheme, **options)
            shot.goto("/tasks")
            expect(rows(shot)).to_have_count(5)
            expect(shot.locator("#task-list > li.task.completed")).to_have_count(2)
            width = shot.evaluate("document.documentElement.scrollWidth")
            assert width <= options["viewport"]["width"], f"{size}/{scheme} scrolls sideways ({width}px)"
            backgrounds[scheme] = shot.evaluate("getComputedStyle(document.body).backgroundColor")
            screenshot(shot, f"tasks-{size}-{scheme}", full_page=size == "desktop")
    assert backgrounds["light"] != backgrounds["dark"], "the dark colour scheme is not applied"


# With JavaScript off: every action is a plain form post answered by a 303
# back to the list under the same filter, then a full page.

def test_without_javascript_add_toggle_delete_filter(page_nojs):
    page = page_nojs
    register(page)
    add_plain(page, "Plain one")
    add_plain(page, "Plain two")
    expect_list(page, "/tasks", "Plain two", "Plain one")
    expect_count(page, "2 items left")

    choose_filter(page, "Active", "/tasks?filter=active", "Plain two", "Plain one")
    post_form(page, lambda: toggle(page, "Plain one"), "/tasks?filter=active")
    expect_titles(page, "Plain two")
    expect_count(page, "1 item left")

    add_plain(page, "Added under Active", "/tasks?filter=active")
    expect_titles(page, "Added under Active", "Plain two")

    choose_filter(page, "Completed", "/tasks?filter=completed", "Plain one")
    expect(row(page, "Plain one")).to_have_class(COMPLETED)
    post_form(page, lambda: toggle(page, "Plain one"), "/tasks?filter=completed")
    expect(rows(page)).to_have_count(0)

    choose_filter(page, "All", "/tasks", "Added under Active", "Plain two", "Plain one")
    post_form(page, lambda: row(page, "Plain one").locator("button.destroy").click(), "/tasks")
    expect(page.locator("#undo")).to_contain_text("Deleted “Plain one”.")  # with an Undo offer
    expect_titles(page, "Added under Active", "Plain two")

    post_form(page, lambda: page.locator("#toggle-all").click(), "/tasks")
    expect(page.locator("#task-list > li.task.completed")).to_have_count(2)
    post_form(page, lambda: page.locator("button.clear-completed").click(), "/tasks")
    expect(rows(page)).to_have_count(0)


def test_without_javascript_edit_on_the_task_page(page_nojs):
    page = page_nojs
    register(page)
    add_plain(page, "Old name")
    row(page, "Old name").get_by_role("link", name="Old name").click()
    expect(page).to_have_url(re.compile(r"/tasks/[0-9a-f-]{36}$"))
    page.fill("#title", "New name")
    post_form(page, lambda: page.get_by_role("button", name="Save").click(), "/tasks")
    expect(page.locator(".flash")).to_contain_text("Task saved.")
    expect_titles(page, "New name")
