"""The list page's weight on the wire: small HTML, compressed, one CSRF token
whatever the number of rows, and static files cached for good under versioned URLs."""

import gzip
import os
import re

import pytest
import sqlalchemy as sa

from conftest import HTMX, count_statements
from test_tasks_htmx import add_tasks
from webapp.extensions import db
from webapp.models import Task

BENCH_TITLE = "Task number {} <b>&</b>"  # as in ../shared/bench/list_vs_ceiling.py


def give_priorities(app, user):
    with app.app_context():
        db.session.execute(sa.update(Task).where(Task.user_id == user.id).values(priority=3))
        db.session.commit()


def test_the_first_page_of_fifty_rows_is_at_most_40_kb(app, client, user):
    add_tasks(app, user, 60, title=BENCH_TITLE)
    give_priorities(app, user)

    body = client.get("/tasks").get_data()

    assert body.count(b'<li id="task-') == 50
    assert len(body) <= 40 * 1024, f"{len(body)} bytes"


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_pages_are_compressed_when_the_client_accepts_it(app, client, user, encoding):
    add_tasks(app, user, 60, title=BENCH_TITLE)
    plain = client.get("/tasks").get_data()

    response = client.get("/tasks", headers={"Accept-Encoding": encoding})

    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"] and "HX-Request" in response.headers["Vary"]
    wire = response.get_data()
    assert len(wire) <= 10 * 1024, f"{len(wire)} bytes on the wire"
    if encoding == "gzip":
        rows = re.compile(rb'<li id="task-[^"]+"')
        assert rows.findall(gzip.decompress(wire)) == rows.findall(plain) and len(rows.findall(plain)) == 50


def test_fragments_are_compressed_too(app, client, user):
    add_tasks(app, user, 120)
    first = client.get("/tasks").get_data(as_text=True)
    more = re.search(r'href="(/tasks\?after=[^"]+)"', first).group(1).replace("&amp;", "&")

    response = client.get(more, headers={**HTMX, "Accept-Encoding": "gzip"})

    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.get_data()).count(b'<li id="task-') == 50


@pytest.mark.parametrize("count", [3, 60])
def test_one_csrf_token_per_page_whatever_the_number_of_rows(app, client, user, count):
    add_tasks(app, user, count)

    page = client.get("/tasks").get_data(as_text=True)

    # The meta tag, <main>'s copy for htmx, and the forms a person can post
    # without JavaScript (log out, add, the list form, the sidebar's new
    # list): never one per row.
    assert page.count('name="csrf_token"') == 4
    assert page.count("<form") == 5  # log out, add, search/sort, the list form, new list
    rows = page.split('id="task-list"')[1].split("</ul>")[0]
    assert "<form" not in rows and "csrf" not in rows and "<select" not in rows


def test_the_list_page_costs_three_statements_whatever_the_number_of_tasks(app, client, user):
    """The logged-in user, the sidebar with the view's counts riding along, then one page of tasks."""
    counts = []
    for more in (5, 145):
        add_tasks(app, user, more)
        with count_statements(app) as statements:
            assert client.get("/tasks?q=Task&sort=priority").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 3, counts
    with count_statements(app) as statements:
        client.get("/tasks?q=nothing-matches-this")
    assert len(statements) <= 3  # an empty page costs the same: its counts come with the sidebar


def test_static_files_have_versioned_urls_cached_for_a_year(app, client, user):
    page = client.get("/tasks").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert urls and all(re.search(r"\?v=[0-9a-f]{12}$", url) for url in urls), urls

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        response.close()
    unversioned = client.get("/static/app.css")
    assert "immutable" not in unversioned.headers.get("Cache-Control", "")
    unversioned.close()


def test_a_changed_file_gets_a_new_version(tmp_path):
    from webapp.assets import file_version

    target = tmp_path / "app.css"
    target.write_text("body { color: red }")
    before = file_version(str(tmp_path), "app.css")
    target.write_text("body { color: blue }")
    os.utime(target, (1, 1))  # a new modification time, as an edit gives
    assert file_version(str(tmp_path), "app.css") != before
    assert file_version(str(tmp_path), "missing.css") is None


def test_there_is_a_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    icon = client.get(response.headers["Location"])
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    icon.close()
