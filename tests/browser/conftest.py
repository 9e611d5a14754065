"""Real-browser fixtures: a live Docket server and headless Chromium.

Every test in this folder is marked ``browser``. Without /usr/bin/chromium
the tests are skipped, unless DOCKET_REQUIRE_BROWSER=1 (CI), where they fail.
A test fails when its page logs a console error, a CSP violation or an
uncaught exception; a test that provokes an expected error (say a 422) names
it with ``allow_console_errors``.
"""

import os
import re
import threading
import time
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import WSGIRequestHandler, make_server

try:  # the suite's root conftest, already imported by pytest as ``conftest``
    from conftest import PASSWORD, Mailbox, make_app
except ImportError:  # pragma: no cover - if tests/ ever becomes a package
    from tests.conftest import PASSWORD, Mailbox, make_app

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SCREENSHOT_DIR = Path(os.environ.get("DOCKET_SCREENSHOT_DIR") or REPO / "test-artifacts" / "screenshots")
CONSOLE_ERRORS = pytest.StashKey[list]()
ALLOWED_ERRORS = pytest.StashKey[list]()
_screenshots_taken: list[Path] = []


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail the test itself (not its teardown) on any unexpected browser error."""
    result = yield
    allowed = item.stash.get(ALLOWED_ERRORS, [])
    errors = [e for e in item.stash.get(CONSOLE_ERRORS, []) if not any(re.search(p, e) for p in allowed)]
    if errors:
        pytest.fail("the page reported errors:\n  " + "\n  ".join(errors))
    return result


def pytest_terminal_summary(terminalreporter):
    if _screenshots_taken:
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(f"{len(_screenshots_taken)} screenshots in {SCREENSHOT_DIR}")


class QuietRequestHandler(WSGIRequestHandler):
    """No access log per request (errors are still logged)."""

    def log_request(self, *args, **kwargs):
        pass


class Latency:
    """A slow network, for the tests that ask for one: a context that sends
    ``X-Test-Delay-Ms`` has each of its requests held that long before the
    app sees it (the server is threaded, so requests overlap as on a real
    network). Test-only: this wrapper exists nowhere but here."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        delay = environ.get("HTTP_X_TEST_DELAY_MS")
        if delay:
            time.sleep(int(delay) / 1000)
        return self.app(environ, start_response)


@pytest.fixture(scope="session")
def mailbox():
    """The live server's mail server (aiosmtpd on loopback): what Docket sends lands here."""
    server = Mailbox()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, mailbox):
    """Docket on a free local port, on its own SQLite file, for the whole run."""
    from webapp.extensions import db

    folder = tmp_path_factory.mktemp("browser-server")
    previous = os.environ.get("DOCKET_INSTANCE_PATH")
    os.environ["DOCKET_INSTANCE_PATH"] = str(folder / "instance")
    try:
        app = make_app("sqlite:///" + str(folder / "docket.sqlite3"), LOGIN_RATE_LIMIT="1000 per minute", SIGNUP_RATE_LIMIT="1000 per minute",
                       FORGOT_RATE_LIMIT="1000 per minute")
    finally:
        if previous is None:
            os.environ.pop("DOCKET_INSTANCE_PATH", None)
        else:
            os.environ["DOCKET_INSTANCE_PATH"] = previous
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, Latency(app), threaded=True, request_handler=QuietRequestHandler)
    app.config.update(SMTP=mailbox.settings(), MAIL_FROM="Docket <docket@example.com>",
                      DOCKET_BASE_URL=f"http://127.0.0.1:{server.server_port}")
    thread = threading.Thread(target=server.serve_forever, name="docket-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def playwright_instance():
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is not installed"
        if os.environ.get("DOCKET_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_page(request, browser, live_server):
    """Make pages in fresh contexts; every console error is recorded against the test."""
    errors = request.node.stash.setdefault(CONSOLE_ERRORS, [])
    contexts = []

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 800})
        context = browser.new_context(base_url=live_server, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda msg: msg.type == "error" and errors.append(f"console: {msg.text}"))
        page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A page with JavaScript on."""
    return new_page()


@pytest.fixture
def page_nojs(new_page):
    """A page with JavaScript off: plain links, plain form posts."""
    return new_page(java_script_enabled=False)


@pytest.fixture
def allow_console_errors(request):
    """Call with regular expressions for console errors a test expects."""

    def allow(*patterns):
        request.node.stash.setdefault(ALLOWED_ERRORS, []).extend(patterns)

    return allow


def unique_email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@example.com"


def register(page, email=None, password=PASSWORD) -> str:
    """Sign up a fresh user through the form; the browser lands on /tasks."""
    email = email or unique_email()
    page.goto("/auth/register")
    page.fill("#email", email)
    page.fill("#password", password)
    page.fill("#password_confirm", password)
    page.click("form[action$='/auth/register'] button[type=submit]")
    page.wait_for_url("**/tasks")
    return email


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under the screenshot folder."""

    def take(page, name: str, full_page: bool = True) -> Path:
        # Phones: pass full_page=False with a tall viewport. Chromium's
        # full-page capture under mobile emulation lays the page out again
        # at another size, so it would not show what a phone shows.
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        _screenshots_taken.append(path)
        return path

    return take


# Task list helpers

def rows(page):
    return page.locator("#task-list > li.task")


def row(page, title):
    title_is = page.locator(".title", has_text=re.compile(f"^{re.escape(title)}$"))
    return rows(page).filter(has=title_is)


def add(page, *titles):
    for title in titles:
        page.fill("#new-title", title)
        page.press("#new-title", "Enter")
        expect(row(page, title)).to_have_count(1)
        expect(page.locator("#new-title")).to_have_value("")
        wait_idle(page)


def add_any(page, javascript, *titles, due=None):
    """Add tasks with JavaScript on (``add``) or off (a plain post and a new page)."""
    for title in titles:
        if due:
            page.fill("#new-due", due.isoformat())
        if javascript:
            add(page, title)
        else:
            page.fill("#new-title", title)
            page.press("#new-title", "Enter")
            expect(row(page, title)).to_have_count(1)


def assert_rows_fit_a_phone(phone, count: int, width: int) -> None:
    """No sideways scroll; each row inside the screen, a few lines tall at
    most, its title keeping most of the width (never squeezed into a letter
    a line beside its badges)."""
    expect(rows(phone)).to_have_count(count)
    assert phone.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    for index in range(count):
        task = rows(phone).nth(index)
        box, title = task.bounding_box(), task.locator(".title").bounding_box()
        assert box["width"] <= width and box["x"] >= 0
        assert box["height"] <= 170, f"row {index} is {box['height']}px tall at {width}px"
        assert title["width"] >= width * 0.55, f"row {index}'s title is {title['width']}px wide"


def wait_idle(page):
    """Wait until htmx has no request in flight and has settled every swap."""
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")).to_have_count(0)


def toggle(page, title):
    row(page, title).locator(".toggle").click()
    wait_idle(page)


def expect_count(page, text):
    expect(page.locator(".todo-count")).to_have_text(text)  # white space is normalised


def expect_titles(page, *titles):
    expect(rows(page).locator(".title")).to_have_text(list(titles))


def post_form(page, action, expected_path):
    """Run ``action`` (which submits a form) and check the 303 and where it leads."""
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        action()
    response = info.value
    assert "hx-request" not in response.request.headers, "an HTMX request, not a plain form post"
    assert response.status == 303, f"{response.url} answered {response.status}"
    assert response.headers["location"].endswith(expected_path), response.headers["location"]
    page.wait_for_url(f"**{expected_path}")


def expect_list(page, url_end, *titles):
    """The address ends with ``url_end`` and the list shows exactly ``titles``."""
    expect(page).to_have_url(re.compile(re.escape(url_end) + "$"))
    expect_titles(page, *titles)


def choose_filter(page, label, url_end, *titles):
    page.locator("nav.filters").get_by_role("link", name=label).click()
    expect_list(page, url_end, *titles)


def by_id(page, title):
    """The row of ``title``, found again by its id after its title changes."""
    return page.locator("#" + row(page, title).get_attribute("id"))


def add_plain(page, title, list_path="/tasks"):
    page.fill("#new-title", title)
    post_form(page, lambda: page.press("#new-title", "Enter"), list_path)


def hold_requests(page, method, url_glob):
    """Hold matching requests (a slow network); returns a function that lets the next one go."""
    held = []
    page.route(url_glob, lambda route: held.append(route) if route.request.method == method else route.continue_())

    def release_next():
        for _ in range(250):
            if held:
                return held.pop(0).continue_()
            page.wait_for_timeout(20)
        raise AssertionError(f"no {method} {url_glob} request was sent")

    return release_next
