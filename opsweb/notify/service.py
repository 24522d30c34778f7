"""Notifications as the app holds them: the outbox, a sender per receiver, and what
the metrics read. Built from the app's settings, checked again here because a host
app may set them in its own config as raw text."""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Mapping

from opsweb.actions.audit import AuditUnavailable, Store
from opsweb.notify.outbox import Outbox
from opsweb.notify.sender import Sender, always
from opsweb.notify.webhook import Receiver, Webhooks
from opsweb.runtime.clock import Clock
from opsweb.settings import SETTINGS, check_together

_NAMES = ("OPSWEB_WEBHOOK_URLS", "OPSWEB_WEBHOOK_SECRET", "OPSWEB_WEBHOOK_FORMAT")


def settings(cfg: Mapping[str, object]) -> dict[str, object]:
    """The three webhook settings, parsed; SettingError (one line) when unusable."""
    parsed = {}
    for setting in (s for s in SETTINGS if s.env in _NAMES):
        raw = cfg.get(setting.env)
        parsed[setting.env] = setting.read(",".join(raw) if isinstance(raw, (tuple, list)) else raw)
    check_together(parsed)
    return parsed


@dataclass
class Notifications:
    outbox: Outbox
    senders: list[Sender] = field(default_factory=list)

    @property
    def publish(self):
        return self.outbox.publish

    def publisher(self, logger: logging.Logger) -> Callable[..., None]:
        """`publish` for the rules: an event that cannot be stored is logged, and the
        rules go on (their act is in the ledger already; stopping there would only
        leave the next rule unevaluated)."""
        def publish(event: str, **fields) -> None:
            try:
                self.outbox.publish(event, **fields)
            except AuditUnavailable as err:
                logger.error("notifications: %s not stored: %s", event, err)
        return publish

    def counts(self) -> Counter:
        total: Counter = Counter()
        for sender in self.senders:
            total.update(sender.counts)
        return total

    def start(self) -> "Notifications":
        for sender in self.senders:
            sender.start()
        return self

    def stop(self) -> None:
        for sender in self.senders:
            sender.stop()


def build(cfg: Mapping[str, object], store: Store, clock: Clock | None = None,
          is_acting: Callable[[], bool] | None = None) -> Notifications:
    """Not started: `start()` runs the senders (none without receivers)."""
    values = settings(cfg)
    receivers = tuple(dict.fromkeys(Receiver(url) for url in values["OPSWEB_WEBHOOK_URLS"]))
    outbox = Outbox(store, receivers, clock)
    senders = [Sender(outbox, r, Webhooks(values["OPSWEB_WEBHOOK_SECRET"] or ""),
                      values["OPSWEB_WEBHOOK_FORMAT"], is_acting=is_acting or always)
               for r in receivers]
    return Notifications(outbox, senders)
