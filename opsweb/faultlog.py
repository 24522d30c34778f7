"""One log line per upstream fault of the fleet, not one per refresh.

Every open panel re-reads the fleet every 4 s; logging each failed read would bury the
line that matters under hundreds of copies. So a company is logged when it starts
failing (or fails for another reason) and once more when it answers again.
"""
from __future__ import annotations

import logging
import re
import threading

from opsweb.fleet import Fleet

ALL = "*"  # the company id of an error that hit every company at once


def _kind(message: str) -> str:
    # "did not answer in 2 s" (the HTTP timeout) and "did not answer for this company
    # in 2.5 s" (the panel's deadline) are one fault seen by two clocks.
    if "did not answer" in message:
        return "timeout"
    return re.sub(r"\d+(\.\d+)?", "#", message)


class FaultLog:
    def __init__(self, logger: logging.Logger):
        self.logger = logger
        self._lock = threading.Lock()
        self._failing: dict[str, str] = {}  # company id → its fault, without numbers

    def note(self, fleet: Fleet) -> None:
        now = {e.company_id: e for e in fleet.errors}
        answered = {c["id"] for c in fleet.companies} - set(now)
        with self._lock:
            for cid, err in now.items():
                if self._failing.get(cid) != _kind(err.error):
                    self._failing[cid] = _kind(err.error)
                    where = "every company" if cid == ALL else f"company {err.company_name} ({cid})"
                    self.logger.warning("Paperclip fault for %s: %s", where, err.error)
            for cid in list(self._failing):
                if cid in answered or (cid == ALL and fleet.companies):
                    del self._failing[cid]
                    self.logger.info("Paperclip answers again for %s",
                                     "every company" if cid == ALL else f"company {cid}")
