"""An action from a page whose session has ended elsewhere leads to the login
page with a reason, not to "That request was refused"."""

import pytest

from conftest import HTMX
from test_tasks_htmx import add_tasks


@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_a_post_after_logging_out_elsewhere_goes_to_the_login_page(app, client, user, headers):
    [task_id] = add_tasks(app, user)
    stale_token = client.csrf_token()
    client.post("/auth/logout")  # another tab: the cookie now holds no session or token

    response = client.post(f"/tasks/{task_id}/toggle", data={"csrf_token": stale_token}, headers=headers)

    if headers:
        assert response.status_code == 401
        assert response.headers["HX-Redirect"].startswith("/auth/login")
        login_url = response.headers["HX-Redirect"]
    else:
        assert response.status_code == 303
        login_url = response.headers["Location"]
    page = client.get(login_url).get_data(as_text=True)
    assert "Your session has ended. Please log in again." in page
    assert "That request was refused" not in page


def test_a_bad_token_while_logged_in_is_still_refused(app, client, user):
    [task_id] = add_tasks(app, user)
    response = client.post(f"/tasks/{task_id}/toggle", data={"csrf_token": "forged"}, headers=HTMX)
    assert response.status_code == 400


def test_a_stale_login_form_is_refused_as_before(app, client):
    response = client.post("/auth/login", data={"email": "a@example.com", "password": "x", "csrf_token": "stale"})
    assert response.status_code == 400
