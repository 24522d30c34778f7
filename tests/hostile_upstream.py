"""A stand-in Paperclip on 127.0.0.1 whose misbehaviour a test switches on.

It serves a small healthy world (one company, its live runs, each run's record, log,
events, agent and issue, cancel) from plain dicts the test may edit, and any route can
be made hostile with `on(method, path_regex, …)`: a status and body of the test's
choice, a delay before answering, a body trickled one byte at a time, a redirect.
It is a real HTTP server, so opsweb's real client code meets the real socket.
"""
from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COMPANY = "c0ffee00-0000-4000-8000-0000000000aa"
AGENT = "a9e00000-0000-4000-8000-0000000000aa"


def run_id(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def issue_id(n: int) -> str:
    return f"15500000-0000-4000-8000-{n:012d}"


def live_run(n: int, **fields) -> dict:
    """One live-runs element shaped as Paperclip 2026.916.1 sends it."""
    run = {"id": run_id(n), "companyId": COMPANY, "agentId": AGENT, "agentName": f"Agent {n}",
           "adapterType": "process", "status": "running",
           "createdAt": "2026-11-24T15:09:19.245Z", "startedAt": "2026-11-24T15:09:20.000Z",
           "issueId": None, "currentStatusMessage": None, "lastOutputAt": None,
           "execution": {"phase": "running", "label": "Running"},
           "outputSilence": {"level": "ok", "silenceAgeMs": 1000, "lastOutputAt": None}}
    run.update(fields)
    return run


@dataclass
class Rule:
    status: int = 200
    body: object = None  # JSON-encoded unless bytes
    delay: float = 0.0  # seconds before the status line
    trickle: float | None = None  # seconds between body bytes
    headers: dict = field(default_factory=dict)
    every: int = 1  # only every N-th matching request; the others are answered healthily
    seen: int = 0
    active: int = 0  # requests matching this rule being answered now
    most_active: int = 0  # … and the most at once


class HostileUpstream:
    def __init__(self):
        self.companies = [{"id": COMPANY, "name": "Acme"}]
        self.live_runs: dict[str, list] = {COMPANY: [live_run(1)]}
        self.runs: dict[str, dict] = {}  # run id → record; else built from the live runs
        self.issues: dict[str, dict] = {}
        self.events: dict[str, list] = {}
        self.logs: dict[str, str] = {}
        self.agents: dict[str, list] = {}  # company id → its agents (GET …/agents)
        self.rules: list[tuple[str, re.Pattern, Rule]] = []
        self.requests: list[tuple[str, str]] = []  # (method, path with query)
        self.in_flight = 0
        self.most_in_flight = 0  # the most requests it was answering at once
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True).start()

    def on(self, method: str, path: str, **rule) -> None:
        """Answer `method` on paths matching the regex `path` (the whole path, query
        excluded) with this Rule from now on; the latest rule for a path wins."""
        self.rules.insert(0, (method, re.compile(path), Rule(**rule)))

    def most_at_once(self, method: str, path: str) -> int:
        """The most requests matching the rule for (method, path) answered at once."""
        return max((r.most_active for m, p, r in self.rules
                    if m == method and p.pattern == path), default=0)

    def count(self, method: str, path: str) -> int:
        with self._lock:
            return sum(1 for m, p in self.requests if m == method and re.fullmatch(path, p.split("?")[0]))

    def stop(self) -> None:
        self._closing.set()  # trickles end at their next byte
        self.server.shutdown()
        self.server.server_close()

    # -- the healthy world ----------------------------------------------------

    def _run(self, rid: str) -> dict | None:
        if rid in self.runs:
            return self.runs[rid]
        for runs in self.live_runs.values():
            for r in runs:
                if isinstance(r, dict) and r.get("id") == rid:
                    return {**r, "runnerProfileJson": {"adapterDispatch": {"adapterType": "process"}}}
        return None

    def _healthy(self, method: str, path: str) -> Rule:
        parts = path.strip("/").split("/")[1:]  # after "api"
        missing = Rule(404, {"error": "Not found"})
        if method == "GET" and parts == ["health"]:
            return Rule(body={"status": "ok", "version": "hostile"})
        if method == "GET" and parts == ["companies"]:
            return Rule(body=self.companies)
        if method == "GET" and len(parts) == 3 and parts[0] == "companies" and parts[2] == "live-runs":
            runs = self.live_runs.get(parts[1])
            return missing if runs is None else Rule(body=runs)
        if method == "GET" and len(parts) >= 4 and parts[0] == "companies" \
                and parts[2] in ("costs", "budgets"):  # a company that spent nothing
            return Rule(body=[] if parts[3] in ("by-agent", "window-spend") else {
                "companyId": parts[1], "spendCents": 0, "budgetCents": 0,
                "utilizationPercent": 0, "policies": [], "activeIncidents": []})
        if method == "GET" and len(parts) == 3 and parts[0] == "companies" \
                and parts[2] in ("agents", "heartbeat-runs"):
            return Rule(body=self.agents.get(parts[1], []) if parts[2] == "agents" else [])
        if len(parts) >= 2 and parts[0] == "heartbeat-runs":
            run = self._run(parts[1])
            if run is None:
                return Rule(404, {"error": "Heartbeat run not found"})
            tail = parts[2:]
            if method == "GET" and not tail:
                return Rule(body=run)
            if method == "GET" and tail == ["log"]:
                return Rule(body={"runId": parts[1], "store": "local_file",
                                  "logRef": "x", "content": self.logs.get(parts[1], "")})
            if method == "GET" and tail == ["events"]:
                return Rule(body=self.events.get(parts[1], []))
            if method == "POST" and tail == ["cancel"]:
                run = self.runs[parts[1]] = {**run, "status": "cancelled"}
                return Rule(body=run)
        if method == "POST" and len(parts) == 3 and parts[0] == "agents" \
                and parts[2] in ("pause", "resume"):
            status = "paused" if parts[2] == "pause" else "idle"
            return Rule(body={"id": parts[1], "companyId": COMPANY, "name": "Agent",
                              "status": status})
        if method == "GET" and len(parts) == 2 and parts[0] == "agents":
            return Rule(body={"id": parts[1], "name": "Agent", "adapterType": "process"})
        if method == "POST" and len(parts) == 4 and parts[0] == "agents":
            return Rule(body={"agentId": parts[1], "companyId": COMPANY, "clearedTaskSessions": 0})
        if method == "GET" and len(parts) == 2 and parts[0] == "issues":
            issue = self.issues.get(parts[1])
            return missing if issue is None else Rule(body=issue)
        return Rule(404, {"error": "API route not found"})

    # -- HTTP -----------------------------------------------------------------

    def _handler(self):
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # headers and body leave in separate writes: with Nagle on, each answer
            # waited ~40 ms for the client's delayed ACK (44 ms a call at no delay)
            disable_nagle_algorithm = True

            def log_message(self, *args):  # quiet: the tests read what they need
                pass

            def _answer(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                path = self.path.split("?")[0]
                with upstream._lock:
                    upstream.requests.append((method, self.path))
                    upstream.in_flight += 1
                    upstream.most_in_flight = max(upstream.most_in_flight, upstream.in_flight)
                    rule = next((r for m, pattern, r in upstream.rules
                                 if m == method and pattern.fullmatch(path)), None)
                    matched = rule
                    if rule is not None:
                        rule.seen += 1
                        rule.active += 1
                        rule.most_active = max(rule.most_active, rule.active)
                        rule = rule if rule.seen % rule.every == 0 else None
                try:
                    self._reply(rule or upstream._healthy(method, path))
                finally:
                    with upstream._lock:
                        upstream.in_flight -= 1
                        if matched is not None:
                            matched.active -= 1

            def _reply(self, rule: Rule) -> None:
                if rule.delay and upstream._closing.wait(rule.delay):
                    return
                body = rule.body if isinstance(rule.body, bytes) else json.dumps(rule.body).encode()
                try:
                    self.send_response(rule.status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in rule.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    if rule.trickle is None:
                        self.wfile.write(body)
                        return
                    for i in range(len(body)):
                        self.wfile.write(body[i:i + 1])
                        self.wfile.flush()
                        if upstream._closing.wait(rule.trickle):
                            return
                except OSError:  # opsweb gave up and hung up: that is the point
                    self.close_connection = True

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

        return Handler


def wait_until(predicate, seconds: float = 5.0) -> bool:
    """Poll for something another thread does (not for time to pass)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def found_within(what: str, check, seconds: float, every: float = 0.2):
    """What `check` finds once it finds something, or an AssertionError naming `what`
    (for waits on a server's background work, where the finding is the evidence)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(f"not within {seconds} s: {what}")
