"""What tests and benches do to the world through /__demo: make runs, feed their logs,
end them, fake silence. A mixin of World (same lock, same records), kept apart from
what Paperclip itself does.
"""

from __future__ import annotations

from . import lifecycle, seed, shapes
from .clock import iso
from .errors import Conflict
from .model import TERMINAL_STATUSES, Agent, Issue


class WorldControls:
    def create_run(self, agent_id: str, status: str | None = None, script: str | None = None,
                   autoplay: bool = False, issue: object = None) -> dict:
        with self._lock:
            agent = self._get_agent(agent_id)
            issue_id = self._issue_for_control(agent, issue)
            t = self.clock.now()
            run = self._new_run(agent, t, "on_demand", "manual", issue_id, reason="demo control",
                                autoplay=autoplay, script=script)
            if status == "running":
                self._start(run, t)
            elif status is None:
                self._start_queued(agent, t)
            return shapes.run_full(run, agent.adapter_type, t)

    def append_output(self, rid: str, stream: str, chunk: str) -> dict:
        with self._lock:
            run = self._get_logging_run(rid)
            lifecycle.emit(run, self.clock.now(), stream, chunk)
            return {"seq": run.seq, "bytes": len(run.log)}

    def append_bulk(self, rid: str, nbytes: int) -> dict:
        with self._lock:
            run = self._get_logging_run(rid)
            t = self.clock.now()
            data, count = lifecycle.bulk_lines(self.agents[run.agent_id].script, nbytes, run.seq, t)
            run.log += data
            run.seq += count
            run.last_output_at, run.last_output_stream, run.updated_at = t, "stdout", t
            lifecycle.flush_progress(run, t)
            return {"seq": run.seq, "bytes": len(run.log), "appended": len(data)}

    def append_raw(self, rid: str, data: bytes) -> dict:
        """Bytes go into the log verbatim (the caller makes them NDJSON, or not)."""
        with self._lock:
            run = self._get_logging_run(rid)
            t = self.clock.now()
            run.log += data
            run.seq += data.count(b"\n")
            run.last_output_at, run.last_output_stream, run.updated_at = t, "stdout", t
            lifecycle.flush_progress(run, t)
            return {"seq": run.seq, "bytes": len(run.log), "appended": len(data)}

    def finish_run(self, rid: str, status: str, exit_code: int | None = None) -> dict:
        if status not in TERMINAL_STATUSES:
            raise ValueError(f"status must be one of {', '.join(TERMINAL_STATUSES)}")
        with self._lock:
            run = self._get_run(rid)
            if not run.live:
                raise Conflict(f"run is already {run.status}")
            if status == "cancelled":
                self.cancel(rid)
            else:
                code = exit_code if exit_code is not None else (0 if status == "succeeded" else 1)
                self._finish(run, self.clock.now(), status, code)
            return self.run(rid)

    def play(self, rid: str, steps: int | None = None, finish: bool = False) -> dict:
        """Print the run's next `steps` script steps (all when None) right now."""
        with self._lock:
            run = self._get_logging_run(rid)
            t = self.clock.now()
            script = run.script
            remaining = len(script.steps) - run.step_index if script else 0
            for _ in range(remaining if steps is None else min(steps, remaining)):
                step = script.steps[run.step_index]
                lifecycle.emit(run, t, step.stream, step.chunk, step.tool, step.snippet)
                run.step_index += 1
            if finish and run.live and script and script.outcome != "hang":
                self._finish(run, t, script.outcome, script.exit_code)
            return self.run(rid)

    def silence(self, rid: str, ago_ms: int | None = None, snooze_ms: int | None = None) -> dict:
        """Pretend the run last printed `ago_ms` ago; snooze its watchdog for `snooze_ms`."""
        with self._lock:
            run = self._get_run(rid)
            now = self.clock.now()
            if ago_ms is not None:  # and it stays silent: its script stops playing
                run.last_output_at = now - ago_ms / 1000
                run.autoplay, run.next_step_at = False, None
            if snooze_ms is not None:
                run.snoozed_until = now + snooze_ms / 1000 if snooze_ms > 0 else None
            return self.run(rid)

    def late_loop(self) -> dict:
        """Schema Migrator joins Acme, failing on every wake from now on."""
        with self._lock:
            seed.late_loop(self, self.clock.now())
            return self.directory()

    def crowd(self, count: int) -> dict:
        if not 0 < count <= 500:
            raise ValueError("runs must be between 1 and 500")
        with self._lock:
            seed.crowd(self, self.clock.now(), count)
            return self.directory()

    def directory(self) -> dict:
        with self._lock:
            return {
                "now": iso(self.clock.now()), "autoplay": self._autoplay,
                "companies": [{"id": c.id, "name": c.name, "issuePrefix": c.issue_prefix}
                              for c in self.companies.values()],
                "agents": [{"id": a.id, "companyId": a.company_id, "name": a.name,
                            "adapterType": a.adapter_type, "maxConcurrentRuns": a.max_concurrent_runs,
                            "heartbeatEnabled": a.heartbeat_enabled} for a in self.agents.values()],
                "issues": [{"id": i.id, "identifier": i.identifier, "title": i.title}
                           for i in self.issues.values()],
                "runs": {role: rid for role, rid in seed.RUN_ROLES.items() if rid in self.runs},
                "agentRoles": dict(seed.AGENT_ROLES),
            }

    def _issue_for_control(self, agent: Agent, issue: object) -> str | None:
        if issue is None or issue is False:
            return None
        if isinstance(issue, str):
            return self._find_issue(issue).id
        spec = issue if isinstance(issue, dict) else {}
        company = self.companies[agent.company_id]
        company.issue_counter += 1
        n = company.issue_counter
        new = Issue(id=self._new_id(), company_id=company.id, number=n,
                    identifier=f"{company.issue_prefix}-{n}",
                    title=str(spec.get("title") or f"Demo task {n}"),
                    status=str(spec.get("status") or "in_progress"),
                    priority=str(spec.get("priority") or "medium"),
                    assignee_agent_id=agent.id, created_at=self.clock.now())
        self.issues[new.id] = new
        return new.id
