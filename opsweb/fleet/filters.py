"""Panel filters (company, agent, status, silent only) and the companies folded into
one row each (collapsed). They live in the URL, so a view can be bookmarked, and the
JSON twin takes the same parameters (folding is the page's: the twin lists every run)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

from opsweb import platform_port as port
from opsweb.fleet.live import EVERY_COMPANY, Fleet

NAMES = ("company", "agent", "status", "silent", "collapsed")
MAX_COLLAPSED = 100  # companies folded at once; the parameter stays a sane length
COLLAPSED_CHARS = 37 * MAX_COLLAPSED - 1  # that many ids and their commas
STATUSES = ("running", "queued")
SILENT_LEVELS = frozenset({"suspicious", "critical"})


@dataclass(frozen=True)
class Filters:
    company: str | None = None
    agent: str | None = None
    status: str | None = None
    silent: bool = False
    collapsed: tuple[str, ...] = ()  # company ids, sorted: one view, one URL

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "Filters":
        """Raises ValueError with a sentence for the operator on a bad value."""
        company = args.get("company") or None
        if company:
            company = port.check_uuid(company, "company")
        status = args.get("status") or None
        if status and status not in STATUSES:
            raise ValueError("status must be running or queued")
        silent = (args.get("silent") or "").lower()
        if silent not in ("", "0", "1", "true", "false", "on"):
            raise ValueError("silent must be 1 or 0")
        agent = (args.get("agent") or "").strip() or None
        return cls(company, agent, status, silent in ("1", "true", "on"),
                   _company_ids(args.get("collapsed") or ""))

    @property
    def active(self) -> bool:
        return self != Filters()

    def query(self) -> dict[str, str]:
        """The non-default filters as URL parameters."""
        out = {"company": self.company, "agent": self.agent, "status": self.status,
               "silent": "1" if self.silent else None, "collapsed": ",".join(self.collapsed)}
        return {k: v for k, v in out.items() if v}

    @property
    def narrowed(self) -> bool:
        """Some run is left out (folding leaves every run in, under its company)."""
        return replace(self, collapsed=()).active

    def folding(self, company_id: str) -> dict[str, str]:
        """The URL parameters of this view with that company folded, or unfolded
        when it is folded."""
        now = set(self.collapsed) ^ {company_id}
        return replace(self, collapsed=tuple(sorted(now))).query()

    def apply(self, fleet: Fleet) -> Fleet:
        def keep(row) -> bool:
            return ((not self.company or row.company_id == self.company)
                    and (not self.agent or self.agent.casefold() in row.agent_name.casefold()
                         or self.agent == row.agent_id)
                    and (not self.status or row.status == self.status)
                    and (not self.silent or row.silence_level in SILENT_LEVELS))
        errors = [e for e in fleet.errors
                  if not self.company or e.company_id in (self.company, EVERY_COMPANY)]
        return replace(fleet, rows=[r for r in fleet.rows if keep(r)], errors=errors)


def _company_ids(value: str) -> tuple[str, ...]:
    """`collapsed`: company ids separated by commas."""
    ids = {port.check_uuid(part, "collapsed") for part in value.split(",")} if value else set()
    if len(ids) > MAX_COLLAPSED:
        raise ValueError(f"collapsed takes at most {MAX_COLLAPSED} companies")
    return tuple(sorted(ids))
