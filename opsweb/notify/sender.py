"""The sender: one background thread per receiver, delivering what is due from the
outbox while this instance is the acting one.

One thread per receiver so that a receiver that hangs (each attempt up to the
webhook deadline) never delays another; none of them is on a request's path, so a
receiver that is down never slows the panel. Backoff times come from the injected
clock (tests move it instead of sleeping); the thread itself only waits between
polls, and a publish in this process wakes it at once.
"""
from __future__ import annotations

import logging
import threading
from collections import Counter
from typing import Callable

from opsweb.actions.audit import AuditUnavailable
from opsweb.notify.events import body
from opsweb.notify.outbox import Outbox
from opsweb.notify.webhook import Receiver, Webhooks

POLL_SECONDS = 1.0  # how soon an event published by another instance goes out
OUTCOMES = ("delivered", "retried", "failed")
log = logging.getLogger("opsweb.notify")


def always() -> bool:
    return True


class Sender:
    def __init__(self, outbox: Outbox, receiver: Receiver, webhooks: Webhooks, fmt: str, *,
                 is_acting: Callable[[], bool] = always, poll: float = POLL_SECONDS):
        self.outbox, self.receiver, self.webhooks, self.fmt = outbox, receiver, webhooks, fmt
        self.is_acting = is_acting
        self.counts: Counter = Counter()  # outcome -> attempts; written by this thread only
        self.poll = poll
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        outbox.listen(self._wake)

    def tick(self) -> int:
        """One pass: every due row, oldest first, until the receiver fails one (its
        other rows wait for their own next try). Returns the attempts made."""
        if not self.is_acting():
            return 0
        self.outbox.expire()
        made = 0
        for due in self.outbox.due(self.receiver):
            if not self.outbox.claim(due):
                continue
            result = self.webhooks.post(self.receiver, due.event_id, body(due.document, self.fmt))
            outcome = self.outbox.settle(due, result)
            self.counts[outcome] += 1
            made += 1
            if outcome != "delivered":
                log.warning("webhook %s: event %s attempt %d: %s%s", self.receiver.shown,
                            due.event_id, due.attempts + 1, result.error,
                            "" if outcome == "retried" else " (given up)")
                break
        return made

    def _loop(self) -> None:
        while not self._stopped.is_set():
            try:
                self.tick()
            except AuditUnavailable as err:  # the database is away: the rows wait there
                log.warning("webhook %s: outbox unreadable: %s", self.receiver.shown, err)
            except Exception:  # a sender that dies silently would lose every later event
                log.exception("webhook %s: unexpected error", self.receiver.shown)
            self._wake.wait(self.poll)
            self._wake.clear()

    def start(self) -> "Sender":
        self._thread = threading.Thread(target=self._loop, daemon=True,
                                        name=f"opsweb-webhook-{self.receiver.key[:8]}")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self.webhooks.deadline + 1)
