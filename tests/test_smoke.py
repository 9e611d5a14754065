def test_landing_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Docket" in response.data


def test_register_then_tasks(client, user):
    response = client.get("/tasks")
    assert response.status_code == 200
    assert b'id="todo-count">0<' in response.data
