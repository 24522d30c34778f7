"""Seed a real Paperclip server over HTTP (requests only) for the contract suite.

What `seed(base_url)` leaves behind, all with `process`-adapter agents (bash loops):

company A ("Contract Ops A …")
  * runner   – one running run printing for `run_seconds` (plain text with markup, Claude stream-json,
               red ANSI on stderr, a non-ASCII line), woken on demand
  * drainer  – `runtimeConfig.heartbeat.maxConcurrentRuns: 1`, woken twice with different
               idempotencyKeys: one run running, one run **queued** behind it
  * quick    – a run that printed a few lines and **succeeded** (for "Stop on a finished run")
company B ("Contract Ops B …")
  * issue bot – an issue assigned to it; the assignment wakes it, so its running run carries `issueId`

`seed` returns only once every running run is `running` and its log holds both stdout and stderr
lines, the queued run is `queued` and the quick run has finished. Every wait is bounded.

Paperclip facts this relies on (docs/paperclip-notes.md, checked against 2026.916.1):
* `POST /api/companies/:cid/agents` accepts `runtimeConfig` in the create call.
* A wake with `payload.issueId` of an issue that is not assigned to the agent is cancelled at once
  ("issue assignee changed"); assigning the issue at creation wakes the agent by itself
  (`invocationSource: "assignment"`).
* An issue-bound run that ends without an issue comment gets one follow-up wake
  (`invocationSource: "automation"`), so company B gains a run after `run_seconds`.
"""
from __future__ import annotations

import json
import os
import secrets
import time
import uuid
from dataclasses import dataclass

import requests

# One line of each kind a panel must render safely: markup, Claude stream-json, ANSI on stderr, UTF-8.
HTML_LINE = "<b>bold</b><script>alert(1)</script>"
# In the bash loop below `$i` is spliced in by closing and reopening the single quotes.
CLAUDE_LINE = '{"type":"assistant","message":{"content":[{"type":"text","text":"step \'$i\'"}]}}'


def chatty_script(seconds: int) -> str:
    """bash: print for `seconds` seconds, once a second, on stdout and stderr, then exit 0."""
    return (
        f"for i in $(seq 1 {int(seconds)}); do "
        f"echo \"tick $i {HTML_LINE}\"; "
        f"echo '{CLAUDE_LINE}'; "
        "echo \"héllo שלום $i\"; "
        "printf '\\033[31mwarn %s\\033[0m\\n' \"$i\" >&2; "
        "sleep 1; done"
    )


QUICK_SCRIPT = (
    f"echo 'quick start {HTML_LINE}'; "
    "echo '{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}}'; "
    "printf '\\033[33mquick warning\\033[0m\\n' >&2; echo 'quick done'"
)


class SeedError(RuntimeError):
    """The real server did not reach the seeded state; the message says which step and why."""


@dataclass(frozen=True)
class Seeded:
    base_url: str
    company_a_id: str
    company_b_id: str
    runner_agent_id: str
    drainer_agent_id: str
    quick_agent_id: str
    issue_agent_id: str
    runner_run_id: str        # running, company A
    drainer_run_id: str       # running, company A (blocks the queued run)
    queued_run_id: str        # queued behind drainer_run_id
    finished_run_id: str      # succeeded (quick agent)
    issue_id: str
    issue_identifier: str     # e.g. "COB-1"
    issue_run_id: str         # running, company B, live-runs row carries issueId
    run_seconds: int

    @property
    def company_ids(self) -> tuple[str, str]:
        return (self.company_a_id, self.company_b_id)

    @property
    def running_run_ids(self) -> tuple[str, ...]:
        return (self.runner_run_id, self.drainer_run_id, self.issue_run_id)


class PaperclipClient:
    """The few calls seeding needs. No auth header unless a token is given (local_trusted)."""

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 15.0):
        self.base = base_url.rstrip("/")
        self.http = requests.Session()
        self.timeout = timeout
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, body=None, expect=(200, 201, 202)) -> object:
        url = f"{self.base}/api{path}"
        try:
            resp = self.http.request(method, url, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise SeedError(f"{method} {url} failed: {exc}") from exc
        if resp.status_code not in expect:
            raise SeedError(f"{method} {url} -> HTTP {resp.status_code}: {resp.text[:500]}")
        try:
            return resp.json()
        except ValueError as exc:
            raise SeedError(f"{method} {url} answered non-JSON: {resp.text[:200]!r}") from exc

    def get(self, path: str, **kw):
        return self.call("GET", path, **kw)

    def post(self, path: str, body=None, **kw):
        return self.call("POST", path, {} if body is None else body, **kw)

    # --- building blocks (the later contract suite may reuse them) ---
    def create_company(self, name: str) -> dict:
        return self.post("/companies", {"name": name})

    def create_process_agent(self, company_id: str, name: str, script: str, *,
                             max_concurrent_runs: int | None = None) -> dict:
        body = {
            "name": name,
            "role": "engineer",
            "adapterType": "process",
            # graceSec: how long cancel waits between SIGTERM and SIGKILL of the process group.
            "adapterConfig": {"command": "bash", "args": ["-c", script], "timeoutSec": 3600, "graceSec": 3},
        }
        if max_concurrent_runs is not None:
            body["runtimeConfig"] = {"heartbeat": {"enabled": False, "maxConcurrentRuns": max_concurrent_runs}}
        return self.post(f"/companies/{company_id}/agents", body)

    def wake(self, agent_id: str, reason: str, idempotency_key: str | None = None) -> dict:
        body = {"source": "on_demand", "triggerDetail": "manual", "reason": reason}
        if idempotency_key:
            body["idempotencyKey"] = idempotency_key
        run = self.post(f"/agents/{agent_id}/wakeup", body)
        if not isinstance(run, dict) or run.get("status") == "skipped" or "id" not in run:
            raise SeedError(f"wakeup of agent {agent_id} did not create a run: {json.dumps(run)[:300]}")
        return run

    def run(self, run_id: str) -> dict:
        return self.get(f"/heartbeat-runs/{run_id}")

    def log_text(self, run_id: str) -> str:
        """The whole NDJSON log (all pages), or "" while there is none (queued run: 404)."""
        parts, offset = [], 0
        for _ in range(200):
            url = f"{self.base}/api/heartbeat-runs/{run_id}/log"
            resp = self.http.get(url, params={"offset": offset, "limitBytes": 1048576}, timeout=self.timeout)
            if resp.status_code == 404:
                return ""
            if resp.status_code != 200:
                raise SeedError(f"GET {url} -> HTTP {resp.status_code}: {resp.text[:300]}")
            page = resp.json()
            parts.append(page["content"])
            if "nextOffset" not in page:
                break
            offset = page["nextOffset"]
        return "".join(parts)


def _wait(what: str, check, timeout: float, interval: float = 0.5):
    """Poll `check()` until it returns a truthy value; SeedError with the last state after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        last = check()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise SeedError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def _streams(log_text: str) -> set[str]:
    seen = set()
    for line in log_text.splitlines():
        try:
            seen.add(json.loads(line).get("stream"))
        except ValueError:
            continue  # a partial last line
    return seen


def wait_running_with_output(client: PaperclipClient, run_id: str, timeout: float = 60.0) -> dict:
    def check():
        run = client.run(run_id)
        if run["status"] in ("succeeded", "failed", "cancelled", "timed_out", "interrupted"):
            raise SeedError(f"run {run_id} ended early: {run['status']} {run.get('error')!r}")
        if run["status"] != "running":
            return None
        streams = _streams(client.log_text(run_id))
        return run if {"stdout", "stderr"} <= streams else None
    return _wait(f"run {run_id} to be running with stdout and stderr output", check, timeout)


def printing_run(client: PaperclipClient, name: str, script: str, until: str):
    """A new company whose process agent runs `script`, once the log's end shows `until`:
    yields (company id, agent id, run id), and cancels the run if it still lives."""
    company = client.create_company(f"Contract {name} {secrets.token_hex(3)}")
    agent = client.create_process_agent(company["id"], f"{name} Bot", script)
    run = client.wake(agent["id"], f"contract: {name}", idempotency_key=f"{name}-{uuid.uuid4()}")
    wait_status(client, run["id"], {"running"}, 60)
    _wait(f"run {run['id']} to print {until!r}",
          lambda: until in client.log_text(run["id"])[-4000:], 60)
    yield company["id"], agent["id"], run["id"]
    if client.run(run["id"])["status"] in ("queued", "running"):
        client.post(f"/heartbeat-runs/{run['id']}/cancel")


def wait_status(client: PaperclipClient, run_id: str, statuses: set[str], timeout: float = 60.0) -> dict:
    def check():
        run = client.run(run_id)
        return run if run["status"] in statuses else None
    return _wait(f"run {run_id} to reach {sorted(statuses)}", check, timeout)


def seed(base_url: str, *, run_seconds: int | None = None, token: str | None = None,
         timeout: float = 90.0) -> Seeded:
    """Create the companies, agents, issue and runs described in the module docstring."""
    if run_seconds is None:
        run_seconds = int(os.environ.get("OPSWEB_SEED_RUN_SECONDS", "300"))
    client = PaperclipClient(base_url, token=token)
    tag = secrets.token_hex(3)  # lets several seeds share one server

    health = client.get("/health")
    if health.get("status") != "ok":
        raise SeedError(f"{base_url}/api/health is not ok: {json.dumps(health)[:300]}")

    company_a = client.create_company(f"Contract Ops A {tag}")
    company_b = client.create_company(f"Contract Ops B {tag}")
    long_script = chatty_script(run_seconds)

    runner = client.create_process_agent(company_a["id"], f"Runner {HTML_LINE}", long_script)
    drainer = client.create_process_agent(company_a["id"], "Drainer", long_script, max_concurrent_runs=1)
    quick = client.create_process_agent(company_a["id"], "Quick", QUICK_SCRIPT)
    issue_bot = client.create_process_agent(company_b["id"], "Issue Bot", long_script)

    runner_run = client.wake(runner["id"], "contract seed: long run")
    drainer_run = client.wake(drainer["id"], "contract seed: first", idempotency_key=f"seed-{tag}-1")
    # Let the first run claim the agent's only slot before the second wake arrives.
    wait_status(client, drainer_run["id"], {"running"}, timeout)
    queued_run = client.wake(drainer["id"], "contract seed: second", idempotency_key=f"seed-{tag}-2")
    quick_run = client.wake(quick["id"], "contract seed: quick")

    issue = client.post(f"/companies/{company_b['id']}/issues", {
        "title": "Fix the <b>flaky</b> deploy",
        "description": "Seeded by opsweb's contract suite.",
        "status": "todo",
        "assigneeAgentId": issue_bot["id"],
    })

    def issue_run():
        rows = client.get(f"/companies/{company_b['id']}/live-runs")
        mine = [r for r in rows if r["agentId"] == issue_bot["id"] and r.get("issueId") == issue["id"]]
        return mine[0] if mine else None
    issue_run_row = _wait(f"the assignment run of issue {issue['identifier']}", issue_run, timeout)

    for run_id in (runner_run["id"], drainer_run["id"], issue_run_row["id"]):
        wait_running_with_output(client, run_id, timeout)
    queued = client.run(queued_run["id"])
    if queued["status"] != "queued":
        raise SeedError(f"second drainer run {queued['id']} is {queued['status']!r}, expected 'queued'")
    finished = wait_status(client, quick_run["id"], {"succeeded", "failed", "cancelled", "timed_out"}, timeout)
    if finished["status"] != "succeeded":
        raise SeedError(f"quick run {finished['id']} ended {finished['status']}: {finished.get('error')!r}")

    return Seeded(
        base_url=client.base,
        company_a_id=company_a["id"], company_b_id=company_b["id"],
        runner_agent_id=runner["id"], drainer_agent_id=drainer["id"],
        quick_agent_id=quick["id"], issue_agent_id=issue_bot["id"],
        runner_run_id=runner_run["id"], drainer_run_id=drainer_run["id"],
        queued_run_id=queued_run["id"], finished_run_id=quick_run["id"],
        issue_id=issue["id"], issue_identifier=issue["identifier"], issue_run_id=issue_run_row["id"],
        run_seconds=run_seconds,
    )


if __name__ == "__main__":  # python -m tests.contract.seed [BASE_URL]: seed by hand, print the ids
    import dataclasses
    import sys

    url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("OPSWEB_REAL_PAPERCLIP_URL", "http://127.0.0.1:3100")
    print(json.dumps(dataclasses.asdict(seed(url, token=os.environ.get("OPSWEB_REAL_PAPERCLIP_TOKEN"))), indent=2))
