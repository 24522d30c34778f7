"""DemoServer: the demo Paperclip on 127.0.0.1 in a background thread.

A real threaded werkzeug server, so opsweb talks to it over real HTTP exactly as it
talks to Paperclip (timeouts, dropped connections and short reads included).

    with DemoServer(autoplay=False) as paperclip:
        requests.get(paperclip.url + "/api/companies")
"""

from __future__ import annotations

import threading

from werkzeug.serving import WSGIRequestHandler, make_server

from .clock import Clock
from .server import create_demo_app
from .world import World


class _QuietHandler(WSGIRequestHandler):
    """No access log: a polling panel would flood the test output."""

    def log_request(self, *args, **kwargs) -> None:
        pass


class DemoServer:
    def __init__(self, port: int = 0, token: str | None = None, autoplay: bool = True,
                 clock: Clock | None = None, world: World | None = None,
                 host: str = "127.0.0.1", quiet: bool = True):
        self.world = world or World(clock=clock, autoplay=autoplay)
        self.token = token
        self.host, self.port = host, port
        self.app = create_demo_app(self.world, token=token)
        self._handler = _QuietHandler if quiet else WSGIRequestHandler
        self._server = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL without /api, like OPSWEB_PAPERCLIP_URL."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> "DemoServer":
        self._server = make_server(self.host, self.port, self.app, threaded=True,
                                   request_handler=self._handler)
        self.port = self._server.server_port  # the free port the OS chose for port=0
        # a short poll interval so stop() (and each test's teardown) returns within 10 ms
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,),
                                        name=f"demo-paperclip-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "DemoServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
