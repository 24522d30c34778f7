"""opsweb's log output when it runs on its own (`opsweb serve`, `opsweb demo`): one
handler on the root logger, set up once with dictConfig before the app exists.

Flask adds its own stderr handler to `app.logger` only when no handler above it takes
the level, and waitress's `serve()` calls `logging.basicConfig()`; with the root
handler in place first and waitress started without `serve()`, every line prints once.
An embedded opsweb logs through the host's own setup instead.
"""
from __future__ import annotations

import logging
import logging.config
import time

ACCESS_LOGGER = "opsweb.access"


def configure(level: str) -> None:
    logging.config.dictConfig({
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "line",
                                "stream": "ext://sys.stderr"}},
        "root": {"level": level, "handlers": ["stderr"]},
    })


class AccessLog:
    """WSGI middleware: one INFO line per request once its status is known."""

    def __init__(self, app):
        self.app = app
        self.logger = logging.getLogger(ACCESS_LOGGER)

    def __call__(self, environ, start_response):
        started = time.monotonic()
        status = ["-"]

        def start(line, headers, exc_info=None):
            status[0] = line.split(" ", 1)[0]
            return start_response(line, headers, exc_info)
        try:
            return self.app(environ, start)
        finally:
            query = environ.get("QUERY_STRING")
            self.logger.info("%s %s %s%s %s %.0f ms", environ.get("REMOTE_ADDR", "-"),
                             environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"),
                             f"?{query}" if query else "", status[0],
                             (time.monotonic() - started) * 1000)
