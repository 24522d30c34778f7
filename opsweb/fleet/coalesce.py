"""Single flight plus a freshness window, per key.

Every open panel polls every 4 s; without this, a hundred viewers would cost
Paperclip a hundred live-runs calls per company per refresh. Concurrent callers for
one key wait on the one call in flight, and its answer (or its error) is reused for
`freshness` seconds. The window is per process; several instances behind a load
balancer each keep their own, which is fine.
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable, Hashable


class _Flight:
    __slots__ = ("done", "value", "error", "at")

    def __init__(self):
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None
        self.at = 0.0


def _in_a_thread(task: Callable[[], None]) -> None:
    threading.Thread(target=task, daemon=True).start()


class Coalescer:
    """`serve_stale`: once a key has a good answer, a stale or failing refresh never
    makes a caller wait or fail; the refresh runs in the background (for slowly
    changing data: company names, issue titles, agents). `clock` measures the windows
    and `background` starts a refresh; tests pass their own to run without waiting."""

    def __init__(self, freshness: float, error_freshness: float | None = None,
                 max_keys: int = 4096, serve_stale: bool = False,
                 clock: Callable[[], float] = time.monotonic,
                 background: Callable[[Callable[[], None]], None] = _in_a_thread):
        self.clock = clock  # seconds, for the freshness windows only
        self.background = background
        self.freshness = freshness
        self.error_freshness = min(freshness, 2.0) if error_freshness is None else error_freshness
        self.max_keys = max_keys
        self.serve_stale = serve_stale
        self._lock = threading.Lock()
        self._flights: dict[Hashable, _Flight] = {}
        self._good: dict[Hashable, _Flight] = {}

    def get(self, key: Hashable, loader: Callable[..., Any], *args: Any) -> Any:
        with self._lock:
            flight = self._flights.get(key)
            good = self._good.get(key) if self.serve_stale else None
            if flight is None or (flight.done.is_set() and self._stale(flight)):
                flight = self._flights[key] = _Flight()
                self._evict()
                leader = True
            elif good is not None:
                return (good if flight.error is not None or not flight.done.is_set()
                        else flight).value
            else:
                leader = False
        if leader and good is not None:  # refresh behind the answer we have
            self.background(lambda: self._run(flight, key, loader, args))
            return good.value
        if leader:
            self._run(flight, key, loader, args)
        else:
            flight.done.wait()
        if flight.error is not None:
            raise flight.error
        return flight.value

    def _run(self, flight: _Flight, key: Hashable, loader: Callable[..., Any], args) -> None:
        try:
            flight.value = loader(*args)
        except Exception as err:  # shared with the followers, re-raised to each
            flight.error = err
        flight.at = self.clock()
        flight.done.set()
        if flight.error is None and self.serve_stale:
            with self._lock:
                if self._flights.get(key) is flight:  # not a call dropped meanwhile
                    self._good[key] = flight

    def forget(self) -> None:
        """Drop every finished answer, so the next caller reads afresh (after Stop or
        Reset). A call still in flight is kept: its callers wait for it as before.
        Answers kept for `serve_stale` stay too, to be served while the refresh runs."""
        with self._lock:
            self._flights = {k: f for k, f in self._flights.items() if not f.done.is_set()}

    def peek(self) -> list[Any]:
        """Every answer held now (good ones only), without calling anything."""
        with self._lock:
            held = {k: f for k, f in self._flights.items() if f.done.is_set() and f.error is None}
            return [f.value for f in {**self._good, **held}.values()]

    def drop(self, key: Hashable) -> None:
        """Forget one key's answers, the last good one included: the next caller waits
        for a fresh call (after an action changed what that key reads). A call still in
        flight began before the action: its own callers get its answer, but a later
        caller starts a new call rather than joining it, and its answer is not kept."""
        with self._lock:
            self._flights.pop(key, None)
            self._good.pop(key, None)

    def drop_all(self) -> None:
        with self._lock:
            self._flights = {k: f for k, f in self._flights.items() if not f.done.is_set()}
            self._good.clear()

    def _stale(self, flight: _Flight) -> bool:
        ttl = self.error_freshness if flight.error is not None else self.freshness
        return self.clock() - flight.at >= ttl

    def _evict(self) -> None:
        if len(self._flights) <= self.max_keys:
            return
        for key in [k for k, f in self._flights.items() if f.done.is_set() and self._stale(f)]:
            del self._flights[key]
            self._good.pop(key, None)
