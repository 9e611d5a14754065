"""Several hosts act as one: the real topology, started for this module.

nginx (configured from deploy/nginx.conf.example, the file operators copy)
round-robins over two gunicorn instances that share one throw-away
PostgreSQL database, one Redis for the log-in counts, one SECRET_KEY and
DOCKET_TRUSTED_PROXIES=1. Each "person" below is a requests.Session whose
connections leave from its own loopback address (127.0.0.x), so nginx sees
different clients exactly as it would on a network and writes their address
into X-Forwarded-For itself; no test-only header decides who is who.

Without nginx the module is skipped, unless DOCKET_REQUIRE_NGINX=1 (CI),
where it fails; PostgreSQL and Redis follow DOCKET_REQUIRE_POSTGRES/_REDIS.
"""

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from requests.adapters import HTTPAdapter

from conftest import CSRF_META, PASSWORD, create_postgres_database, drop_postgres_database, redis_or_skip

REPO = Path(__file__).resolve().parent.parent
SNIPPET = REPO / "deploy" / "nginx.conf.example"
BIN = Path(sys.executable).parent  # the venv's flask and gunicorn
REDIS_URL = "redis://127.0.0.1:6379/11"
LIMIT = 5  # LOGIN_RATE_LIMIT below: small, so the lock-out needs few (slow, hashed) attempts
START_DEADLINE = 30.0  # seconds for a process to answer /healthz
UPSTREAM_HEADER = "X-Docket-Upstream"  # test-only: which instance answered through nginx
BATCH_FIELD = re.compile(r'<input type="hidden" name="batch" value="([0-9a-f]+)"')
TASK_ROW = re.compile(r'<li id="task-([0-9a-f-]{36})"')


def nginx_binary() -> str:
    # /usr/sbin is not on every PATH (a non-root shell), and Debian puts nginx there.
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if found:
        return found
    message = "nginx is not installed (apt-get install nginx)"
    if os.environ.get("DOCKET_REQUIRE_NGINX") == "1":
        pytest.fail(message)
    pytest.skip(message)


def free_ports(count: int) -> list[int]:
    """Ports nobody listens on; held open together, so the kernel hands out different ones."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def nginx_config(root: Path, listen: int, upstreams: list[int]) -> str:
    """The operators' snippet with only its addresses changed, inside a self-contained http block.

    Each replacement must match exactly as often as expected: if the snippet
    changes shape, this test says so instead of quietly testing something else."""
    snippet = SNIPPET.read_text()
    servers = re.findall(r"^[ \t]*server[ \t]+[\d.]+:\d+;[ \t]*$", snippet, re.M)
    assert len(servers) == len(upstreams), f"expected {len(upstreams)} upstream servers in {SNIPPET}"
    for line, port in zip(servers, upstreams):
        snippet = snippet.replace(line, f"    server 127.0.0.1:{port};", 1)
    snippet, listens = re.subn(r"^([ \t]*)listen 80;", rf"\g<1>listen 127.0.0.1:{listen};", snippet, flags=re.M)
    assert listens == 1, f"expected one 'listen 80;' in {SNIPPET}"
    # Everything nginx writes stays in root, nothing under /var. Responses
    # are small and never spooled to disk: under root, nginx's workers run
    # as nobody, who cannot enter pytest's private temporary folder.
    temp = "\n".join(f"    {kind}_temp_path {root}/{kind}_temp;" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""worker_processes 1;
events {{ worker_connections 64; }}
http {{
{temp}
    proxy_max_temp_file_size 0;
    log_format hosts '$remote_addr "$request" $status upstream=$upstream_addr';
    access_log {root}/access.log hosts;
    add_header {UPSTREAM_HEADER} $upstream_addr always;

{snippet}
}}
"""


class SourceAddress(HTTPAdapter):
    """Open connections from one loopback address: a separate client to nginx."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Hosts:
    """The running topology and a tally of who answered what."""

    def __init__(self, nginx_url: str, instances: dict[str, str]):
        self.nginx = nginx_url
        self.instances = instances  # name -> base URL
        self.by_port = {url.rsplit(":", 1)[1]: name for name, url in instances.items()}
        self.served = Counter()  # (instance, "nginx" | "direct") -> requests
        self.notes: list[str] = []
        self.browsers: list[Browser] = []

    def browser(self, address: str) -> "Browser":
        self.browsers.append(Browser(self, address))
        return self.browsers[-1]

    def email(self, who: str) -> str:
        return f"{who}-{uuid.uuid4().hex[:8]}@example.com"

    def served_by(self, response: requests.Response, base: str) -> str:
        if base != self.nginx:
            return self.by_port[base.rsplit(":", 1)[1]]
        upstream = response.headers.get(UPSTREAM_HEADER)
        assert upstream, f"nginx did not say which instance answered {response.request.method} {response.url}"
        # "a, b" when nginx had to try a second instance: the last one answered.
        return self.by_port[upstream.split(",")[-1].strip().rsplit(":", 1)[1]]


class Browser:
    """One person: cookies, the latest CSRF token, and a loopback address of their own."""

    def __init__(self, hosts: Hosts, address: str):
        self.hosts = hosts
        self.address = address
        self.csrf = None
        self.http = requests.Session()
        self.http.trust_env = False  # never route loopback through a proxy from the environment
        self.http.mount("http://", SourceAddress(address))

    def request(self, method: str, base: str, path: str, data=None, headers=None, htmx=False):
        headers = dict(headers or {})
        if base != self.hosts.nginx:
            # Straight to an instance: send what nginx would have added.
            headers.setdefault("X-Forwarded-For", self.address)
            headers.setdefault("X-Forwarded-Proto", "http")
        if method == "POST":
            if htmx:
                headers.update({"HX-Request": "true", "X-CSRFToken": self.csrf})
            else:
                data = {**(data or {}), "csrf_token": self.csrf}
        response = self.http.request(method, base + path, data=data, headers=headers, allow_redirects=False, timeout=15)
        response.served_by = self.hosts.served_by(response, base)
        self.hosts.served[response.served_by, "nginx" if base == self.hosts.nginx else "direct"] += 1
        token = CSRF_META.search(response.text)
        if token:
            self.csrf = token.group(1)
        return response

    def get(self, base: str, path: str, **kwargs):
        return self.request("GET", base, path, **kwargs)

    def post(self, base: str, path: str, data=None, **kwargs):
        return self.request("POST", base, path, data=data, **kwargs)

    def sign_up(self, email: str) -> None:
        assert self.get(self.hosts.nginx, "/auth/register").status_code == 200
        form = {"email": email, "password": PASSWORD, "password_confirm": PASSWORD}
        response = self.post(self.hosts.nginx, "/auth/register", form)
        assert response.status_code == 303, explain(response)
        assert response.headers["Location"].endswith("/tasks")
        self.follow(response)

    def follow(self, response: requests.Response) -> None:
        """Load the page a 303 leads to, as a browser would: a fresh session
        (after log-in) brings a fresh CSRF token with it."""
        assert self.get(self.hosts.nginx, urlsplit(response.headers["Location"]).path).status_code == 200

    def log_in(self, email: str, password: str = PASSWORD, base: str | None = None) -> requests.Response:
        """Log in through nginx, or straight through one instance (``base``)."""
        base = base or self.hosts.nginx
        if self.csrf is None:
            assert self.get(base, "/auth/login").status_code == 200
        response = self.post(base, "/auth/login", {"email": email, "password": password})
        if response.status_code == 303:
            self.follow(response)
        return response

    def tasks_page(self, base: str) -> str:
        response = self.get(base, "/tasks")
        assert response.status_code == 200, explain(response)
        return response.text


def explain(response: requests.Response) -> str:
    """A failed step in one line: status, which instance, the page's title or where it leads."""
    title = re.search(r"<title>(.*?)</title>", response.text, re.S)
    detail = title.group(1).strip() if title else response.headers.get("Location", response.text[:200])
    return f"{response.request.method} {urlsplit(response.url).path}: {response.status_code} from {response.served_by}: {detail}"


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_until_healthy(url: str, process: subprocess.Popen, log: Path, deadline: float) -> None:
    probe = requests.Session()
    probe.trust_env = False
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"{' '.join(map(str, process.args[:2]))} exited with {process.returncode}:\n{tail(log)}")
            try:
                if probe.get(url + "/healthz", timeout=2).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                pass  # not listening yet, or listening while its workers still boot
            if time.monotonic() > deadline:
                pytest.fail(f"{url}/healthz did not answer within {START_DEADLINE:.0f} s:\n{tail(log)}")
            time.sleep(0.1)
    finally:
        probe.close()


@pytest.fixture(scope="module")
def hosts(tmp_path_factory):
    """nginx in front of instances A and B on one database and one Redis; everything
    it started is stopped, and the database and our Redis keys removed, whatever happens."""
    nginx = nginx_binary()
    redis = redis_or_skip(REDIS_URL)
    started = time.monotonic()
    root = tmp_path_factory.mktemp("several-hosts")
    # Our log-in counts live under a prefix of our own: parallel runs sharing
    # this Redis never see them, and we delete exactly these keys afterwards.
    # The factory call is how gunicorn passes it (there is no variable for it).
    prefix = f"docket-hosts-{uuid.uuid4().hex[:12]}"
    processes: list[subprocess.Popen] = []
    logs = []
    database = None
    topology = None
    try:
        database = create_postgres_database("docket_hosts")
        env = {
            **os.environ,
            "SECRET_KEY": secrets.token_hex(32),  # one key for all hosts: any can read any cookie
            "DATABASE_URL": database,
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "DOCKET_TRUSTED_PROXIES": "1",
            "LOGIN_RATE_LIMIT": f"{LIMIT} per minute",
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("GUNICORN_CMD_ARGS", None)  # the command line below says it all
        upgrade = subprocess.run(
            [BIN / "flask", "--app", "webapp", "db", "upgrade"], cwd=REPO, capture_output=True, text=True,
            timeout=60, env={**env, "DOCKET_INSTANCE_PATH": str(root / "instance-migrate")},
        )
        assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr

        port_a, port_b, listen = free_ports(3)
        ports = {"A": port_a, "B": port_b}
        for name, port in ports.items():
            log = root / f"gunicorn-{name}.log"
            logs.append(log)
            with log.open("w") as out:
                processes.append(subprocess.Popen(
                    [BIN / "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "30",
                     "--graceful-timeout", "5", "--access-logfile", "-", "--chdir", str(REPO),
                     f"webapp:create_app({{'RATELIMIT_KEY_PREFIX': {prefix!r}}})"],
                    # Run from the repository, so gunicorn reads its gunicorn.conf.py
                    # (when there is one) as an operator's `gunicorn wsgi:app` would;
                    # the options above win over it.
                    cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                    env={**env, "DOCKET_INSTANCE_PATH": str(root / f"instance-{name}")},
                ))
        conf = root / "nginx.conf"
        conf.write_text(nginx_config(root, listen, list(ports.values())))
        error_log = root / "error.log"
        logs.append(error_log)
        processes.append(subprocess.Popen(
            [nginx, "-p", str(root), "-e", str(error_log), "-c", str(conf),
             "-g", f"daemon off; pid {root}/nginx.pid; error_log {error_log};"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))

        deadline = time.monotonic() + START_DEADLINE
        for name, process, log in zip([*ports, "nginx"], processes, logs):
            url = f"http://127.0.0.1:{listen if name == 'nginx' else ports[name]}"
            wait_until_healthy(url, process, log, deadline)
        topology = Hosts(f"http://127.0.0.1:{listen}", {name: f"http://127.0.0.1:{port}" for name, port in ports.items()})
        topology.notes.append(f"start-up (database, migrations, 2 gunicorn x 2 workers, nginx): {time.monotonic() - started:.1f} s")
        yield topology
    finally:
        for browser in topology.browsers if topology else ():
            browser.http.close()
        for process in reversed(processes):
            stop(process)
        if database:
            drop_postgres_database(database)
        for key in redis.scan_iter(match=f"*{prefix}*"):
            redis.delete(key)
        redis.close()
        if topology:
            for name in topology.instances:
                topology.notes.append(
                    f"instance {name}: {topology.served[name, 'nginx']} requests via nginx, "
                    f"{topology.served[name, 'direct']} direct"
                )
            topology.notes.append(f"total {time.monotonic() - started:.1f} s; logs in {root}")
            print("\n[several hosts] " + "\n[several hosts] ".join(topology.notes))


def test_a_session_started_through_nginx_works_on_every_host(hosts):
    ada = hosts.browser("127.0.0.2")
    email = hosts.email("ada")
    ada.sign_up(email)
    assert ada.post(hosts.nginx, "/auth/logout").status_code == 303
    ada.csrf = None
    response = ada.log_in(email)
    assert response.status_code == 303, explain(response)

    # Through nginx, one request after another lands on each host in turn.
    answers = [ada.get(hosts.nginx, "/account") for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200]
    assert {a.served_by for a in answers} == set(hosts.instances)
    assert all(email in a.text for a in answers)
    # And straight to each instance, with the same cookies.
    for base in hosts.instances.values():
        response = ada.get(base, "/account")
        assert response.status_code == 200 and email in response.text
        ada.tasks_page(base)
    # The control: without the cookies each host sends a stranger to log in.
    stranger = hosts.browser("127.0.0.3")
    for base in hosts.instances.values():
        response = stranger.get(base, "/tasks")
        assert response.status_code in (302, 303) and "/auth/login" in response.headers["Location"]


def test_a_task_created_on_one_host_is_listed_by_the_other(hosts):
    grace = hosts.browser("127.0.0.4")
    grace.sign_up(hosts.email("grace"))
    title = f"Written on A {uuid.uuid4().hex[:6]}"
    response = grace.post(hosts.instances["A"], "/tasks", {"title": title})
    assert response.status_code == 303, explain(response)
    assert title in grace.tasks_page(hosts.instances["B"])


def test_undo_offered_by_one_host_is_honoured_by_the_other(hosts):
    linus = hosts.browser("127.0.0.5")
    linus.sign_up(hosts.email("linus"))
    a, b = hosts.instances["A"], hosts.instances["B"]
    title = f"Deleted on B, restored on A {uuid.uuid4().hex[:6]}"
    assert linus.post(a, "/tasks", {"title": title}).status_code == 303
    (task_id,) = TASK_ROW.findall(linus.tasks_page(b))

    response = linus.post(b, f"/tasks/{task_id}/delete", htmx=True)
    assert response.status_code == 200, explain(response)
    batch = BATCH_FIELD.search(response.text)
    assert batch, "the delete offered no Undo"
    assert title not in linus.tasks_page(a)

    response = linus.post(a, "/tasks/undo", {"batch": batch.group(1)})
    assert response.status_code == 303, explain(response)
    page = linus.tasks_page(b)
    assert title in page and TASK_ROW.findall(page) == [task_id]


def test_failed_logins_count_once_across_hosts_and_only_against_that_client(hosts):
    victim = hosts.browser("127.0.0.6")
    victim_email = hosts.email("victim")
    victim.sign_up(victim_email)
    mallory = hosts.browser("127.0.0.7")
    target = hosts.email("target")

    served = []
    for attempt in range(1, LIMIT + 1):
        response = mallory.log_in(target, f"wrong password {attempt}")
        assert response.status_code == 422, f"attempt {attempt}: {explain(response)}"
        served.append(response.served_by)
    # nginx alternated: each host saw only part of the failures, and the
    # (LIMIT+1)th is refused by whichever host serves it.
    assert set(served) == set(hosts.instances), served
    refused_by = []
    attempt = LIMIT
    while set(refused_by) != set(hosts.instances) and attempt < LIMIT + 6:
        attempt += 1
        response = mallory.log_in(target, f"wrong password {attempt}")
        assert response.status_code == 429, f"attempt {attempt}: {explain(response)}"
        refused_by.append(response.served_by)
    assert set(refused_by) == set(hosts.instances), refused_by
    hosts.notes.append(
        f"failed logins: attempts 1-{LIMIT} answered 422 by {'/'.join(served)}; "
        f"attempts {LIMIT + 1}-{attempt} answered 429 by {'/'.join(refused_by)}"
    )
    # Both counts are shared: this address with another email, and this email from another address.
    assert mallory.log_in(hosts.email("other"), "wrong").status_code == 429
    other_client = hosts.browser("127.0.0.8")
    assert other_client.log_in(target, "wrong").status_code == 429

    # Someone else, with their own address and account, is not locked out, on either host.
    for base in hosts.instances.values():
        assert victim.post(base, "/auth/logout").status_code == 303
        victim.csrf = None
        response = victim.log_in(victim_email, base=base)
        assert response.status_code == 303, explain(response)


def test_a_forged_x_forwarded_for_buys_no_extra_attempts(hosts):
    """nginx appends the real address and Docket believes only that last entry,
    so a client that invents a new address per attempt is still counted as itself."""
    forger = hosts.browser("127.0.0.9")
    assert forger.get(hosts.nginx, "/auth/login").status_code == 200
    statuses = []
    for attempt in range(1, LIMIT + 2):
        form = {"email": hosts.email(f"guess{attempt}"), "password": "wrong"}  # a new email each time
        response = forger.post(hosts.nginx, "/auth/login", form, headers={"X-Forwarded-For": f"198.51.100.{attempt}"})
        statuses.append(response.status_code)
    assert statuses == [422] * LIMIT + [429], statuses


def test_one_request_id_reaches_both_logs_and_metrics_stay_private(hosts):
    """nginx passes its $request_id on (Docket keeps it); /metrics is refused at the proxy."""
    visitor = hosts.browser("127.0.0.7")
    page = visitor.get(hosts.nginx, "/healthz")
    assert page.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", page.headers["X-Request-ID"]), page.headers.get("X-Request-ID")
    metrics = visitor.http.get(hosts.nginx + "/metrics", timeout=15)
    assert metrics.status_code == 404
    direct = visitor.http.get(hosts.instances["A"] + "/metrics", timeout=15)  # from a host's own loopback
    assert direct.status_code == 200 and "docket_" in direct.text


def test_the_readme_shows_the_snippet_this_module_runs():
    """The README's copy and deploy/nginx.conf.example say the same (comments aside)."""

    def directives(text: str) -> list[str]:
        lines = (" ".join(line.split("#", 1)[0].split()) for line in text.splitlines())
        return [line for line in lines if line]

    readme = (REPO / "README.md").read_text()
    section = readme.split("### Several hosts behind nginx", 1)[1]
    shown = re.search(r"```nginx\n(.*?)```", section, re.S)
    assert shown, "the README's 'Several hosts behind nginx' shows no nginx snippet"
    assert directives(shown.group(1)) == directives(SNIPPET.read_text())
