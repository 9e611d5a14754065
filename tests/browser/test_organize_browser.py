"""Labels, repeats and subtasks in a real browser, JavaScript on and off: the
label filter from a row's label, completing a repeating task, subtasks on
the task page; how rows with labels and badges look on a phone and a desktop,
light and dark; and axe-core on the list and the task page."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from .conftest import add, add_any, assert_rows_fit_a_phone, expect_titles, register, row, rows, wait_idle
from .test_list_quality_browser import PHONE, serious_violations

JS = pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
FAR = 2031  # dates still ahead, so a repeat moves on from its due date


def organise(page, title, *, labels=None, repeat=None, due=None):
    """On the task's page, as a person does it: labels, repeat, due date, Save."""
    page.goto(row(page, title).locator(".title").get_attribute("href"))
    expect(page.locator("h1.task-heading")).to_have_text(title)
    if labels is not None:
        page.fill("#labels", labels)
    if repeat is not None:
        page.fill("#repeat", repeat)
    if due is not None:
        page.fill("#due_date", due.isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(re.compile(r"/tasks$"))
    expect(page.locator(".flash")).to_contain_text("Task saved.")


def label_chip(page, title, name):
    return row(page, title).locator(".labels a", has_text=re.compile(f"^{re.escape(name)}$"))


@JS
def test_filter_by_a_label_from_a_row(new_page, javascript):
    page = new_page(java_script_enabled=javascript)
    register(page)
    add_any(page, javascript, "Fix the tap", "Buy stamps", "Paint the fence")
    organise(page, "Fix the tap", labels="home")
    organise(page, "Paint the fence", labels="home, garden")
    expect(label_chip(page, "Paint the fence", "garden")).to_be_visible()
    expect(page.locator("#sidebar .nav-label", has_text="home").locator(".count")).to_have_text("2")

    label_chip(page, "Fix the tap", "home").click()
    expect(page).to_have_url(re.compile(r"/tasks\?label=home$"))
    expect(page.locator("#tasks-heading")).to_have_text("Label: home")
    expect_titles(page, "Paint the fence", "Fix the tap")
    expect(page.locator("#sidebar .nav-label", has_text="home")).to_have_attribute("aria-current", "page")
    # Combined with a filter: the label stays as the filter changes.
    page.locator("nav.filters").get_by_role("link", name="Active").click()
    expect(page).to_have_url(re.compile(r"label=home&filter=active$"))
    expect_titles(page, "Paint the fence", "Fix the tap")
    page.locator(".label-filter").click()
    expect(page).to_have_url(re.compile(r"/tasks\?filter=active$"))
    expect(rows(page)).to_have_count(3)
    expect(page.locator("#tasks-heading")).to_have_text("All tasks")


@JS
def test_complete_a_repeating_task(new_page, javascript):
    page = new_page(java_script_enabled=javascript)
    register(page)
    add_any(page, javascript, "Pay rent", "Call the bank")
    organise(page, "Pay rent", repeat="monthly", due=date(FAR, 1, 31))
    rent = row(page, "Pay rent")
    expect(rent.locator(".repeat")).to_have_text("Repeats: Monthly")
    rent_id = rent.get_attribute("id")

    rent.locator(".toggle").click()
    if javascript:
        wait_idle(page)
    else:
        expect(page.locator(".flash")).to_contain_text(f"next due 28 Feb {FAR}")
    moved = page.locator(f"#{rent_id}")
    # The row stays, open, on its next date; the completed copy is beside it.
    expect(moved).not_to_have_class(re.compile("completed"))
    expect(moved.locator("time.due")).to_have_text(f"28 Feb {FAR}")
    expect(moved.locator(".toggle")).to_have_attribute("aria-pressed", "false")
    copies = rows(page).filter(has_text="Pay rent").and_(page.locator("li.completed"))
    expect(copies).to_have_count(1)
    expect(copies.locator("time.due")).to_have_text(f"31 Jan {FAR}")
    expect(page.locator(".todo-count")).to_have_text("2 items left")

    page.locator("nav.filters").get_by_role("link", name="Completed").click()
    expect_titles(page, "Pay rent")
    expect(rows(page).locator("time.due")).to_have_text(f"31 Jan {FAR}")
    page.reload()
    page.locator("nav.filters").get_by_role("link", name="Active").click()
    expect(page.locator(f"#{rent_id} time.due")).to_have_text(f"28 Feb {FAR}")


@JS
def test_add_and_tick_subtasks_on_the_task_page(new_page, javascript):
    page = new_page(java_script_enabled=javascript)
    register(page)
    add_any(page, javascript, "Plan the trip")
    page.goto(row(page, "Plan the trip").locator(".title").get_attribute("href"))
    section = page.locator("#subtasks")
    for step in ("Renew passport", "Book flights"):
        page.fill("#subtask-title", step)
        page.press("#subtask-title", "Enter")
        expect(section.locator(".subtask .title", has_text=step)).to_be_visible()
        if javascript:
            expect(page.locator("#subtask-title")).to_be_focused()  # ready for the next one
            expect(page.locator("#subtask-title")).to_have_value("")
    expect(section.locator("h2 .progress")).to_have_text("done: 0/2")
    section.get_by_role("button", name="Done: Renew passport").click()
    expect(section.get_by_role("button", name="Done: Renew passport")).to_have_attribute("aria-pressed", "true")
    expect(section.locator("h2 .progress")).to_have_text("done: 1/2")
    expect(page).to_have_url(re.compile(r"/tasks/[0-9a-f-]{36}$"))  # still on the task's page

    page.get_by_role("link", name="← Back to tasks").click()
    expect_titles(page, "Plan the trip")  # subtasks are on their parent's page, not rows of the list
    expect(row(page, "Plan the trip").locator(".progress")).to_have_text("Subtasks done: 1/2")


@JS
def test_a_subtask_deleted_on_its_own_page_returns_to_its_parent_with_undo(new_page, screenshot, javascript):
    page = new_page(java_script_enabled=javascript)
    register(page)
    add_any(page, javascript, "Plan the trip")
    parent_url = row(page, "Plan the trip").locator(".title").get_attribute("href")
    page.goto(parent_url)
    page.fill("#subtask-title", "Book flights")
    page.press("#subtask-title", "Enter")
    section = page.locator("#subtasks")
    section.locator(".subtask .title", has_text="Book flights").click()
    expect(page.locator(".parent-line")).to_contain_text("Subtask of Plan the trip")

    page.get_by_role("button", name="Delete task").click()
    expect(page).to_have_url(re.compile(re.escape(parent_url) + "$"))  # back where the subtask was listed
    expect(page.locator("h1.task-heading")).to_have_text("Plan the trip")
    expect(section.locator(".subtask .title", has_text="Book flights")).to_have_count(0)
    expect(page.locator("#undo")).to_contain_text("Deleted “Book flights”.")
    if not javascript:
        # Not with JS on: a capture leaves style attributes on the page,
        # which htmx's next swap then copies, against the page's CSP.
        screenshot(page, "organize-subtask-deleted-undo")
    page.locator("#undo").get_by_role("button", name="Undo").click()
    expect(page).to_have_url(re.compile(re.escape(parent_url) + "$"))
    expect(section.locator(".subtask .title", has_text="Book flights")).to_be_visible()
    expect(page.locator(".flash")).to_contain_text("Restored 1 task.")


# -- how it looks, and axe ------------------------------------------------------------------------

def fill_an_organised_list(page):
    """Rows with labels, a repeat, subtask progress and a subtask shown in Today."""
    add(page, "Water the plants", "Pay the electricity bill", "Plan the summer trip to the coast with the kids",
        "Call mum")
    organise(page, "Call mum", labels="family")
    organise(page, "Water the plants", labels="home, garden", repeat="every 3 days", due=date.today())
    organise(page, "Pay the electricity bill", labels="bills, home", repeat="monthly", due=date(FAR, 1, 31))
    trip = row(page, "Plan the summer trip to the coast with the kids").locator(".title").get_attribute("href")
    organise(page, "Plan the summer trip to the coast with the kids", labels="travel, family, summer holidays 2031")
    page.goto(trip)
    for step in ("Renew passports", "Book the ferry", "Find a dog sitter"):
        page.fill("#subtask-title", step)
        page.press("#subtask-title", "Enter")
        expect(page.locator("#subtasks .subtask .title", has_text=step)).to_be_visible()
    page.locator("#subtasks").get_by_role("button", name="Done: Renew passports").click()
    expect(page.locator("#subtasks h2 .progress")).to_have_text("done: 1/3")
    return trip


@pytest.mark.parametrize("width", [360, 390])
def test_organised_rows_on_a_phone(page, new_page, screenshot, width):
    register(page)
    fill_an_organised_list(page)
    state = page.context.storage_state()
    for scheme in ("light", "dark"):
        phone = new_page(storage_state=state, viewport={"width": width, "height": 900}, color_scheme=scheme, **PHONE)
        phone.goto("/tasks")
        assert_rows_fit_a_phone(phone, 4, width)
        for index in range(4):
            task = rows(phone).nth(index)
            box = task.bounding_box()
            for badge in task.locator(".meta > *:not(.vh):not(.labels), .labels > a").all():
                badge_box = badge.bounding_box()
                assert badge_box["x"] + badge_box["width"] <= box["x"] + box["width"] + 0.5, "a badge sticks out"
        screenshot(phone, f"organize-phone-{width}-{scheme}", full_page=False)
    phone.goto("/tasks?label=home")
    expect(phone.locator("#tasks-heading")).to_have_text("Label: home")
    assert phone.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(phone, f"organize-phone-{width}-label", full_page=False)
    # The row's editor, with its labels and repeat, fits too.
    row(phone, "Pay the electricity bill").locator(".title").click()
    expect(phone.locator("input.labels-input")).to_have_value("bills, home")
    expect(phone.locator("input.repeat-input")).to_have_value("monthly")
    assert phone.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(phone, f"organize-phone-{width}-editor", full_page=False)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_organised_rows_and_the_task_page_on_the_desktop(new_page, screenshot, scheme):
    page = new_page(color_scheme=scheme)
    register(page)
    trip = fill_an_organised_list(page)
    page.goto("/tasks")
    first_badge = """meta => { for (const badge of meta.querySelectorAll("*")) {
        const box = badge.getBoundingClientRect();
        if (box.width && !badge.classList.contains("vh")) return Math.round(box.left); } }"""
    badges = {rows(page).nth(index).locator(".meta").evaluate(first_badge) for index in range(4)}
    titles = {round(rows(page).nth(index).locator(".title").bounding_box()["x"]) for index in range(4)}
    # The badges line up under the titles, whatever each row holds.
    assert badges == titles and len(titles) == 1, (badges, titles)
    screenshot(page, f"organize-desktop-{scheme}")
    page.goto("/tasks?view=today")
    expect(row(page, "Water the plants")).to_be_visible()
    screenshot(page, f"organize-desktop-today-{scheme}")
    page.goto(trip)
    screenshot(page, f"organize-task-page-{scheme}")
    page.goto(page.locator("#subtasks .subtask .title", has_text="Book the ferry").get_attribute("href"))
    expect(page.locator(".parent-line")).to_contain_text("Subtask of Plan the summer trip")
    screenshot(page, f"organize-subtask-page-{scheme}")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_on_organised_rows_and_the_task_page(new_page, allow_console_errors, scheme):
    allow_console_errors(r"status of 422")  # the empty subtask, refused on purpose
    page = new_page(color_scheme=scheme)
    register(page)
    trip = fill_an_organised_list(page)
    page.goto("/tasks")
    problems = {"list": serious_violations(page)}
    page.goto("/tasks?label=home")
    problems["label"] = serious_violations(page)
    page.goto("/tasks?view=today")
    problems["today (a subtask beside its parent)"] = serious_violations(page)
    page.goto("/tasks")
    row(page, "Pay the electricity bill").locator(".title").click()
    expect(page.locator("input.labels-input")).to_be_visible()
    problems["editor"] = serious_violations(page)
    page.goto(trip)
    problems["task page"] = serious_violations(page)
    page.fill("#subtask-title", "")
    page.press("#subtask-title", "Enter")
    expect(page.locator("#subtask-title-error")).to_be_visible()
    problems["task page, refused subtask"] = serious_violations(page)
    assert not any(problems.values()), problems
