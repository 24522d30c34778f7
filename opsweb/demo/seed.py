"""The seeded demo world: who exists and what they are doing when the server starts.

Ids are fixed so tests, benches and docs can name them. world.py turns these specs
into records; nothing here has behaviour.
"""

from __future__ import annotations

ACME = "c0ffee01-0000-4000-8000-000000000001"
GLOBEX = "c0ffee02-0000-4000-8000-000000000002"
# only with POST /__demo/crowd (and `opsweb demo --crowd N`): more live runs than live-runs returns
INITECH = "c0ffee03-0000-4000-8000-000000000003"

COMPANIES = [
    {"id": ACME, "name": "Acme Ops", "prefix": "OPS",
     "description": "Keeps the Acme web stack green.", "budget_cents": 50_000},
    {"id": GLOBEX, "name": "Globex Research", "prefix": "GLX", "description": None},
]


# The number sits in the first 8 characters too: the panel shows ids cut to 8, and
# those must tell the seeded agents, runs and issues apart.
def _a(n: int) -> str:
    return f"a9e000{n:02d}-0000-4000-8000-0000000000{n:02d}"


def _r(n: int) -> str:
    return f"b00000{n:02d}-0000-4000-8000-0000000000{n:02d}"


def _i(n: int) -> str:
    return f"e00000{n:02d}-0000-4000-8000-0000000000{n:02d}"


_SHELL_ARGS = ["-c", 'for i in $(seq 1 40); do echo "tick $i <script>alert(1)</script> שלום"; '
                     'printf "\\033[31mwarn %s\\033[0m\\n" $i >&2; sleep 1; done']

# wake_cap: live runs (running + queued) a timer wake may leave; 2 on a
# maxConcurrentRuns-1 agent keeps one run queued behind the running one.
AGENTS = [
    {"id": _a(11), "company": ACME, "name": "Claude Coder", "adapter": "claude_local",
     "role": "engineer", "title": "Senior Engineer", "icon": "code", "max": 1,
     "heartbeat": True, "interval": 20, "wake_cap": 2, "budget_cents": 30_000,
     "config": {"model": "claude-sonnet-4-5-20250929", "cwd": "/srv/work/acme-api",
                "maxTurnsPerRun": 40, "dangerouslySkipPermissions": True}},
    {"id": _a(12), "company": ACME, "name": "Codex Fixer", "adapter": "codex_local",
     "role": "engineer", "title": "Bug Fixer", "icon": "wrench", "max": 3,
     "heartbeat": True, "interval": 30, "wake_cap": 1,
     "config": {"model": "gpt-5-codex", "cwd": "/srv/work/acme-billing", "search": False}},
    {"id": _a(13), "company": ACME, "name": "Shell <b>Bot</b>", "adapter": "process",
     "role": "devops", "title": None, "icon": "terminal", "max": 3,
     "heartbeat": True, "interval": 25, "wake_cap": 1,
     "config": {"command": "bash", "args": _SHELL_ARGS, "cwd": "/srv/work",
                "timeoutSec": 300, "graceSec": 5}},
    {"id": _a(14), "company": ACME, "name": "Gemini Scout", "adapter": "gemini_local",
     "role": "researcher", "title": "Scout", "icon": None, "max": 2,
     "heartbeat": True, "interval": 35, "wake_cap": 1,
     "config": {"model": "gemini-2.5-pro", "cwd": "/srv/work/notes"}},
    {"id": _a(15), "company": ACME, "name": "Night Watch", "adapter": "claude_local",
     "role": "qa", "title": "E2E Watcher", "icon": "eye", "max": 1,
     "heartbeat": False, "interval": 3600, "wake_cap": 1,
     "config": {"model": "claude-sonnet-4-5-20250929", "cwd": "/srv/work/acme-web"}},
    # what the attention strip is for: held paused, failing in a loop, burning empty wakes
    {"id": _a(16), "company": ACME, "name": "Queue Drainer", "adapter": "claude_local",
     "role": "engineer", "title": "Backlog Drainer", "icon": "inbox", "max": 1,
     "heartbeat": True, "interval": 30, "wake_cap": 1, "paused_minutes": 40,
     "config": {"model": "claude-sonnet-4-5-20250929", "cwd": "/srv/work/acme-queue"}},
    {"id": _a(17), "company": ACME, "name": "Deploy Bot", "adapter": "process",
     "role": "devops", "title": None, "icon": "rocket", "max": 1, "script": "crashloop",
     "heartbeat": True, "interval": 60, "wake_cap": 1,
     "config": {"command": "/srv/deploy/run.sh", "args": [], "cwd": "/srv/deploy",
                "timeoutSec": 300, "graceSec": 5}},
    {"id": _a(21), "company": GLOBEX, "name": "Lab Runner", "adapter": "process",
     "role": "devops", "title": None, "icon": "flask", "max": 1,
     "heartbeat": False, "interval": 3600, "wake_cap": 1,
     "config": {"command": "/srv/lab/run-batch.sh", "args": [], "cwd": "/srv/lab",
                "timeoutSec": 0, "graceSec": 15}},
    {"id": _a(22), "company": GLOBEX, "name": "Research Claude", "adapter": "claude_local",
     "role": "researcher", "title": "Literature Reviewer", "icon": "book", "max": 1,
     "heartbeat": False, "interval": 3600, "wake_cap": 1,
     "config": {"model": "claude-opus-4-1", "cwd": "/srv/research"}},
    {"id": _a(23), "company": GLOBEX, "name": "Paper Codex", "adapter": "codex_local",
     "role": "engineer", "title": None, "icon": "code", "max": 2,
     "heartbeat": True, "interval": 30, "wake_cap": 1,
     "config": {"model": "gpt-5-codex", "cwd": "/srv/research/paper"}},
    {"id": _a(24), "company": GLOBEX, "name": "Archivist", "adapter": "process",
     "role": "general", "title": None, "icon": None, "max": 2,
     "heartbeat": True, "interval": 45, "wake_cap": 1,
     "error": "Workspace /srv/archive is not writable",
     "config": {"command": "python3", "args": ["archive.py"], "cwd": "/srv/archive",
                "timeoutSec": 600, "graceSec": 15}},
    {"id": _a(25), "company": GLOBEX, "name": "Inbox Poller", "adapter": "claude_local",
     "role": "general", "title": "Mention Watcher", "icon": "bell", "max": 1, "script": "idle",
     "heartbeat": True, "interval": 30, "wake_cap": 1, "budget_cents": 5000,
     "config": {"model": "claude-opus-4-1", "cwd": "/srv/research/inbox"}},
]

ISSUES = [
    {"id": _i(7), "company": ACME, "number": 7, "title": "Escape user input in the login template",
     "status": "in_progress", "priority": "high", "agent": _a(11)},
    {"id": _i(9), "company": ACME, "number": 9, "title": "Fix flaky billing retry test",
     "status": "in_progress", "priority": "medium", "agent": _a(12)},
    {"id": _i(11), "company": ACME, "number": 11, "title": "Nightly deploy smoke check",
     "status": "todo", "priority": "low", "agent": _a(13)},
    {"id": _i(12), "company": ACME, "number": 12, "title": "Rotate staging session cookies",
     "status": "in_progress", "priority": "critical", "agent": _a(11)},
    {"id": _i(14), "company": ACME, "number": 14, "title": "Summarise incident notes (אירוע 14)",
     "status": "in_progress", "priority": "medium", "agent": _a(14)},
    {"id": _i(15), "company": ACME, "number": 15, "title": "E2E suite for checkout",
     "status": "in_progress", "priority": "high", "agent": _a(15)},
    {"id": _i(23), "company": GLOBEX, "number": 3, "title": "Re-run folding batch <b>#7</b>",
     "status": "in_progress", "priority": "high", "agent": _a(21)},
    {"id": _i(25), "company": GLOBEX, "number": 5, "title": "Literature review: sparse attention",
     "status": "in_progress", "priority": "medium", "agent": _a(22)},
    {"id": _i(28), "company": GLOBEX, "number": 8, "title": "Archive Q3 datasets",
     "status": "todo", "priority": "low", "agent": _a(24)},
]

# kind: playing = mid-script, plays on; queued = waiting behind a running run;
# hang = printed a little `age` seconds ago and went silent; finished = history.
# batch_lines: a batch job's output first, making a log longer than the panel's tail
# window (256 KB), so its `earlier` cursor is there to try.
RUNS = [
    {"id": _r(1), "agent": _a(11), "kind": "playing", "age": 12, "issue": _i(12)},
    {"id": _r(2), "agent": _a(11), "kind": "queued", "age": 5, "issue": _i(7)},
    {"id": _r(3), "agent": _a(12), "kind": "playing", "age": 9, "issue": _i(9)},
    {"id": _r(4), "agent": _a(13), "kind": "playing", "age": 6, "issue": None},
    {"id": _r(5), "agent": _a(14), "kind": "playing", "age": 4, "issue": _i(14)},
    {"id": _r(6), "agent": _a(15), "kind": "hang", "age": 95 * 60, "issue": _i(15)},
    {"id": _r(7), "agent": _a(21), "kind": "hang", "age": 5 * 3600, "issue": _i(23),
     "batch_lines": 4000},
    {"id": _r(8), "agent": _a(22), "kind": "hang", "age": 2 * 3600, "issue": _i(25),
     "snooze": 24 * 3600},
    {"id": _r(9), "agent": _a(23), "kind": "playing", "age": 7, "issue": None},
    {"id": _r(21), "agent": _a(13), "kind": "finished", "age": 20 * 60, "status": "succeeded",
     "issue": _i(11)},
    {"id": _r(22), "agent": _a(12), "kind": "finished", "age": 35 * 60, "status": "failed",
     "issue": _i(9)},
    {"id": _r(23), "agent": _a(24), "kind": "finished", "age": 15 * 60, "status": "succeeded",
     "issue": _i(28)},
    {"id": _r(24), "agent": _a(23), "kind": "finished", "age": 50 * 60, "status": "cancelled",
     "issue": None},
    {"id": _r(25), "agent": _a(14), "kind": "finished", "age": 25 * 60, "status": "timed_out",
     "issue": _i(14)},
    {"id": _r(26), "agent": _a(21), "kind": "finished", "age": 70 * 60, "status": "interrupted",
     "issue": _i(23)},
    {"id": _r(27), "agent": _a(16), "kind": "finished", "age": 41 * 60, "status": "paused",
     "issue": None},
    # Deploy Bot's timer wakes, each failing the same way; Inbox Poller's empty wakes
    *({"id": _r(30 + n), "agent": _a(17), "kind": "finished", "age": (5 - n) * 60,
       "status": "failed", "issue": None} for n in range(4)),
    *({"id": _r(40 + n), "agent": _a(25), "kind": "finished", "age": (7 - n) * 30,
       "status": "succeeded", "issue": None} for n in range(6)),
]

# names for the seeded runs, as GET /__demo/world reports them
RUN_ROLES = {
    "claudeRunning": _r(1), "queuedBehindClaude": _r(2), "codexRunning": _r(3),
    "processRunning": _r(4), "geminiRunning": _r(5), "suspicious": _r(6), "critical": _r(7),
    "snoozed": _r(8), "globexCodexRunning": _r(9), "succeeded": _r(21), "failed": _r(22),
    "globexSucceeded": _r(23), "cancelled": _r(24), "timedOut": _r(25), "interrupted": _r(26),
    "cancelledByPause": _r(27), "loopFailed": _r(33), "emptyRun": _r(45),
}
AGENT_ROLES = {"paused": _a(16), "failureLoop": _a(17), "agentError": _a(24),
               "emptyRuns": _a(25), "lateLoop": _a(18)}
# `opsweb demo` adds him once the panel is up: healthy so far, every wake fails from now
# on, so the loop forms in front of the rules loop (demo/rules.toml's loop-breaker)
MIGRATOR = {"id": _a(18), "company": ACME, "name": "Schema Migrator", "adapter": "process",
            "role": "devops", "title": None, "icon": "database", "max": 1,
            "script": "migrate_fail", "heartbeat": True, "interval": 5, "wake_cap": 1,
            "config": {"command": "/srv/migrate/apply.sh", "args": [], "cwd": "/srv/migrate",
                       "timeoutSec": 300, "graceSec": 5}}


BATCH_LINES_PER_CHUNK = 50
# a few lines worth searching for, deep in the batch output (the log dialog's search)
_DENIED = "batch 7: EACCES: permission denied, open '/data/fold/shard-{n:05d}.pdb' (skipped)\n"


def populate(world, now: float) -> None:
    """Build the seeded records into `world` (lock held; uses its run helpers)."""
    from . import lifecycle, scripts
    from .model import Agent, Company, Issue

    rng = world._rng
    for c in COMPANIES:
        world.companies[c["id"]] = Company(id=c["id"], name=c["name"], issue_prefix=c["prefix"],
                                           description=c["description"],
                                           created_at=now - 30 * 86400,
                                           budget_monthly_cents=c.get("budget_cents", 0))
    for a in AGENTS:
        world.agents[a["id"]] = Agent(
            id=a["id"], company_id=a["company"], name=a["name"],
            url_key=a["name"].lower().replace(" ", "-").replace("<", "").replace(">", ""),
            role=a["role"], title=a["title"], icon=a["icon"], adapter_type=a["adapter"],
            adapter_config=a["config"],
            script=a.get("script") or scripts.script_for_adapter(a["adapter"]),
            max_concurrent_runs=a["max"], heartbeat_enabled=a["heartbeat"],
            interval_sec=a["interval"], wake_cap=a["wake_cap"], created_at=now - 20 * 86400,
            next_wake_at=now + a["interval"] * rng.uniform(0.5, 1.0) if a["heartbeat"] else None,
            session_id=world._new_id() if a["adapter"] != "process" else None,
            state_json={"lastSummary": "warm"} if a["adapter"] != "process" else {},
            paused_at=now - a["paused_minutes"] * 60 if a.get("paused_minutes") else None,
            pause_reason="manual" if a.get("paused_minutes") else None,
            error_reason=a.get("error"), budget_monthly_cents=a.get("budget_cents", 0))
    for i in ISSUES:
        company = world.companies[i["company"]]
        company.issue_counter = max(company.issue_counter, i["number"])
        world.issues[i["id"]] = Issue(
            id=i["id"], company_id=i["company"], number=i["number"],
            identifier=f"{company.issue_prefix}-{i['number']}", title=i["title"],
            status=i["status"], priority=i["priority"], assignee_agent_id=i["agent"],
            created_at=now - 3 * 86400)
        agent = world.agents[i["agent"]]
        if agent.session_id:  # an agent that kept a session per task
            agent.task_keys.append(i["id"])
    for spec in sorted(RUNS, key=lambda s: -s["age"]):
        _seed_run(world, spec, now, lifecycle)


def _seed_run(world, spec: dict, now: float, lifecycle) -> None:
    agent = world.agents[spec["agent"]]
    t0 = now - spec["age"]
    kind = spec["kind"]
    run = world._new_run(agent, t0, "on_demand", "manual", spec["issue"], reason="ops demo",
                         autoplay=kind in ("playing", "queued"), run_id=spec["id"])
    if kind == "queued":
        return
    if kind == "hang":
        from . import scripts

        run.script = scripts.build(agent.script, world._rng, agent.id, hang=True)
    world._start(run, t0 + 0.1)
    if kind == "playing":
        # print what was due by now, but leave the end of the script for later
        while run.next_step_at is not None and run.next_step_at <= now \
                and run.step_index < len(run.script.steps) - 1:
            world._step(run, run.next_step_at)
        return
    # hang and finished runs printed their lines quickly, long ago
    t = t0 + 0.5
    for first in range(1, spec.get("batch_lines", 0) + 1, BATCH_LINES_PER_CHUNK):
        lines = range(first, min(first + BATCH_LINES_PER_CHUNK, spec["batch_lines"] + 1))
        lifecycle.emit(run, t, "stdout", "".join(
            f"batch 7: folding {n:05d}/{spec['batch_lines']} energy -{n * 0.37:.2f} kcal/mol,"
            " converged, checkpoint written\n" + (_DENIED.format(n=n) if n % 1000 == 617 else "")
            for n in lines))
    stop_at = len(run.script.steps) // 2 if spec.get("status") == "cancelled" else None
    for step in run.script.steps[:stop_at]:
        t += step.delay
        lifecycle.emit(run, t, step.stream, step.chunk, step.tool, step.snippet)
        run.step_index += 1
    run.next_step_at = None
    if kind == "hang":
        run.snoozed_until = now + spec["snooze"] if spec.get("snooze") else None
    elif spec["status"] in ("cancelled", "paused"):
        lifecycle.cancel(run, agent, t + 1, world._next_event_id,
                         by_pause=spec["status"] == "paused")
        world._live.discard(run.id)
    else:
        world._finish(run, t + 0.5, spec["status"], 0 if spec["status"] == "succeeded" else 1)


def late_loop(world, now: float) -> None:
    """Schema Migrator, whose wakes start failing now (lock held); idempotent."""
    from .model import Agent

    a = MIGRATOR
    if a["id"] in world.agents:
        return
    world.agents[a["id"]] = Agent(
        id=a["id"], company_id=a["company"], name=a["name"], url_key="schema-migrator",
        role=a["role"], title=a["title"], icon=a["icon"], adapter_type=a["adapter"],
        adapter_config=a["config"], script=a["script"], max_concurrent_runs=a["max"],
        heartbeat_enabled=a["heartbeat"], interval_sec=a["interval"], wake_cap=a["wake_cap"],
        created_at=now - 10 * 86400, next_wake_at=now + 2)


def crowd(world, now: float, count: int) -> None:
    """INITECH with `count` running runs a second apart: over 50, live-runs leaves the
    oldest out (lock held)."""
    from .model import Agent, Company

    if INITECH not in world.companies:
        world.companies[INITECH] = Company(id=INITECH, name="Initech Batch", issue_prefix="INI",
                                           created_at=now - 86400)
        world.agents[_a(31)] = Agent(
            id=_a(31), company_id=INITECH, name="Batch Worker", url_key="batch-worker",
            role="devops", title=None, icon=None, adapter_type="process",
            adapter_config={"command": "bash", "args": _SHELL_ARGS, "cwd": "/srv/batch"},
            script="process", max_concurrent_runs=1000, heartbeat_enabled=False,
            interval_sec=3600, created_at=now - 86400)
    agent = world.agents[_a(31)]
    for n in range(count):
        t = now - (count - n)
        run = world._new_run(agent, t, "automation", "system", None, reason="batch shard",
                             autoplay=False)
        world._start(run, t + 0.1)
