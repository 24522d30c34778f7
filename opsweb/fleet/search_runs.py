"""Searches as the routes ask for them: one run's transcript (from its start or from a
cursor of an earlier answer), and an agent's last runs, each for its first match."""
from __future__ import annotations

import concurrent.futures as cf
import time
from dataclasses import dataclass
from typing import Callable

from opsweb import platform_port as port
from opsweb.fleet.runlog import RunInfo, RunLogs
from opsweb.fleet.search_store import SearchStore
from opsweb.fleet.search import MAX_MATCHES, SEARCH_SECONDS, Found, Query, parse_from, scan
from opsweb.i18n.said import Said
from opsweb.runtime import untrusted

MAX_RUNS = 20
DEFAULT_RUNS = 5
PARALLEL = 4   # runs searched at once: Paperclip reads their logs, one page at a time
# A page's first answer reads in smaller steps, so that a match in the first MB is on
# screen after converting a quarter of it (converting is most of a search's time).
EARLY_PAGE = 262_144


@dataclass
class RunFound:
    """One run of an agent's search: its first match, or why there is none."""
    run: dict
    found: Found | None = None
    error: str | None = None

    def to_json(self) -> dict:
        found = self.found
        return {"runId": self.run["id"], "status": self.run.get("status"),
                "startedAt": self.run.get("startedAt"), "finishedAt": self.run.get("finishedAt"),
                "match": found.matches[0].to_json() if found and found.matches else None,
                # searched to its end, or far enough to find its first match
                "complete": found is not None and (not found.truncated or bool(found.matches)),
                "scannedBytes": found.scanned_bytes if found else 0,
                "totalBytes": found.total_bytes if found else None, "error": self.error}


class Searches:
    def __init__(self, platform: port.Platform, logs: RunLogs, store: SearchStore,
                 clock: Callable[[], float] = time.monotonic):
        self.platform, self.logs, self.store, self.clock = platform, logs, store, clock

    def run(self, run_id: str, query: Query, start: str | None = None,
            until: int | None = None, *, early: bool = False, limit: int = MAX_MATCHES,
            seconds: float = SEARCH_SECONDS) -> tuple[RunInfo, Found]:
        """The matches of one run's transcript. `start` and `until`: an earlier answer's
        cursor and total, to search further within what existed when it began."""
        cursor, skip = parse_from(start) if start else ("0", 0)
        info = self.logs.info(run_id)
        fetch, size = self.logs.bounded(info)
        until = size if until is None else min(until, size)
        page = EARLY_PAGE if early else port.MAX_LOG_PAGE_BYTES
        segments = self.store.segments(run_id, not info.live, size, cursor,
                                       lambda at: self.logs.reads(info, fetch, at, page))
        found = scan(segments, query, until, skip=skip, limit=limit, seconds=seconds,
                     early=early, clock=self.clock)
        return info, found

    def agent(self, agent_id: str, query: Query, runs: int = DEFAULT_RUNS) -> tuple[dict, list[RunFound]]:
        """The agent's last `runs` runs (newest first), each searched for its first
        match, PARALLEL at a time, within one deadline for all of them."""
        agent = port.pc_get_agent(self.platform, agent_id)
        company_id = port.check_uuid(agent.get("companyId"), "company id")
        rows = port.pc_list_heartbeat_runs(self.platform, company_id, agent_id, limit=runs)
        # a Paperclip that ignored agentId must not mix in other agents' runs
        rows = [r for r in rows if isinstance(r, dict) and r.get("agentId") == agent_id
                and untrusted.uuid_or_none(r.get("id"))][:runs]
        deadline = self.clock() + SEARCH_SECONDS

        def one(row: dict) -> RunFound:
            left = deadline - self.clock()
            if left <= 0:
                return RunFound(row, error=Said("Not searched: the search ran out of time."))
            try:
                return RunFound(row, self.run(row["id"], query, limit=1, seconds=left)[1])
            except port.PlatformError as err:
                return RunFound(row, error=err.message)

        with cf.ThreadPoolExecutor(PARALLEL, thread_name_prefix="opsweb-search") as pool:
            return agent, list(pool.map(one, rows))
