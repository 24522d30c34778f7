"""Python log lines for upstream faults of the fleet: one per fault, not one per refresh.

Every open panel re-reads the fleet every 4 s; logging each failed read would bury the
line that matters under hundreds of copies. So a company is logged when it starts
failing (or fails in another way) and once more when it answers again.
"""
from __future__ import annotations

import logging
import threading

from opsweb.fleet.live import EVERY_COMPANY, CompanyError, Fleet


def _fault(err: CompanyError) -> tuple[str, int | None]:
    # By kind, never by sentence: "did not answer in 2 s" (the HTTP timeout) and "did
    # not answer for this company in 2.5 s" (the panel's deadline) are one Timeout.
    return err.kind, err.upstream_status


def _where(company_id: str, name: str | None = None) -> str:
    if company_id == EVERY_COMPANY:
        return "every company"
    return f"company {name} ({company_id})" if name else f"company {company_id}"


class FaultReporter:
    def __init__(self, logger: logging.Logger):
        self.logger = logger
        self._lock = threading.Lock()
        self._failing: dict[str, tuple[str, int | None]] = {}  # company id → its fault

    def note(self, fleet: Fleet) -> None:
        now = {e.company_id: e for e in fleet.errors}
        answered = {c["id"] for c in fleet.companies} - set(now)
        with self._lock:
            for cid, err in now.items():
                if self._failing.get(cid) != _fault(err):
                    self._failing[cid] = _fault(err)
                    self.logger.warning("Paperclip fault for %s: %s",
                                        _where(cid, err.company_name), err.error)
            for cid in list(self._failing):
                if cid in answered or (cid == EVERY_COMPANY and fleet.companies):
                    del self._failing[cid]
                    self.logger.info("Paperclip answers again for %s", _where(cid))
