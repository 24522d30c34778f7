"""What the log dialog shows for one run: who runs it, whether it still lives, the
converted transcript after a cursor, and the event timeline after a sequence number.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import NamedTuple

from opsweb import platform_port as port
from opsweb.i18n import timefmt
from opsweb.runtime import untrusted
from opsweb.fleet.coalesce import Coalescer
from opsweb.fleet.run_status import TERMINAL
from opsweb.transcript.cursor import SKIP_PARTIAL, Cursor
from opsweb.transcript.paging import PROBE, Guard, Limits, find_end
from opsweb.transcript.reader import LogSlice, read_log
from opsweb.transcript.entry import Entry, extend_transcript, transcript_text

_CUT = "\ufffd"
EVENTS_PAGE = 200
SILENT_SECONDS = 3600  # Paperclip calls an hour without output "suspicious"
# A whole-log download may run past the end found when it started by this much (the
# run goes on writing), and may take this long, before it is cut short.
DOWNLOAD_GROWTH = 64 * port.MAX_LOG_PAGE_BYTES
DOWNLOAD_SECONDS = 600.0
# The log opened at a match: this much before its record, this much from it (and per
# "load later output"); small enough that the dialog's entry bound never drops the match.
AROUND_BEFORE = 65_536
AROUND_BYTES = 262_144


class Read(NamedTuple):
    """One read of a whole-log pass: where it began and where the next one begins
    (log cursors), its entries and the byte offset of each one's record."""
    start: str
    end: str
    entries: list[Entry]
    offsets: list[int]
    at_eof: bool


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
    issue_id: str | None = None
    issue_label: str | None = None   # "OPS-12 Drain the queue", when the issue could be read
    started_at: str | None = None
    last_output_at: str | None = None  # Paperclip's; lags, so the newest entry read wins

    def last_output(self, entries) -> str | None:
        """When the run last wrote: the newest entry read, else what Paperclip says."""
        return entries[-1].ts if entries else self.last_output_at

    def silent_seconds(self, last_output: str | None, now: float) -> float | None:
        """How long a live run has written nothing (since its start, if ever)."""
        since = timefmt.parse(last_output) or timefmt.parse(self.started_at)
        if not self.live or since is None:
            return None
        return max(0.0, now - since.timestamp())

    @property
    def live(self) -> bool:
        return self.status not in TERMINAL

    def to_json(self) -> dict:
        return {"runId": self.run_id, "status": self.status, "agentId": self.agent_id,
                "agentName": self.agent_name, "adapterType": self.adapter_type,
                "live": self.live, "finishedAt": self.finished_at, "error": self.error,
                "issueId": self.issue_id, "issueLabel": self.issue_label,
                "startedAt": self.started_at, "lastOutputAt": self.last_output_at}


class RunLogs:
    def __init__(self, platform: port.Platform):
        self.platform = platform
        # An agent's name and adapter type change rarely; a dialog polls every 2 s.
        self._agents = Coalescer(300.0, serve_stale=True)
        self._issues = Coalescer(300.0, serve_stale=True)

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
            started_at=untrusted.text(run.get("startedAt")),
            last_output_at=untrusted.text(run.get("lastOutputAt")),
            **self._issue(run),
        )

    def _issue(self, run: dict) -> dict:
        """The run's issue (in its context snapshot) and its label; a label that cannot
        be read leaves the id alone rather than failing the dialog."""
        context = run.get("contextSnapshot")
        issue_id = context.get("issueId") if isinstance(context, dict) else None
        issue_id = issue_id if isinstance(issue_id, str) else run.get("issueId")
        try:
            issue_id = port.check_uuid(issue_id, "issue id")
        except port.InvalidId:
            return {}
        try:
            issue = self._issues.get(issue_id, port.pc_get_issue, self.platform, issue_id)
        except port.PlatformError:
            return {"issue_id": issue_id}
        label = " ".join(str(issue.get(k)) for k in ("identifier", "title") if issue.get(k))
        return {"issue_id": issue_id, "issue_label": label or None}

    def transcript(self, info: RunInfo, cursor: str | None = None, before: str | None = None,
                   since: str | None = None) -> LogSlice:
        return read_log(self._fetch(info.run_id), info.adapter_type, cursor, before=before,
                        since=since, size_hint=info.size_hint, max_page=port.MAX_LOG_PAGE_BYTES,
                        eof_flush=not info.live, jump=True)

    def _fetch(self, run_id: str):
        return partial(port.pc_get_run_log, self.platform, run_id)

    def bounded(self, info: RunInfo) -> tuple[Guard, int]:
        """A fetch for reading the whole log, bounded by the size found now (plus what
        the run may still write) so that a server ignoring `offset` cannot stream for
        ever, and that size. Finding the end is bounded too: it fails (a 502) before
        anything is sent."""
        fetch = self._fetch(info.run_id)
        # to a probe (4 KiB), not to a page: a search's `until` is what the log held
        # when it began (a read that reaches the end makes it exact)
        _, size = find_end(Guard(fetch), info.size_hint or 0, PROBE)
        budget = size + DOWNLOAD_GROWTH
        return Guard(fetch, Limits(calls=128 + budget // port.MAX_LOG_PAGE_BYTES,
                                   bytes=budget, seconds=DOWNLOAD_SECONDS)), size

    def _download_guard(self, info: RunInfo) -> Guard:
        return self.bounded(info)[0]

    def raw_pages(self, info: RunInfo):
        """The raw NDJSON, one upstream page at a time. Pages end at a line break so
        that no UTF-8 character is cut in two (Paperclip cuts at any byte); the offset
        moves by Paperclip's nextOffset, never by counting decoded text."""
        fetch = self._download_guard(info)
        offset = 0
        while True:
            content, next_offset = fetch(offset, port.MAX_LOG_PAGE_BYTES)
            if next_offset is None:
                yield content
                return
            cut = content.rfind("\n") + 1
            if not cut or _CUT in content[:cut]:  # no line break, or bytes of unknown width: as it came
                yield content
                offset = next_offset
                continue
            yield content[:cut]
            offset += len(content[:cut].encode("utf-8"))

    def text_pages(self, info: RunInfo):
        """The whole transcript as text, a read at a time (constant memory)."""
        for read in self.reads(info, self._download_guard(info)):
            yield transcript_text(read.entries)

    def reads(self, info: RunInfo, fetch, cursor: str = "0", page: int = port.MAX_LOG_PAGE_BYTES):
        """The transcript from `cursor` on, one read of `page` bytes at a time: each read
        resumes at the previous one's cursor; a streamed block cut by a read's end is
        held back and joined with its continuation (so it comes in the next Read)."""
        held: list = []
        held_at: list[int] = []
        while True:
            part = read_log(fetch, info.adapter_type, cursor, max_page=page, budget=page,
                            eof_flush=not info.live)
            if not part.at_eof and part.cursor == cursor:
                raise port.BadResponse("The run log stopped advancing (megabytes without a line"
                                       " break?): the transcript was cut short here")
            for entry, offset in zip(part.entries, part.offsets):
                count = len(held)
                extend_transcript(held, (entry,))
                if len(held) > count:
                    held_at.append(offset)
            done = part.at_eof
            keep = 1 if held and held[-1].delta and not done else 0
            if len(held) > keep:
                cut = len(held) - keep
                yield Read(cursor, part.cursor, held[:cut], held_at[:cut], done)
                held, held_at = held[cut:], held_at[cut:]
            if done:
                return
            cursor = part.cursor

    def around(self, info: RunInfo, at: int) -> LogSlice:
        """The log opened at a search match: a little of the output before the record
        at byte `at`, then a window from it, with `earlier` and `cursor` to read on
        either side. Starting from the byte before `at` as a partial line makes any
        offset safe: one that is not a line start drops the rest of its line."""
        before = read_log(self._fetch(info.run_id), info.adapter_type, before=at,
                          tail_bytes=AROUND_BEFORE, max_page=port.MAX_LOG_PAGE_BYTES)
        after = self.later(info, str(Cursor(at - 1, state=SKIP_PARTIAL)) if at else "0")
        return replace(after, entries=before.entries + after.entries, earlier=before.earlier,
                       offsets=before.offsets + after.offsets,
                       started_at_offset=before.started_at_offset)

    def later(self, info: RunInfo, cursor: str) -> LogSlice:
        """The window after `cursor`, however far behind the end it is (no jump)."""
        return read_log(self._fetch(info.run_id), info.adapter_type, cursor,
                        max_page=AROUND_BYTES, eof_flush=not info.live, budget=AROUND_BYTES)

    def events(self, run_id: str, after_seq: int = 0) -> list[dict]:
        return port.pc_get_run_events(self.platform, run_id, after_seq, EVENTS_PAGE)
