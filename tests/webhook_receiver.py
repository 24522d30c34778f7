"""A webhook receiver for the tests: stdlib http.server on 127.0.0.1, answering each
POST with the next status of its script (then 200), recording what it got."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def event_id(self) -> str:
        return self.headers["X-Opsweb-Event-Id"]

    def json(self) -> dict:
        return json.loads(self.body)

    def signed_with(self, secret: str) -> bool:
        expected = "sha256=" + hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.headers.get("X-Opsweb-Signature", ""))


class Receiver:
    def __init__(self, statuses=(), port: int = 0, hang: bool = False,
                 location: str | None = None, trickle: bool = False):
        self.statuses = list(statuses)
        self.received: list[Received] = []
        self.hang = threading.Event() if hang else None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append(Received(self.path, dict(self.headers), body))
                if receiver.hang is not None:
                    receiver.hang.wait(30)  # until the test ends: never an answer
                    return
                if trickle:  # a 200 whose headers come a byte every 0.1 s, for 4 s
                    try:
                        self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Pad: ")
                        for _ in range(40):
                            self.wfile.write(b"x")
                            self.wfile.flush()
                            time.sleep(0.1)
                        self.wfile.write(b"\r\nContent-Length: 0\r\n\r\n")
                    except OSError:  # the sender hung up: its deadline passed
                        pass
                    return
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def wait_for(self, count: int, seconds: float = 30) -> list[Received]:
        """Until `count` POSTs have come (polled, not slept on for a fixed time)."""
        deadline = time.monotonic() + seconds
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.received) >= count, f"{len(self.received)} of {count} POSTs came"
        return self.received

    def stop(self) -> None:
        if self.hang is not None:
            self.hang.set()
        self.server.shutdown()
        self.server.server_close()
