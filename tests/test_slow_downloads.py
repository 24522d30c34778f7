"""Slow readers of big downloads under the production server (waitress with
`opsweb serve`'s settings): 32 clients reading a 50 MB log at 1 KB/s while viewers poll
the panel. Each download holds a worker thread while its client reads, so downloads
take a slot (web/download_slots.py): a bounded number run, the rest are refused at
once, and the panel keeps its threads. A client that hangs up gives back its thread,
its slot and its upstream reads."""
import socket
import threading
import time

import pytest
import requests

from conftest import panel_factory
from hostile_upstream import wait_until

SHELL_AGENT = "a9e00013-0000-4000-8000-000000000013"
READERS, VIEWERS, POLLS = 32, 5, 3


@pytest.fixture
def served(demo):
    """(panel, its waitress server) against the demo."""
    make, started = panel_factory("waitress")
    panel = make(demo.url)
    yield panel, started[0]
    for each in started:
        each.stop()


def big_run(demo, nbytes: int) -> str:
    run = demo.control("POST", "/runs", agentId=SHELL_AGENT, status="running")["id"]
    demo.control("POST", f"/runs/{run}/output", ndjson_bytes=nbytes)
    demo.control("POST", f"/runs/{run}/finish", status="succeeded")
    return run


class SlowReader(threading.Thread):
    """A raw socket that asks for `path` and then reads 1 KB a second until stopped."""

    def __init__(self, url: str, path: str):
        super().__init__(daemon=True)
        host, port = url.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=60)
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        self.status_line, self.head, self.done = None, b"", threading.Event()

    def run(self):
        try:
            while not self.done.is_set():
                chunk = self.sock.recv(1024)
                if not chunk:
                    return
                if self.status_line is None:
                    self.head += chunk
                    if b"\r\n" in self.head:
                        self.status_line = self.head.split(b"\r\n", 1)[0].decode()
                self.done.wait(1.0)
        except OSError:
            pass

    @property
    def status(self) -> int | None:
        return int(self.status_line.split()[1]) if self.status_line else None

    def hang_up(self):
        """As a browser tab closed mid-download: a reset, no goodbye."""
        self.done.set()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        self.sock.close()


def test_slow_readers_of_a_big_log_leave_the_panel_answering(demo, served):
    panel, server = served
    run = big_run(demo, 50_000_000)
    readers = [SlowReader(panel.url, f"/api/operations/runs/{run}/log.txt")
               for _ in range(READERS)]
    for r in readers:
        r.start()
    try:
        # every reader has its answer: a download running, or a refusal at once
        wait_until(lambda: all(r.status for r in readers), 20)
        statuses = [r.status for r in readers]
        latencies, failures = [], []

        def view():
            viewer = requests.Session()
            for _ in range(POLLS):
                start = time.monotonic()
                try:
                    resp = viewer.get(panel.url + "/operations/agents",
                                      headers={"HX-Request": "true"}, timeout=10)
                    latencies.append(time.monotonic() - start)
                    if resp.status_code != 200:
                        failures.append(resp.status_code)
                except requests.RequestException as err:
                    failures.append(type(err).__name__)
        viewers = [threading.Thread(target=view) for _ in range(VIEWERS)]
        for v in viewers:
            v.start()
        for v in viewers:
            v.join(60)
        assert not failures and len(latencies) == VIEWERS * POLLS, (failures, statuses)
        # the bound is 1 s; the margin is for a machine shared with other work
        assert max(latencies) < 3.0, latencies
        running = statuses.count(200)
        assert 1 <= running <= 2 and statuses.count(429) == READERS - running, statuses
        refused = next(r for r in readers if r.status == 429)
        assert b"Retry-After: 30" in refused.head
        assert panel.app.extensions["opsweb"].downloads.held() == running
        assert server.server.task_dispatcher.active_count <= running
    finally:
        for r in readers:
            r.hang_up()


def test_a_reader_that_hangs_up_frees_its_thread_slot_and_upstream_reads(demo, served):
    panel, server = served
    big, small = big_run(demo, 30_000_000), big_run(demo, 10_000)
    slots = panel.app.extensions["opsweb"].downloads
    reader = SlowReader(panel.url, f"/api/operations/runs/{big}/log.ndjson")
    reader.start()
    assert wait_until(lambda: reader.status == 200, 20)
    assert slots.held() == 1
    reader.hang_up()
    assert wait_until(lambda: slots.held() == 0, 10)
    assert wait_until(lambda: server.server.task_dispatcher.active_count == 0, 10)
    reads = demo.calls()["counts"][f"log:{big}"]
    # a whole other download later, the hung-up one has not asked Paperclip for more
    assert panel.get(f"/api/operations/runs/{small}/log.ndjson").status_code == 200
    assert demo.calls()["counts"][f"log:{big}"] == reads
    assert reads < 30  # 1 MiB pages: it stopped long before the end


def test_slots_are_bounded_per_client_and_in_all():
    from opsweb.web.download_slots import DownloadSlots, total_for
    slots = DownloadSlots(total_for(16))  # 4 in all, 2 per client
    mine = [slots.take("10.0.0.1"), slots.take("10.0.0.1")]
    assert all(mine) and slots.take("10.0.0.1") is None
    others = [slots.take("10.0.0.2"), slots.take("10.0.0.3")]
    assert all(others) and slots.take("10.0.0.4") is None  # a quarter of the threads
    mine[0]()
    mine[0]()  # a second release of the same slot gives back nothing more
    assert slots.held() == 3 and slots.take("10.0.0.4") and slots.take("10.0.0.5") is None
