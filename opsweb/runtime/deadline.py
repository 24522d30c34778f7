"""A total deadline for one HTTP call made with requests.

requests' timeouts bound each socket read, not the call: an answer that trickles a
byte a second never times out. Mounting `WatchedAdapter` on a session and making the
call inside `with Deadline(seconds)` shuts the call's socket when the time is up, so
whatever read is blocked ends at once. The Paperclip shell uses it for every call,
and so does every outgoing call opsweb makes.
"""
from __future__ import annotations

import socket
import threading

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class Deadline:
    """A call's total deadline: when it passes, the socket of the call's connection is
    shut down, so whatever read is blocked (status line, headers, body) ends at once."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self.connection = None  # set by the watched connection when the request goes out
        self._lock = threading.Lock()
        self._done = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> "Deadline":
        _current.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        with self._lock:
            self._done = True
        self._timer.cancel()
        _current.deadline = None

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            sock = getattr(self.connection, "sock", None)
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


_current = threading.local()  # the Deadline of the call this thread is making


class _Watched:
    """Mixed into urllib3's connections: tells the calling thread's deadline which
    connection carries its request (pooled connections are reused across calls)."""

    def request(self, *args, **kwargs):
        deadline = getattr(_current, "deadline", None)
        if deadline is not None:
            deadline.connection = self
        return super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = type("WatchedHTTPConnection", (_Watched, HTTPConnection), {})


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = type("WatchedHTTPSConnection", (_Watched, HTTPSConnection), {})


class WatchedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool,
                                                   "https": _WatchedHTTPSPool}
