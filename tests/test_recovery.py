"""When the database goes away, pages answer 503; when it is back, the app
recovers by itself, without a restart."""

import socket
import threading

import sqlalchemy as sa

from conftest import make_app
from webapp.extensions import db


class LoopbackProxy:
    """A TCP relay on 127.0.0.1 that can be cut and restored, standing in for a database restart."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = None
        self.sockets: list[socket.socket] = []
        self.listener = None

    def start(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port or 0))
        self.port = self.listener.getsockname()[1]
        self.listener.listen(16)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def stop(self):
        for sock in [self.listener, *self.sockets]:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self.sockets.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def test_postgres_outage_gives_503_then_recovers(postgres_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKET_INSTANCE_PATH", str(tmp_path))
    url = sa.engine.make_url(postgres_url)
    proxy = LoopbackProxy(url.port or 5432)
    proxy.start()
    relayed = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app = make_app(relayed, WTF_CSRF_ENABLED=False)
    with app.app_context():
        db.create_all()
    client = app.test_client()
    try:
        assert client.get("/readyz").status_code == 200
        proxy.stop()
        assert client.get("/readyz").status_code == 503
        down = client.post("/auth/login", data={"email": "a@example.com", "password": "x" * 10})
        assert down.status_code == 503 and b"Temporarily unavailable" in down.data
        proxy.start()  # the database is back, on the same address
        assert client.get("/readyz").status_code == 200
        back = client.post("/auth/login", data={"email": "a@example.com", "password": "x" * 10})
        assert back.status_code == 422  # a real answer again: no such account
    finally:
        proxy.stop()
        with app.app_context():
            db.engine.dispose()


def test_sqlite_file_appearing_later_is_picked_up(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKET_INSTANCE_PATH", str(tmp_path / "instance"))
    folder = tmp_path / "not-yet"
    app = make_app("sqlite:///" + str(folder / "docket.sqlite3"), WTF_CSRF_ENABLED=False)
    client = app.test_client()
    assert client.get("/readyz").status_code == 503
    response = client.post("/auth/login", data={"email": "a@example.com", "password": "x" * 10})
    assert response.status_code == 503 and b"Temporarily unavailable" in response.data
    folder.mkdir()
    with app.app_context():
        db.create_all()
    assert client.get("/readyz").status_code == 200
    again = client.post("/auth/login", data={"email": "a@example.com", "password": "x" * 10})
    assert again.status_code == 422
    with app.app_context():
        db.engine.dispose()

