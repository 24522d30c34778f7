"""Webhooks through `opsweb serve` itself (waitress, the real sender threads, the
SQLite outbox on disk): an event stored while its receiver is down survives a kill -9
and reaches the receiver after the restart, with its event id and signature; a
receiver that never answers does not slow the panel. Events are published straight
into the outbox the serve process reads, as the guard rails will publish them."""
import socket
import time

import pytest
import requests

from cli_process import Running, opsweb_env
from opsweb.actions import audit
from opsweb.notify.outbox import Outbox
from opsweb.notify.webhook import Receiver as Target
from webhook_receiver import Receiver

SECRET = "a-test-secret-of-some-length"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serving(tmp_path, name: str, url: str, db: str) -> Running:
    folder = tmp_path / name
    folder.mkdir()
    env = opsweb_env(folder, OPSWEB_AUDIT_URL=db, OPSWEB_WEBHOOK_URLS=url,
                     OPSWEB_WEBHOOK_SECRET=SECRET, OPSWEB_PAPERCLIP_URL="http://127.0.0.1:9")
    return Running(folder, "serve", env=env).wait_ready()


def delivery(running: Running, seconds: float = 30, **wanted) -> dict:
    """The newest delivery as the serve process's twin shows it, once it matches."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rows = requests.get(running.url + "/api/operations/notifications",
                            timeout=5).json()["deliveries"]
        if rows and all(rows[0][k] == v if not callable(v) else v(rows[0][k])
                        for k, v in wanted.items()):
            return rows[0]
        time.sleep(0.1)
    raise AssertionError(f"no delivery with {wanted}: {rows}")


@pytest.fixture
def stopping():
    started = []
    yield started.append
    for thing in started:
        thing.stop()


def test_a_receiver_down_while_opsweb_restarts_gets_the_event_after_the_restart(
        tmp_path, stopping):
    port = free_port()  # nothing listens there yet: the receiver is down
    url = f"http://127.0.0.1:{port}/hook"
    db = f"sqlite:///{tmp_path}/audit.db"
    first = serving(tmp_path, "first", url, db)
    stopping(first)
    store = audit.open_store(db)
    Outbox(store, (Target(url),)).publish("incident.opened", text="Failure loop: Archivist",
                                          incident={"kind": "failure_loop"})
    store.close()
    tried = delivery(first, status="pending", attempts=lambda n: n >= 1,
                     lastError=lambda e: bool(e and e.startswith("could not connect")))
    first.proc.kill()  # kill -9: no goodbye, the row stays pending
    first.proc.wait()

    receiver = Receiver(port=port)
    stopping(receiver)
    second = serving(tmp_path, "second", url, db)
    stopping(second)
    (got,) = receiver.wait_for(1)
    assert got.event_id == tried["eventId"] and got.signed_with(SECRET)
    assert got.json()["event"] == "incident.opened" and got.json()["text"] == "Failure loop: Archivist"
    done = delivery(second, status="delivered")
    assert done["attempts"] > tried["attempts"] and done["eventId"] == got.event_id
    time.sleep(0.5)  # no second delivery once marked
    assert len(receiver.received) == 1


def test_a_receiver_that_never_answers_does_not_slow_the_panel(tmp_path, stopping):
    hanging = Receiver(hang=True)
    stopping(hanging)
    db = f"sqlite:///{tmp_path}/audit.db"
    running = serving(tmp_path, "one", hanging.url, db)
    stopping(running)
    store = audit.open_store(db)
    Outbox(store, (Target(hanging.url),)).publish("rule.acted", text="Paused Archivist")
    store.close()
    hanging.wait_for(1)  # the sender is now waiting on it, up to its 10 s deadline
    for path in ("/operations", "/operations/agents", "/api/operations/notifications"):
        assert requests.get(running.url + path, timeout=5).status_code == 200
