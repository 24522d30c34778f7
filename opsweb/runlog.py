"""What the log dialog shows for one run: who runs it, whether it still lives, the
converted transcript after a cursor, and the event timeline after a sequence number.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from opsweb import platform_port as port
from opsweb import untrusted
from opsweb.coalesce import Coalescer
from opsweb.log_reader import LogSlice, read_log

TERMINAL = frozenset({"succeeded", "failed", "cancelled", "timed_out", "interrupted"})
EVENTS_PAGE = 200


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    status: str
    agent_id: str
    agent_name: str
    adapter_type: str
    size_hint: int | None
    finished_at: str | None
    error: str | None

    @property
    def live(self) -> bool:
        return self.status not in TERMINAL

    def to_json(self) -> dict:
        return {"runId": self.run_id, "status": self.status, "agentId": self.agent_id,
                "agentName": self.agent_name, "adapterType": self.adapter_type,
                "live": self.live, "finishedAt": self.finished_at, "error": self.error}


class RunLogs:
    def __init__(self, platform: port.Platform):
        self.platform = platform
        # An agent's name and adapter type change rarely; a dialog polls every 2 s.
        self._agents = Coalescer(300.0, serve_stale=True)

    def info(self, run_id: str) -> RunInfo:
        run = port.pc_get_run(self.platform, run_id)
        agent_id = str(run.get("agentId") or "")
        try:
            agent = self._agents.get(agent_id, port.pc_get_agent, self.platform, agent_id)
        except port.PlatformError:
            agent = {}
        dispatch = untrusted.obj(untrusted.obj(run.get("runnerProfileJson")).get("adapterDispatch"))
        size = run.get("logBytes") or run.get("lastOutputBytes")
        return RunInfo(
            run_id=run_id,
            status=str(run.get("status") or "unknown"),
            agent_id=agent_id,
            agent_name=untrusted.text(agent.get("name")) or agent_id[:8] or "unknown agent",
            adapter_type=str(agent.get("adapterType") or dispatch.get("adapterType") or "unknown"),
            size_hint=size if isinstance(size, int) else None,
            finished_at=run.get("finishedAt"),
            error=untrusted.text(run.get("error")),
        )

    def transcript(self, info: RunInfo, cursor: str | None = None,
                   before: str | None = None) -> LogSlice:
        fetch = partial(port.pc_get_run_log, self.platform, info.run_id)
        return read_log(fetch, info.adapter_type, cursor, before=before,
                        size_hint=info.size_hint, max_page=port.MAX_LOG_PAGE_BYTES,
                        eof_flush=not info.live)

    def raw_pages(self, run_id: str):
        """The raw NDJSON, one upstream page at a time. Pages end at a line break so
        that no UTF-8 character is cut in two (Paperclip cuts at any byte)."""
        offset = 0
        while True:
            content, next_offset = port.pc_get_run_log(self.platform, run_id, offset,
                                                       port.MAX_LOG_PAGE_BYTES)
            if next_offset is None:
                yield content
                return
            whole, newline, _ = content.rpartition("\n")
            if not newline:  # one line longer than a page: pass it on as it came
                yield content
                offset = next_offset
                continue
            yield whole + newline
            offset += len((whole + newline).encode("utf-8"))

    def events(self, run_id: str, after_seq: int = 0) -> list[dict]:
        return port.pc_get_run_events(self.platform, run_id, after_seq, EVENTS_PAGE)
