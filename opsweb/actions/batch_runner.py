"""The background work of a batch: each item once through the audited action, at most
PARALLEL calls to Paperclip at a time, in the instance where the batch was started.

Never retried: an item is marked "sending" before its call and then takes the outcome
of that one call (done, failed, unknown). Cancelling stops what has not been sent yet
(notSent); calls already out finish. A drain's agent items are then watched until the
agent's running run has ended, and paused then (drain.py). A batch whose instance
stopped is settled by the next instance that looks (`recover`): what was never sent
becomes notSent, what was being sent unknown, and drains go on being watched.
"""
from __future__ import annotations

import logging
import secrets
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from opsweb import platform_port as port
from opsweb.actions import audited, drain
from opsweb.actions.audit import AuditUnavailable
from opsweb.actions.batch_store import Batch, BatchStore, Item
from opsweb.i18n.said import Said

PARALLEL = 4
BEAT_SECONDS = 2.0
NOT_SENT = Said("Not sent: the batch was cancelled first.")
NOT_SENT_RESTART = Said("Not sent: opsweb stopped before sending it.")
LOST = Said("opsweb stopped while waiting for Paperclip's answer: the outcome is unknown;"
            " look again before acting.")
_RESULT = {"done": "done", "already_finished": "done", "failed": "failed", "unknown": "unknown"}


class Runner:
    def __init__(self, batches: BatchStore, audit, logger: logging.Logger,
                 platform: port.Platform, names: audited.Names, changed,
                 drain_poll: float = 5.0):
        self.batches, self.audit, self.logger = batches, audit, logger
        self.platform, self.names, self.changed = platform, names, changed
        self.drain_poll = drain_poll
        self.owner = secrets.token_hex(8)  # this process, for the heartbeat's claims
        self._wake = threading.Event()  # tests and cancels cut a drain's wait short
        self.threads: dict[str, threading.Thread] = {}

    def start(self, batch_id: str, who: audited.Request) -> None:
        thread = threading.Thread(target=self._guarded, args=(batch_id, who),
                                  name=f"opsweb-batch-{batch_id}", daemon=True)
        self.threads[batch_id] = thread
        thread.start()

    def poke(self) -> None:
        """Look at the drains now rather than at the next poll."""
        self._wake.set()

    def recover(self) -> list[str]:
        """Settle the batches whose instance stopped; go on watching their drains."""
        claimed = self.batches.claim_orphans(self.owner)
        for batch_id in claimed:
            batch = self.batches.get(batch_id)
            for item in batch.items:
                if item.outcome == "sending":
                    self.batches.set_item(batch_id, item.seq, "unknown", LOST)
            self.batches.not_sent(batch_id, NOT_SENT_RESTART)
            self.logger.warning("batch %s: its instance stopped; unsent items marked notSent",
                                batch_id)
            self.start(batch_id, _who(batch))
        return claimed

    def _guarded(self, batch_id: str, who: audited.Request) -> None:
        try:
            self._run(batch_id, who)
        except AuditUnavailable as err:  # the heartbeat stops: another instance settles it
            self.logger.error("batch %s stopped: audit database unavailable: %s", batch_id, err)
        except Exception:  # a bug of ours: never a silent thread death
            self.logger.exception("batch %s stopped by an unexpected error", batch_id)

    def _run(self, batch_id: str, who: audited.Request) -> None:
        batch = self.batches.get(batch_id)
        pending = [i for i in batch.items if i.outcome == "pending"]
        cancelled = False
        beaten = time.monotonic()
        with ThreadPoolExecutor(PARALLEL, thread_name_prefix=f"opsweb-batch-{batch_id}") as pool:
            out: set = set()
            while pending or out:
                cancelled = cancelled or self.batches.cancel_asked(batch_id)
                if cancelled and pending:
                    self.batches.not_sent(batch_id, NOT_SENT)
                    pending = []
                while pending and len(out) < PARALLEL:
                    item = pending.pop(0)
                    self.batches.set_item(batch_id, item.seq, "sending")
                    out.add(pool.submit(self._one, batch_id, item, who))
                if out:
                    _, out = wait(out, timeout=BEAT_SECONDS, return_when=FIRST_COMPLETED)
                if time.monotonic() - beaten >= BEAT_SECONDS:  # a write costs a sync
                    self.batches.beat(batch_id)
                    beaten = time.monotonic()
        cancelled = self._watch_drains(batch_id, who) or cancelled
        self.batches.finish(batch_id, "cancelled" if cancelled else "done")
        self.changed()

    def _one(self, batch_id: str, item: Item, who: audited.Request) -> None:
        if item.kind == "drain" and drain.running_run(self.platform, item):
            self.batches.set_item(batch_id, item.seq, "draining", drain.WAITING)
            return
        self._send(batch_id, item, who)

    def _send(self, batch_id: str, item: Item, who: audited.Request) -> None:
        action = "pause" if item.kind == "drain" else item.kind
        ids = {"run_id": item.target} if action == "cancel" else {"agent_id": item.target}
        # the name resolved with the targets spares a lookup per item (its company's
        # name still comes from the shared reads)
        names = self.names if not item.name else \
            (lambda agent, company: (item.name, self.names(None, company)[1]))
        try:
            outcome = audited.perform(self.audit, self.logger, self.platform, action, who,
                                      names=names, **ids)
        except AuditUnavailable:
            # refused before Paperclip heard of it: the item was not sent
            self.batches.set_item(batch_id, item.seq, "notSent",
                                  Said("The audit trail was unavailable, so it was not sent."))
            return
        except Exception:
            self.batches.set_item(batch_id, item.seq, "unknown",
                                  Said("opsweb hit an unexpected error during the action."))
            raise
        self.batches.set_item(batch_id, item.seq, _RESULT[outcome.result], outcome.message)

    def _watch_drains(self, batch_id: str, who: audited.Request) -> bool:
        """Until every draining agent is paused (or the batch is cancelled: True)."""
        while True:
            batch = self.batches.get(batch_id)
            waiting = [i for i in batch.items if i.outcome == "draining"]
            if not waiting:
                return batch.cancel_asked
            if batch.cancel_asked:
                for item in waiting:
                    self.batches.set_item(batch_id, item.seq, "notSent", drain.CANCELLED)
                return True
            for item in drain.ended(self.platform, waiting):
                self.batches.set_item(batch_id, item.seq, "sending")
                self._send(batch_id, item, who)
            self.batches.beat(batch_id)
            self._wake.wait(min(self.drain_poll, BEAT_SECONDS * 2))
            self._wake.clear()


def _who(batch: Batch) -> audited.Request:
    return audited.Request(batch.operator, batch.remote_addr, batch.reason,
                           batch.paperclip_url, batch.id)
