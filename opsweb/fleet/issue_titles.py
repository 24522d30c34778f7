"""Issue titles for the live rows (`OPS-12 Drain the queue`), looked up through the
port on a pool of their own, so that slow issue lookups never delay the live reads."""
from __future__ import annotations

import concurrent.futures as cf
import threading
import time
from typing import Callable

from opsweb import platform_port as port
from opsweb.runtime import untrusted


class IssueTitles:
    """`OPS-12 Drain the queue` per issue id, looked up in the background on a pool of
    its own, so that slow issue lookups never delay or starve the live-runs reads.

    A read gets the titles known so far and starts lookups for the others (at most
    `max_pending` queued or running at once, `workers` of them concurrently); it waits
    at most `wait` seconds for the ones it started, then shows those rows without a
    title until a later read finds it."""

    def __init__(self, platform: port.Platform, workers: int = 4, max_pending: int = 64,
                 wait: float = 0.2, fresh_for: float = 300.0, retry_after: float = 30.0,
                 max_kept: int = 4096, clock: Callable[[], float] = time.monotonic):
        self.platform, self.clock = platform, clock
        self.max_pending, self.wait = max_pending, wait
        self.fresh_for, self.retry_after, self.max_kept = fresh_for, retry_after, max_kept
        self._pool = cf.ThreadPoolExecutor(max_workers=workers,
                                           thread_name_prefix="opsweb-issues")
        self._lock = threading.Lock()
        self._known: dict[str, tuple[str | None, float]] = {}  # id → (label, looked up at)
        self._pending: set[str] = set()

    def labels(self, issue_ids: set[str]) -> dict[str, str]:
        now = self.clock()
        labels, started = {}, []
        with self._lock:
            for iid in issue_ids:
                label, at = self._known.get(iid, (None, None))
                if label:
                    labels[iid] = label
                ttl = self.fresh_for if label else self.retry_after
                due = at is None or now - at >= ttl
                if due and iid not in self._pending and len(self._pending) < self.max_pending:
                    self._pending.add(iid)
                    started.append((iid, self._pool.submit(self._look_up, iid)))
            if len(self._known) > self.max_kept:  # forget issues no run points at now
                self._known = {k: v for k, v in self._known.items() if k in issue_ids}
        if started:
            cf.wait([f for _, f in started], timeout=self.wait)
            for iid, future in started:
                if future.done() and future.result():
                    labels[iid] = future.result()
        return labels

    def _look_up(self, iid: str) -> str | None:
        label = None
        try:
            issue = port.pc_get_issue(self.platform, iid)
            parts = (untrusted.text(issue.get("identifier")), untrusted.text(issue.get("title")))
            label = " ".join(p for p in parts if p) or None
        except port.PlatformError:
            pass  # the row keeps its short id; retried after retry_after
        finally:
            with self._lock:
                self._known[iid] = (label, self.clock())
                self._pending.discard(iid)
        return label
