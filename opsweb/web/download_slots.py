"""How many whole-log downloads (log.txt, log.ndjson) run at once.

The production server (waitress) runs a download's iterator in one of its
OPSWEB_THREADS worker threads and blocks that thread once the client's output buffer
is full, until the client reads more. A slow reader of a 50 MB log so holds a thread
for as long as it reads; enough of them would hold every thread and starve the panel.
So downloads take a slot: at most PER_CLIENT at once per client address, and at most a
quarter of the threads in all, so that three quarters always stay for the panel. A
download over the limit is refused at once (429, Retry-After) instead of queued.
A slot is given back when the response is closed: the download finished, failed, or
its client hung up (waitress then closes the iterator, which stops the upstream reads).
"""
from __future__ import annotations

import threading
from typing import Callable

PER_CLIENT = 2
RETRY_AFTER_SECONDS = 30


def total_for(threads: int) -> int:
    """Slots in all for a server of `threads` worker threads."""
    return max(1, int(threads) // 4)


class DownloadSlots:
    def __init__(self, total: int, per_client: int = PER_CLIENT):
        self.total, self.per_client = total, per_client
        self._lock = threading.Lock()
        self._held: dict[str, int] = {}

    def take(self, client: str) -> Callable[[], None] | None:
        """A release function for a slot now held for `client`, or None when `client`
        or everyone together already holds as many as allowed."""
        with self._lock:
            if (self._held.get(client, 0) >= self.per_client
                    or sum(self._held.values()) >= self.total):
                return None
            self._held[client] = self._held.get(client, 0) + 1
        released = threading.Event()

        def release() -> None:
            if released.is_set():  # called by the close of the response and on a failure
                return
            released.set()
            with self._lock:
                left = self._held.pop(client) - 1
                if left:
                    self._held[client] = left
        return release

    def held(self) -> int:
        with self._lock:
            return sum(self._held.values())
