"""The demo world: companies, agents and runs that live on their own. Thread-safe, no HTTP.

Time only moves when someone asks (`advance()`, called before every /api request):
due script steps are printed with the timestamps they were scheduled for, finished
runs let queued ones start, and agents wake again on their heartbeat interval. So a
frozen clock makes every answer deterministic, and an idle server costs nothing.
"""

from __future__ import annotations

import itertools
import random
import threading
import uuid

from . import costs, entities, lifecycle, scripts, seed, shapes
from .clock import Clock, canonical_uuid
from .errors import Conflict, NotFound, NotInvokable
from .model import CANCELLABLE_STATUSES, Agent, Company, Issue, Run
from .world_control import WorldControls

PACE = 2.5  # script delays are stretched by this so a run lasts about a minute
MAX_CATCH_UP = 60.0  # after a long idle gap, simulate at most this many seconds of it
KEEP_FINISHED_PER_AGENT = 25
LOG_DEFAULT_LIMIT, LOG_MAX_LIMIT = 256_000, 1024 * 1024


class World(WorldControls):
    def __init__(self, clock: Clock | None = None, autoplay: bool = True, seed_value: int = 1729):
        self.clock = clock or Clock()
        self._lock = threading.RLock()
        self._seed_value = seed_value
        self._autoplay = autoplay
        self.reseed()

    # ---- lifecycle of the whole world -------------------------------------------------
    def reseed(self) -> None:
        with self._lock:
            self._rng = random.Random(self._seed_value)
            self._event_ids = itertools.count(1)
            self._order = itertools.count()
            self.companies: dict[str, Company] = {}
            self.agents: dict[str, Agent] = {}
            self.issues: dict[str, Issue] = {}
            self.runs: dict[str, Run] = {}
            self._rank: dict[str, int] = {}  # creation order, to break createdAt ties
            self._live: set[str] = set()
            now = self.clock.now()
            self._frozen_at = None if self._autoplay else now
            self.costs = costs.Ledger(self._seed_value)
            self._seed(now)
            self.costs.seed(self.agents, self.companies, now)

    @property
    def autoplay(self) -> bool:
        return self._autoplay

    def set_autoplay(self, on: bool) -> None:
        with self._lock:
            now = self.clock.now()
            if on and not self._autoplay:
                # resume where we froze: shift every schedule by the frozen gap
                gap = now - (self._frozen_at or now)
                for run in self._live_runs():
                    if run.next_step_at is not None:
                        run.next_step_at += gap
                for agent in self.agents.values():
                    if agent.next_wake_at is not None:
                        agent.next_wake_at += gap
                self._frozen_at = None
            elif not on and self._autoplay:
                self.advance()
                self._frozen_at = now
            self._autoplay = on

    def advance(self) -> None:
        """Play everything that was due by now (if autoplay is on)."""
        with self._lock:
            if not self._autoplay:
                return
            now = self.clock.now()
            floor = now - MAX_CATCH_UP
            for _ in range(50_000):
                due = self._next_due()
                if due is None or due[0] > now:
                    break
                t, item = max(due[0], floor), due[1]
                if isinstance(item, Run):
                    self._step(item, t)
                else:
                    self._timer_wake(item, t)

    # ---- Paperclip reads --------------------------------------------------------------
    def company_list(self) -> list[dict]:
        with self._lock:
            return [entities.company(c) for c in self.companies.values()]

    def company(self, cid: str) -> dict:
        with self._lock:
            if cid not in self.companies:
                raise NotFound("Company not found")
            return entities.company(self.companies[cid])

    def live_runs(self, cid: str, limit: int, min_count: int) -> list[dict]:
        with self._lock:
            now = self.clock.now()
            mine = sorted((r for r in self.runs.values() if r.company_id == cid),
                          key=lambda r: (r.created_at, self._rank[r.id]), reverse=True)
            rows = [r for r in mine if r.live][:limit]
            floor = min(min_count, limit)
            if len(rows) < floor:  # pad with the most recent finished runs
                rows += [r for r in mine if not r.live][: floor - len(rows)]
            return [shapes.live_row(r, self.agents[r.agent_id], now) for r in rows]

    def company_runs(self, cid: str, agent_id: str | None, limit: int | None,
                     summary: bool) -> list[dict]:
        with self._lock:
            rows = sorted((r for r in self.runs.values() if r.company_id == cid
                           and (agent_id is None or r.agent_id == agent_id)),
                          key=lambda r: (r.created_at, self._rank[r.id]), reverse=True)
            return [shapes.run_list_row(r, self._adapter(r), summary) for r in rows[:limit]]

    def run(self, rid: str) -> dict:
        with self._lock:
            run = self._get_run(rid)
            return shapes.run_full(run, self._adapter(run), self.clock.now())

    def read_log(self, rid: str, offset: int, limit: int) -> dict:
        with self._lock:
            run = self._get_run(rid)
            if not run.log_started:
                raise NotFound("Run log not found")
            size = len(run.log)
            start = min(max(offset, 0), size)
            end = min(start + limit, size)
            data = bytes(run.log[start:end])
            ref = shapes.log_ref(run)
        # cut at a byte boundary and decoded slice by slice, like Buffer.toString("utf8")
        answer = {"runId": rid, "store": "local_file", "logRef": ref,
                  "content": data.decode("utf-8", errors="replace")}
        if end < size:  # present only when more bytes exist: absent (not null) at EOF
            answer["nextOffset"] = end
        return answer

    def events(self, rid: str, after_seq: int, limit: int) -> list[dict]:
        with self._lock:
            run = self._get_run(rid)
            return [e for e in run.events if e["seq"] > after_seq][:limit]

    def run_issues(self, rid: str) -> list[dict]:
        with self._lock:
            run = self.runs.get(rid)
            if run is None or run.issue_id not in self.issues:
                return []
            return [entities.run_issue(self.issues[run.issue_id])]

    def agent(self, aid: str) -> dict:
        with self._lock:
            return entities.agent(self._get_agent(aid), self._agent_status(aid), detail=True)

    def agent_list(self, cid: str) -> list[dict]:
        with self._lock:
            return [entities.agent(a, self._agent_status(a.id))
                    for a in self.agents.values() if a.company_id == cid]

    # ---- Paperclip's cost routes (costs.py) -------------------------------------------
    def cost_summary(self, cid: str, since: float | None, until: float | None) -> dict:
        with self._lock:
            if cid not in self.companies:
                raise NotFound("Company not found")
            return self.costs.summary(self.companies[cid], since, until)

    def costs_by_agent(self, cid: str, since: float | None, until: float | None) -> list[dict]:
        with self._lock:
            return self.costs.by_agent(cid, self.agents, self._agent_status, since, until)

    def window_spend(self, cid: str) -> list[dict]:
        with self._lock:
            return self.costs.window_spend(cid, self.clock.now())

    def budget_overview(self, cid: str) -> dict:
        with self._lock:
            if cid not in self.companies:  # the real route answers an empty overview
                return {"companyId": cid, "policies": [], "activeIncidents": [],
                        "pausedAgentCount": 0, "pausedProjectCount": 0,
                        "pendingApprovalCount": 0}
            return self.costs.overview(self.companies[cid], self.agents, self._agent_status,
                                       self.clock.now())

    def issue(self, ref: str) -> dict:
        with self._lock:
            issue = self._find_issue(ref)
            working = [r for r in self._live_runs()
                       if r.issue_id == issue.id and r.status == "running"]
            return entities.issue(issue, working[0].id if working else None)

    # ---- Paperclip writes -------------------------------------------------------------
    def cancel(self, rid: str) -> dict:
        with self._lock:
            run = self._get_run(rid)
            if run.status in CANCELLABLE_STATUSES:  # otherwise: idempotent, unchanged
                agent, t = self.agents[run.agent_id], self.clock.now()
                lifecycle.cancel(run, agent, t, self._next_event_id)
                self._live.discard(run.id)
                self._start_queued(agent, t)
            return shapes.run_row(run, self._adapter(run))

    def reset_session(self, aid: str, task_key: str | None) -> dict:
        with self._lock:
            agent = self._get_agent(aid)
            if task_key:
                keys = {task_key}
                issue = self._find_issue(task_key, missing_ok=True)
                if issue:  # an issue's id and identifier are aliases of one task
                    keys |= {issue.id, issue.identifier}
                cleared = [k for k in agent.task_keys if k in keys]
                agent.task_keys = [k for k in agent.task_keys if k not in keys]
            else:
                cleared, agent.task_keys, agent.state_json = list(agent.task_keys), [], {}
            agent.session_id = None
            agent.runtime_updated_at = self.clock.now()
            return {**entities.runtime_state(agent), "clearedTaskSessions": len(cleared)}

    def pause(self, aid: str) -> dict:
        """Cancels the agent's queued and running runs (errorCode agent_paused); its
        timer skips it until resumed. Pausing a paused agent changes nothing."""
        with self._lock:
            agent = self._get_agent(aid)
            t = self.clock.now()
            if agent.paused_at is None:
                agent.paused_at, agent.pause_reason, agent.updated_at = t, "manual", t
                for run in [r for r in self._live_runs() if r.agent_id == aid]:
                    lifecycle.cancel(run, agent, t, self._next_event_id, by_pause=True)
                    self._live.discard(run.id)
            return entities.agent(agent, self._agent_status(aid))

    def resume(self, aid: str) -> dict:
        with self._lock:
            agent = self._get_agent(aid)
            agent.paused_at = agent.pause_reason = None
            agent.updated_at = self.clock.now()
            return entities.agent(agent, self._agent_status(aid))

    def wakeup(self, aid: str, source: str, trigger: str | None, reason: str | None,
               issue_ref: str | None) -> dict:
        with self._lock:
            agent = self._get_agent(aid)
            if agent.paused_at is not None:
                raise NotInvokable(aid)
            issue = self._find_issue(issue_ref, missing_ok=True) if issue_ref else None
            t = self.clock.now()
            run = self._new_run(agent, t, source, trigger, issue.id if issue else None,
                                reason=reason or "manual wake", autoplay=True)
            self._start_queued(agent, t)
            return shapes.run_row(run, agent.adapter_type)

    # ---- internals (lock held) --------------------------------------------------------
    def _new_id(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def _next_event_id(self) -> int:
        return next(self._event_ids)

    def _adapter(self, run: Run) -> str:
        return self.agents[run.agent_id].adapter_type

    def _get_run(self, rid: str) -> Run:
        run = self.runs.get(rid)
        if run is None:
            raise NotFound("Heartbeat run not found")
        return run

    def _get_logging_run(self, rid: str) -> Run:
        run = self._get_run(rid)
        if not run.log_started:
            raise Conflict(f"run is {run.status} and has no log yet")
        return run

    def _get_agent(self, aid: str) -> Agent:
        if aid not in self.agents:
            raise NotFound("Agent not found")
        return self.agents[aid]

    def _find_issue(self, ref: str, missing_ok: bool = False) -> Issue | None:
        key = canonical_uuid(ref or "")
        if key in self.issues:
            return self.issues[key]
        for issue in self.issues.values():
            if issue.identifier.lower() == (ref or "").lower():
                return issue
        if missing_ok:
            return None
        raise NotFound("Issue not found")

    def _agent_status(self, aid: str) -> str:
        agent = self.agents[aid]
        if agent.paused_at is not None:
            return "paused"
        if agent.error_reason:
            return "error"
        running = any(self.runs[r].agent_id == aid and self.runs[r].status == "running"
                      for r in self._live)
        return "running" if running else "idle"

    def _live_runs(self) -> list[Run]:
        return [self.runs[r] for r in self._live]

    def _new_run(self, agent: Agent, t: float, source: str, trigger: str | None,
                 issue_id: str | None, reason: str, autoplay: bool, script: str | None = None,
                 run_id: str | None = None) -> Run:
        context = {"actorId": "local-board", "wakeReason": reason, "wakeSource": source,
                   "triggeredBy": "board" if source == "on_demand" else "system",
                   "forceFreshSession": False, "responsibleUserId": "local-board",
                   "wakeTriggerDetail": trigger, "originIdentityContextId": None}
        if issue_id:
            context.update({"issueId": issue_id, "taskKey": issue_id})
        run = Run(id=run_id or self._new_id(), company_id=agent.company_id, agent_id=agent.id,
                  status="queued", invocation_source=source, trigger_detail=trigger,
                  created_at=t, updated_at=t, context=context,
                  wakeup_request_id=self._new_id(), issue_id=issue_id, autoplay=autoplay)
        run.script = scripts.build(script or agent.script, self._rng, agent.id)
        self.runs[run.id] = run
        self._rank[run.id] = next(self._order)
        self._live.add(run.id)
        return run

    def _start(self, run: Run, t: float) -> None:
        agent = self.agents[run.agent_id]
        lifecycle.start(run, agent, t, self._new_id, self._rng.randint(2000, 60000),
                        self._next_event_id)
        agent.last_heartbeat_at = t
        self._schedule(run, t)

    def _start_queued(self, agent: Agent, t: float) -> None:
        """startNextQueuedRunForAgent: fill free slots, oldest queued first."""
        mine = [self.runs[r] for r in self._live if self.runs[r].agent_id == agent.id]
        free = agent.max_concurrent_runs - sum(r.status == "running" for r in mine)
        queued = sorted((r for r in mine if r.status == "queued"), key=lambda r: self._rank[r.id])
        for run in queued[:max(free, 0)]:
            self._start(run, t)

    def _schedule(self, run: Run, t: float) -> None:
        script = run.script
        if not run.autoplay or script is None or run.status != "running":
            run.next_step_at = None
        elif run.step_index < len(script.steps):
            delay = script.steps[run.step_index].delay * PACE * self._rng.uniform(0.6, 1.4)
            run.next_step_at = t + delay
        else:  # a hanging script never exits; others exit shortly after their last line
            run.next_step_at = None if script.outcome == "hang" else t + 0.5

    def _step(self, run: Run, t: float) -> None:
        script = run.script
        if run.step_index < len(script.steps):
            step = script.steps[run.step_index]
            lifecycle.emit(run, t, step.stream, step.chunk, step.tool, step.snippet)
            run.step_index += 1
            self._schedule(run, t)
        else:
            self._finish(run, t, script.outcome, script.exit_code)

    def _finish(self, run: Run, t: float, status: str, exit_code: int | None) -> None:
        agent = self.agents[run.agent_id]
        run.next_step_at = None
        lifecycle.finish(run, agent, t, status, exit_code, self._next_event_id)
        self.costs.record_run(run, agent, self.companies[run.company_id])
        self._live.discard(run.id)
        self._start_queued(agent, t)
        self._prune(agent)

    def _prune(self, agent: Agent) -> None:
        done = sorted((r for r in self.runs.values() if r.agent_id == agent.id and not r.live),
                      key=lambda r: self._rank[r.id])
        for run in done[:-KEEP_FINISHED_PER_AGENT]:
            del self.runs[run.id]

    def _next_due(self):
        best = None
        for run in self._live_runs():
            if run.next_step_at is not None and (best is None or run.next_step_at < best[0]):
                best = (run.next_step_at, run)
        for agent in self.agents.values():
            if agent.heartbeat_enabled and agent.next_wake_at is not None and (
                    best is None or agent.next_wake_at < best[0]):
                best = (agent.next_wake_at, agent)
        return best

    def _timer_wake(self, agent: Agent, t: float) -> None:
        live = sum(self.runs[r].agent_id == agent.id for r in self._live)
        if live < agent.wake_cap and agent.paused_at is None:
            open_issues = [i.id for i in self.issues.values()
                           if i.assignee_agent_id == agent.id and i.status != "done"]
            issue_id = self._rng.choice(open_issues + [None])
            self._new_run(agent, t, "timer", "system", issue_id, reason="heartbeat_timer",
                          autoplay=True)
            self._start_queued(agent, t)
        agent.next_wake_at = t + agent.interval_sec * self._rng.uniform(0.8, 1.3)

    def _seed(self, now: float) -> None:
        seed.populate(self, now)
