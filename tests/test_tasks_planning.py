"""Due dates and priorities: stored, shown, validated, judged in the user's time zone."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Task, User

from conftest import HTMX


def only_task(app):
    with app.app_context():
        return db.session.scalars(sa.select(Task)).one()


def test_create_with_due_date_and_priority(app, client, user):
    response = client.post("/tasks", data={"title": "Pay rent", "due_date": "2031-01-05", "priority": "high"})
    assert response.status_code == 303
    task = only_task(app)
    assert (task.due_date, task.priority) == (date(2031, 1, 5), 3)
    page = client.get("/tasks").get_data(as_text=True)
    assert 'datetime="2031-01-05"' in page and 'class="priority p3"' in page


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("due_date", "2031-02-30", "real date"),
        ("due_date", "tomorrow", "real date"),
        ("due_date", "1066-10-14", "after the year 1900"),
        ("priority", "urgent", "Choose a priority"),
        ("priority", "7", "Choose a priority"),
    ],
)
def test_bad_dates_and_priorities_are_refused(app, client, user, field, value, message):
    response = client.post("/tasks", data={"title": "Something", field: value})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Task.id))) == 0


def test_bad_priority_over_htmx_returns_form_with_error(app, client, user):
    response = client.post("/tasks", data={"title": "x", "priority": "urgent"}, headers=HTMX)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Choose a priority" in body and 'id="new-task"' in body and 'hx-swap-oob="true"' in body


def test_update_due_date_and_priority_then_clear_them(app, client, user):
    client.post("/tasks", data={"title": "Plan trip"})
    task = only_task(app)
    response = client.post(f"/tasks/{task.id}", data={"due_date": "2030-06-01", "priority": "2"})
    assert response.status_code == 303
    assert (only_task(app).due_date, only_task(app).priority) == (date(2030, 6, 1), 2)
    client.post(f"/tasks/{task.id}", data={"due_date": "", "priority": "none"})
    assert (only_task(app).due_date, only_task(app).priority) == (None, 0)


def test_overdue_and_today_follow_the_users_time_zone(app, client, user):
    """"Today" is the user's today, not the server's: pick a zone whose date differs from UTC's now."""
    utc_today = datetime.now(ZoneInfo("UTC")).date()
    zone = next(z for z in ("Pacific/Kiritimati", "Pacific/Pago_Pago") if datetime.now(ZoneInfo(z)).date() != utc_today)
    with app.app_context():
        db.session.get(User, user.id).timezone = zone
        db.session.commit()
    today = datetime.now(ZoneInfo(zone)).date()
    client.post("/tasks", data={"title": "due today", "due_date": today.isoformat()})
    client.post("/tasks", data={"title": "overdue", "due_date": (today - timedelta(days=1)).isoformat()})
    client.post("/tasks", data={"title": "later", "due_date": (today + timedelta(days=1)).isoformat()})
    page = client.get("/tasks").get_data(as_text=True)
    assert page.count('class="due today"') == 1 and page.count('class="due overdue"') == 1
    assert page.count('class="due upcoming"') == 1
    assert f'due today" datetime="{today.isoformat()}"' in page


def test_completing_records_when_and_reopening_clears_it(app, client, user):
    client.post("/tasks", data={"title": "Done soon"})
    task = only_task(app)
    client.post(f"/tasks/{task.id}/toggle")
    assert only_task(app).completed_at is not None
    client.post(f"/tasks/{task.id}/toggle")
    assert only_task(app).completed_at is None


@pytest.mark.parametrize("offered, stored", [("Asia/Tokyo", "Asia/Tokyo"), ("Mars/Olympus", "UTC"), ("", "UTC")])
def test_sign_up_takes_the_browsers_time_zone_when_it_is_a_real_one(app, client, offered, stored):
    response = client.post("/auth/register", data={
        "email": "tz@example.com", "password": "long enough pw", "password_confirm": "long enough pw", "timezone": offered,
    })
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(User.timezone).where(User.email == "tz@example.com")) == stored
