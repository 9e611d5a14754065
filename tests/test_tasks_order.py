"""Manual order: sparse positions, one row per move, buttons and drag and drop."""

import uuid

import sqlalchemy as sa

from conftest import HTMX, AuthActions
from webapp.extensions import db
from webapp.models import Task


def order(app, user_id):
    with app.app_context():
        rows = db.session.execute(
            sa.select(Task.title, Task.position).where(Task.user_id == user_id).order_by(Task.position, Task.id)
        ).all()
    return [title for title, _ in rows], {title: position for title, position in rows}


def ids(app):
    with app.app_context():
        return {t.title: t.id for t in db.session.scalars(sa.select(Task))}


def add(client, *titles):
    for title in titles:
        assert client.post("/tasks", data={"title": title}).status_code == 303


def test_new_tasks_go_on_top_and_the_page_shows_my_order(app, client, user):
    add(client, "a", "b", "c")
    assert order(app, user.id)[0] == ["c", "b", "a"]
    page = client.get("/tasks?sort=manual").get_data(as_text=True)
    assert page.index(">c<") < page.index(">b<") < page.index(">a<")
    assert "Move up: c" in page and "drag-handle" in page
    assert "Move up" not in client.get("/tasks").get_data(as_text=True)


def test_moving_up_and_down_rewrites_one_row(app, client, user):
    add(client, "a", "b", "c", "d")  # order: d c b a
    task = ids(app)
    _, before = order(app, user.id)
    response = client.post(f"/tasks/{task['b']}/move", data={"direction": "up", "sort": "manual"})
    assert response.status_code == 303 and response.headers["Location"] == "/tasks?sort=manual"
    titles, after = order(app, user.id)
    assert titles == ["d", "b", "c", "a"]
    assert {t for t in after if after[t] != before[t]} == {"b"}
    client.post(f"/tasks/{task['d']}/move", data={"direction": "down"})
    assert order(app, user.id)[0] == ["b", "d", "c", "a"]
    client.post(f"/tasks/{task['b']}/move", data={"direction": "up"})  # already first: nothing moves
    assert order(app, user.id)[0] == ["b", "d", "c", "a"]


def test_drag_and_drop_puts_a_task_after_another(app, client, user):
    add(client, "a", "b", "c", "d")  # d c b a
    task = ids(app)
    response = client.post(f"/tasks/{task['d']}/move", data={"after": str(task["b"])}, headers=HTMX)
    assert response.status_code == 204
    assert order(app, user.id)[0] == ["c", "b", "d", "a"]
    client.post(f"/tasks/{task['a']}/move", data={"after": ""}, headers=HTMX)
    assert order(app, user.id)[0] == ["a", "c", "b", "d"]


def test_move_buttons_over_htmx_return_the_list_section(app, client, user):
    add(client, "a", "b")
    task = ids(app)
    response = client.post(f"/tasks/{task['a']}/move", data={"direction": "up", "sort": "manual"},
                           headers={**HTMX, "HX-Target": "task-section"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="task-section"' in body and "<html" not in body
    assert body.index(">a<") < body.index(">b<")


def test_when_neighbours_touch_positions_are_spread_out(app, client, user):
    add(client, "a", "b", "c")  # c b a
    task = ids(app)
    with app.app_context():
        for title, position in {"c": 0, "b": 1, "a": 2}.items():
            db.session.get(Task, task[title]).position = position
        db.session.commit()
    client.post(f"/tasks/{task['a']}/move", data={"after": str(task["c"])}, headers=HTMX)
    titles, positions = order(app, user.id)
    assert titles == ["c", "a", "b"]
    assert len(set(positions.values())) == 3


def test_order_survives_adding_and_removing(app, client, user):
    add(client, "a", "b", "c")  # c b a
    task = ids(app)
    client.post(f"/tasks/{task['a']}/move", data={"after": ""}, headers=HTMX)  # a c b
    add(client, "d")  # d a c b
    client.post(f"/tasks/{task['c']}/delete")
    assert order(app, user.id)[0] == ["d", "a", "b"]


def test_moves_naming_other_peoples_tasks_change_nothing(app, client, user):
    add(client, "mine")
    mine = ids(app)["mine"]
    AuthActions(client).logout()
    AuthActions(client).register(email="eve@example.com")
    add(client, "hers")
    hers = ids(app)["hers"]
    assert client.post(f"/tasks/{mine}/move", data={"direction": "up"}).status_code == 404
    assert client.post(f"/tasks/{hers}/move", data={"after": str(mine)}, headers=HTMX).status_code == 404
    assert client.post(f"/tasks/{hers}/move", data={"after": "not-a-uuid"}).status_code == 404
    assert client.post(f"/tasks/{hers}/move", data={"after": str(uuid.uuid4())}).status_code == 404
    assert client.post(f"/tasks/{hers}/move", data={"direction": "sideways"}).status_code == 400
    assert order(app, user.id)[0] == ["mine"]
