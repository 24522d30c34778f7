"""Shared fixtures. End to end: a demo Paperclip and an opsweb panel, both real HTTP
servers on 127.0.0.1, and a browser-like client for the panel. In-process: the same
panel on an in-memory fake platform (a copy of the demo world) and a frozen clock,
driven through Flask's test client."""
from __future__ import annotations

import glob
import json
import os
import socket
import subprocess
import threading
from pathlib import Path
from dataclasses import dataclass, field

import pytest
import requests
from bs4 import BeautifulSoup
from werkzeug.serving import make_server

from opsweb import create_app
from opsweb.runtime.clock import Clock
from opsweb.demo import World
from opsweb.demo.runner import DemoServer
from tests.fake_platform import FakePlatform, from_world


@pytest.fixture(scope="session", autouse=True)
def _instance_dir(tmp_path_factory):
    """opsweb's own files (the SQLite audit trail) in a throwaway folder, not the repo."""
    import os
    folder = tmp_path_factory.mktemp("opsweb-instance")
    previous = os.environ.get("OPSWEB_INSTANCE_DIR")
    os.environ["OPSWEB_INSTANCE_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("OPSWEB_INSTANCE_DIR", None)
    else:
        os.environ["OPSWEB_INSTANCE_DIR"] = previous


class ServedApp:
    """A WSGI app on a free 127.0.0.1 port in a background thread."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        # a short poll interval: shutdown() waits up to one interval (0.5 s by default),
        # and a test stops one or two servers
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.01,),
                                       daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Waitress:
    """The same WSGI app under waitress with `opsweb serve`'s own settings (cli.py), on a
    free 127.0.0.1 port in a background thread: what security tests of request headers
    run against, since waitress treats some headers otherwise than werkzeug does."""

    def __init__(self, app):
        import waitress
        from opsweb.cli import server_settings
        self.server = waitress.create_server(app, host="127.0.0.1", port=0,
                                             **server_settings(app.config))
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def stop(self):
        """The worker threads first (a task ending pulls the loop's trigger: closed
        first, that write failed with EBADF), then every channel closed from inside the
        loop (a trigger's thunk runs there), so that loop ends when nothing is left."""
        self.server.task_dispatcher.shutdown(timeout=5)

        def close_all():
            for dispatcher in list(self.server._map.values()):
                dispatcher.close()
        try:
            self.server.trigger.pull_trigger(close_all)
        except OSError:  # its trigger is closed already: the loop has ended
            pass
        self.thread.join(10)


SERVERS = {"werkzeug": ServedApp, "waitress": Waitress}


class Browser:
    """What an operator's browser does with the panel: GET pages and fragments, POST
    with the CSRF token the page handed out. Subclasses send the requests (over HTTP or
    in-process) and say which origin the browser is on."""
    origin: str

    def get(self, path: str, **kw):
        raise NotImplementedError

    def post(self, path: str, **kw):
        raise NotImplementedError

    def soup(self, path: str, expect: int = 200) -> BeautifulSoup:
        resp = self.get(path, headers={"HX-Request": "true"})
        assert resp.status_code == expect, (resp.status_code, resp.text[:500])
        return BeautifulSoup(resp.text, "html.parser")

    def csrf_token(self) -> str:
        page = self.soup("/operations/agents")
        return json.loads(page.select_one("#ow-agents")["hx-headers"])["X-CSRF-Token"]

    def post_as_browser(self, path: str):
        return self.post(path, headers={"HX-Request": "true", "X-CSRF-Token": self.csrf_token(),
                                        "Origin": self.origin})

    def post_json(self, path: str, body=None):
        return self.post(path, json=body or {})


@dataclass
class Panel(Browser):
    """The panel over real HTTP (requests' answers)."""
    url: str
    app: object
    http: requests.Session = field(default_factory=requests.Session)

    @property
    def origin(self) -> str:
        return self.url

    def get(self, path: str, **kw) -> requests.Response:
        kw.setdefault("timeout", 15)
        return self.http.get(self.url + path, **kw)

    def post(self, path: str, **kw) -> requests.Response:
        return self.http.post(self.url + path, timeout=30, **kw)


@dataclass
class InProcess(Browser):
    """The panel in-process on a fake platform and a frozen clock (werkzeug's answers:
    `.get_json()`, not `.json()`). Move `clock` instead of sleeping."""
    app: object
    fake: FakePlatform
    clock: Clock
    origin = "http://localhost"

    def __post_init__(self):
        self.http = self.app.test_client()

    def get(self, path: str, **kw):
        return self.http.get(path, **kw)

    def post(self, path: str, **kw):
        return self.http.post(path, **kw)


class Demo:
    """The demo Paperclip plus its control API (/__demo/…)."""

    def __init__(self, server: DemoServer):
        self.server = server
        self.url = server.url
        self.world = server.world

    def control(self, method: str, path: str, **body):
        resp = requests.request(method, f"{self.url}/__demo{path}", json=body or None,
                                timeout=15)
        assert resp.status_code < 400, (path, resp.status_code, resp.text[:300])
        return resp.json() if resp.content else None

    def api(self, path: str, **kw):
        return requests.get(f"{self.url}/api{path}", timeout=15, **kw)

    def calls(self) -> dict:
        return self.control("GET", "/calls")


@pytest.fixture
def demo():
    server = DemoServer(port=0, autoplay=False).start()
    try:
        yield Demo(server)
    finally:
        server.stop()


def serve_panel(paperclip_url: str, server: str = "werkzeug",
                **config) -> tuple[Panel, ServedApp | Waitress]:
    app = create_app({"OPSWEB_PAPERCLIP_URL": paperclip_url, "OPSWEB_COMPANIES": (),
                      "OPSWEB_PAPERCLIP_TOKEN": None, "OPSWEB_TIMEOUT": 2.0, **config})
    served = SERVERS[server](app)
    return Panel(served.url, app), served


def panel_factory(server: str = "werkzeug"):
    """A factory of panels on `server` and the list of what it started (to stop)."""
    started = []

    def make(paperclip_url: str, **config) -> Panel:
        panel, served = serve_panel(paperclip_url, server, **config)
        started.append(served)
        return panel
    return make, started


@pytest.fixture
def panel_for():
    """Factory: a panel against any Paperclip URL with any settings."""
    make, started = panel_factory()
    yield make
    for served in started:
        served.stop()


@pytest.fixture(params=list(SERVERS))
def panel_on_both(request):
    """`panel_for` on werkzeug and on waitress as `opsweb serve` runs it (each test twice)."""
    make, started = panel_factory(request.param)
    make.server = request.param
    yield make
    for served in started:
        served.stop()


@pytest.fixture
def panel(demo, panel_for) -> Panel:
    return panel_for(demo.url)


@pytest.fixture
def hostile():
    """A stand-in Paperclip whose misbehaviour the test switches (hostile_upstream.py)."""
    from hostile_upstream import HostileUpstream
    upstream = HostileUpstream()
    yield upstream
    upstream.stop()


# When the in-process world and panel stand still: one fixed instant, so that every
# age the panel shows is the same on every run.
FROZEN_AT = 1_795_953_600.0  # 2026-11-29 12:00:00 UTC


@pytest.fixture
def fake() -> FakePlatform:
    """A copy of the demo world (frozen, no autoplay) as an in-memory platform."""
    return from_world(World(clock=Clock(frozen_at=FROZEN_AT), autoplay=False))


@pytest.fixture
def on_fake(fake, tmp_path):
    """Factory: the panel in-process on `fake`, with any settings, on a frozen clock."""

    def make(**config) -> InProcess:
        clock = Clock(frozen_at=FROZEN_AT)
        app = create_app({"OPSWEB_COMPANIES": (), "OPSWEB_PAPERCLIP_TOKEN": None,
                          "OPSWEB_AUDIT_URL": f"sqlite:///{tmp_path}/audit.db", **config},
                         platform=fake, clock=clock)
        return InProcess(app, fake, clock)
    return make


@pytest.fixture
def inproc(on_fake) -> InProcess:
    return on_fake()


ROOT = Path(__file__).resolve().parents[1]


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL on 127.0.0.1: $OPSWEB_TEST_POSTGRES_URL, or the one
    scripts/test-postgres starts (and installs with apt under CI)."""
    if os.environ.get("OPSWEB_TEST_POSTGRES_URL"):
        yield os.environ["OPSWEB_TEST_POSTGRES_URL"]
        return
    script = str(ROOT / "scripts" / "test-postgres")
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb") and not os.environ.get("CI"):
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql): audit tests on"
                    " PostgreSQL skipped")
    url = subprocess.run([script, "url"], capture_output=True, text=True).stdout.strip()
    was_running = _port_open(int(url.rsplit(":", 1)[1].split("/")[0]))
    started = subprocess.run([script, "start"], capture_output=True, text=True, timeout=600)
    if started.returncode != 0:
        reason = f"scripts/test-postgres start failed: {started.stderr.strip()[-300:]}"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    yield _database_of_this_worker(started.stdout.strip().splitlines()[-1])
    # under xdist another worker may still use the server: scripts/test stops it after
    if not was_running and not os.environ.get("PYTEST_XDIST_WORKER"):
        subprocess.run([script, "stop"], capture_output=True, timeout=60)


def _database_of_this_worker(url: str) -> str:
    """Test files run in two workers at once (scripts/test): each worker gets a database
    of its own, so one file's DROP and TRUNCATE never reach the other's tables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    import psycopg
    name = f"opsweb_test_{worker}"
    with psycopg.connect(url, autocommit=True) as db:
        if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            db.execute(f'CREATE DATABASE "{name}"')
    return f"{url.rsplit('/', 1)[0]}/{name}"
