"""What each kind of agent prints while it runs: one Script of timed stdout/stderr chunks.

The shapes follow docs/paperclip-notes.md ("Run logs"): Claude Code stream-json, `codex exec --json`,
a `process` agent's plain text (markup, Hebrew, ANSI stderr), and Gemini's stream-json
for an adapter type the panel has no dedicated parser for. Chunks are what a pipe
delivers: sometimes several lines at once, sometimes half a line.
"""

from __future__ import annotations

import json
import random
import uuid

from .model import Script, Step

PAPERCLIP_NOTE = (
    '[paperclip] No project or prior session workspace was available. Using fallback '
    'workspace "/srv/paperclip/instances/default/workspaces/{agent_id}" for this run.\n'
)

# (tool, input, output, is_error) tool calls a coding agent plausibly makes
_CLAUDE_TOOLS = [
    ("Bash", {"command": "git status --short", "description": "Show changed files"},
     " M src/app.py\n?? notes.txt", False),
    ("Read", {"file_path": "/srv/work/acme-api/templates/login.html"},
     '<form method="post">\n  <input name="user">\n  <script>alert(1)</script>\n</form>', False),
    ("Bash", {"command": "rg -n 'session_cookie' src/", "description": "Find cookie handling"},
     "src/auth.py:41:    session_cookie = request.cookies.get('sid')\nsrc/auth.py:88:    "
     "resp.set_cookie('sid', token, httponly=True)", False),
    ("Grep", {"pattern": "TODO", "path": "src"}, "src/billing.py:12: # TODO: retry on 502", False),
    ("Bash", {"command": "cat /etc/shadow", "description": "Check permissions"},
     "cat: /etc/shadow: Permission denied", True),
]
_CLAUDE_THOUGHTS = [
    "I should check the repo status first.",
    "The failing test mentions a stale session cookie; let me look at the auth module.",
    "The template echoes user input without escaping. That needs a fix before anything else.",
]
_CLAUDE_TEXTS = [
    "Let me look at the working tree.",
    "Found it: `login.html` renders the username with `|safe`. I'll switch to autoescaping.",
    "Running the focused tests now. שלום — the Hebrew locale strings still render correctly.",
]


# the operators' agents write Hebrew: a line that scrambles without bidi isolation
HEBREW_FAULT = "תקלה: קובץ config.yaml חסר.\n"


def _line(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _split(rng: random.Random, text: str, delay: float, stream: str = "stdout") -> list[Step]:
    """One line delivered in two chunks, as a pipe sometimes does."""
    cut = rng.randint(len(text) // 4, (3 * len(text)) // 4)
    return [Step(delay, stream, text[:cut]), Step(0.05, stream, text[cut:])]


def claude(rng: random.Random, agent_id: str, hang: bool = False) -> Script:
    sid = _uuid(rng)
    model = "claude-sonnet-4-5-20250929"
    ok = hang or rng.random() > 0.2

    def assistant(block: dict, **extra) -> str:
        msg = {"id": f"msg_{rng.getrandbits(40):x}", "type": "message", "role": "assistant",
               "model": model, "content": [block], **extra}
        return _line({"type": "assistant", "message": msg, "parent_tool_use_id": None,
                      "session_id": sid})

    steps = [
        Step(0.4, "stdout", PAPERCLIP_NOTE.format(agent_id=agent_id)),
        Step(0.8, "stdout", _line({
            "type": "system", "subtype": "init", "cwd": "/srv/work/acme-api", "session_id": sid,
            "tools": ["Bash", "Read", "Edit", "Grep"], "mcp_servers": [], "model": model,
            "permissionMode": "bypassPermissions", "apiKeySource": "***REDACTED***"})),
        Step(1.5, "stdout", assistant({"type": "thinking", "thinking": rng.choice(_CLAUDE_THOUGHTS),
                                        "signature": "sig"})),
        Step(1.0, "stdout", assistant({"type": "text", "text": _CLAUDE_TEXTS[0]}),
             snippet=_CLAUDE_TEXTS[0]),
    ]
    for n, (tool, tool_input, output, is_error) in enumerate(rng.sample(_CLAUDE_TOOLS, 3)):
        tool_id = f"toolu_{rng.getrandbits(48):012x}"
        steps.append(Step(0.8, "stdout", assistant(
            {"type": "tool_use", "id": tool_id, "name": tool, "input": tool_input},
            stop_reason="tool_use"), tool=tool))
        result = _line({"type": "user", "message": {"role": "user", "content": [
            {"tool_use_id": tool_id, "type": "tool_result", "content": output,
             "is_error": is_error}]}, "parent_tool_use_id": None, "session_id": sid})
        if n == 1:
            steps.extend(_split(rng, result, 1.4))
        else:
            steps.append(Step(1.4, "stdout", result))
        text = _CLAUDE_TEXTS[min(n + 1, 2)]
        steps.append(Step(1.8, "stdout", assistant({"type": "text", "text": text}), snippet=text))
    if hang:
        steps.append(Step(0.8, "stdout", assistant({
            "type": "tool_use", "id": "toolu_hang01", "name": "Bash",
            "input": {"command": "npm run test:e2e -- --watch", "description": "Run e2e tests"}},
            stop_reason="tool_use"), tool="Bash"))
        return Script(steps, "hang", 0, None, None, sid)
    # a thinking line and a text line arriving in one chunk
    steps.append(Step(2.0, "stdout",
                      assistant({"type": "thinking", "thinking": "Tests are done; summarize."})
                      + assistant({"type": "text", "text": "Wrapping up."}), snippet="Wrapping up."))
    usage = {"input_tokens": rng.randint(800, 9000), "cache_creation_input_tokens": 0,
             "cache_read_input_tokens": rng.randint(1000, 40000),
             "output_tokens": rng.randint(100, 2000)}
    cost = round(rng.uniform(0.005, 0.4), 5)
    summary = "Escaped the login template and fixed the cookie check; tests pass." if ok \
        else "Could not finish: the e2e suite keeps failing on the login page."
    steps.append(Step(1.0, "stdout", _line({
        "type": "result", "subtype": "success" if ok else "error_during_execution",
        "is_error": not ok, "duration_ms": rng.randint(9000, 60000), "duration_api_ms": 8000,
        "num_turns": 6, "result": summary, "session_id": sid, "total_cost_usd": cost,
        "usage": usage})))
    run_usage = {"inputTokens": usage["input_tokens"], "outputTokens": usage["output_tokens"],
                 "cachedInputTokens": usage["cache_read_input_tokens"], "costUsd": cost,
                 "model": model, "provider": "anthropic", "billingType": "api"}
    result = {"summary": summary, "result": summary, "total_cost_usd": cost, "session_id": sid,
              "stopReason": "completed" if ok else "error"}
    return Script(steps, "succeeded" if ok else "failed", 0 if ok else 1, run_usage, result, sid)


def codex(rng: random.Random, agent_id: str, hang: bool = False) -> Script:
    thread = _uuid(rng)
    ok = hang or rng.random() > 0.2

    def item(phase: str, **fields) -> str:
        return _line({"type": f"item.{phase}", "item": fields})

    cmd1 = "bash -lc 'git status --short'"
    cmd2 = "bash -lc 'pytest -q tests/test_billing.py'"
    steps = [
        Step(0.3, "stdout", PAPERCLIP_NOTE.format(agent_id=agent_id)),
        Step(0.2, "stderr", "Reading prompt from stdin...\n"),
        Step(0.9, "stdout", _line({"type": "thread.started", "thread_id": thread})
             + _line({"type": "turn.started"})),
        Step(1.6, "stdout", item("completed", id="item_0", type="reasoning",
                                 text="**Inspecting repository state**")),
        Step(0.8, "stdout", item("started", id="item_1", type="command_execution", command=cmd1,
                                 aggregated_output="", exit_code=None, status="in_progress"),
             tool="command_execution"),
        Step(0.6, "stdout", item("completed", id="item_1", type="command_execution", command=cmd1,
                                 aggregated_output=" M src/billing.py\n", exit_code=0,
                                 status="completed")),
        Step(0.7, "stdout", item("started", id="item_2", type="command_execution", command=cmd2,
                                 aggregated_output="", exit_code=None, status="in_progress"),
             tool="command_execution"),
    ]
    if hang:
        return Script(steps, "hang", 0, None, None, thread)
    failing = item("completed", id="item_2", type="command_execution", command=cmd2,
                   aggregated_output="F.\n1 failed, 1 passed in 0.41s\n", exit_code=1,
                   status="failed")
    steps.extend(_split(rng, failing, 3.5))
    steps += [
        Step(0.3, "stderr", "\x1b[33m2026-11-24T15:10:02Z WARN codex_core::exec: command exited "
                            "with status 1\x1b[0m\n"),
        Step(1.5, "stdout", item("completed", id="item_3", type="reasoning",
                                 text="**Retry wraps the wrong call; fixing the decorator**")),
        Step(1.2, "stdout", item("completed", id="item_4", type="file_change", status="completed",
                                 changes=[{"path": "src/billing.py", "kind": "update"}])),
        Step(0.8, "stdout", item("started", id="item_5", type="command_execution", command=cmd2,
                                 aggregated_output="", exit_code=None, status="in_progress")
             + item("completed", id="item_5", type="command_execution", command=cmd2,
                    aggregated_output="..\n2 passed in 0.38s\n" if ok else "F.\n1 failed\n",
                    exit_code=0 if ok else 1, status="completed" if ok else "failed"),
             tool="command_execution"),
    ]
    message = "Fixed the retry decorator in src/billing.py; tests pass." if ok \
        else "The billing test still fails after the fix; needs a human look."
    steps.append(Step(1.4, "stdout", item("completed", id="item_6", type="agent_message",
                                          text=message), snippet=message))
    usage = {"input_tokens": rng.randint(5000, 30000), "cached_input_tokens": rng.randint(1000, 20000),
             "output_tokens": rng.randint(80, 900)}
    if ok:
        steps.append(Step(0.6, "stdout", _line({"type": "turn.completed", "usage": usage})))
    else:
        steps.append(Step(0.6, "stdout", _line({"type": "turn.failed", "error": {
            "message": "stream disconnected before completion"}})))
        steps.append(Step(0.2, "stdout", _line({"type": "error", "message": "Reconnecting... 1/5"})))
    run_usage = {"inputTokens": usage["input_tokens"], "outputTokens": usage["output_tokens"],
                 "cachedInputTokens": usage["cached_input_tokens"], "costUsd": 0,
                 "model": "gpt-5-codex", "provider": "openai", "billingType": "subscription"}
    result = {"summary": message, "stopReason": "completed" if ok else "error"}
    return Script(steps, "succeeded" if ok else "failed", 0 if ok else 1, run_usage, result, thread)


def process(rng: random.Random, agent_id: str, hang: bool = False) -> Script:
    ok = hang or rng.random() > 0.25
    steps = [Step(0.3, "stdout", PAPERCLIP_NOTE.format(agent_id=agent_id))]
    ticks = 3 if hang else rng.randint(8, 14)
    for i in range(1, ticks + 1):
        tick = f"tick {i} <script>alert(1)</script> שלום\n"
        step_json = _line({"type": "assistant", "message": {"content": [
            {"type": "text", "text": f"step {i}"}]}})
        if i % 3 == 0:  # two lines in one chunk, like the captured fixture
            steps.append(Step(1.0, "stdout", tick + step_json))
        else:
            steps.append(Step(1.0, "stdout", tick))
        steps.append(Step(0.01, "stderr", f"\x1b[31mwarn {i}\x1b[0m\n"))
        if i % 3 == 1:
            steps.append(Step(0.01, "stdout", step_json))
        if i == 2:  # Hebrew first, an English word inside: reads right to left
            steps.append(Step(0.3, "stdout", HEBREW_FAULT))
        if i == 4:
            steps.extend(_split(rng, "build: compiling assets for הדגמה (demo) … 42 files done\n", 0.5))
    if hang:
        steps.append(Step(0.5, "stdout", "waiting for lock /var/run/deploy.lock ...\n"))
        return Script(steps, "hang", 0, None, None, None)
    if ok:
        steps.append(Step(0.8, "stdout", "done: 0 errors\n"))
    else:
        steps.append(Step(0.8, "stderr", "\x1b[1;31mfatal: deploy target unreachable\x1b[0m\n"))
    return Script(steps, "succeeded" if ok else "failed", 0 if ok else 1, None,
                  {"stopReason": "completed"}, None)


def gemini(rng: random.Random, agent_id: str, hang: bool = False) -> Script:
    """gemini_local: an adapter type the panel renders with its generic fallback."""
    sid = _uuid(rng)
    ok = hang or rng.random() > 0.2
    steps = [
        Step(0.3, "stdout", PAPERCLIP_NOTE.format(agent_id=agent_id)),
        Step(0.4, "stderr", "Loaded cached credentials.\n"),
        Step(0.8, "stdout", _line({"type": "init", "session_id": sid, "model": "gemini-2.5-pro"})),
        Step(1.2, "stdout", _line({"type": "message", "role": "assistant", "delta": True,
                                   "content": "I'll survey the open research notes first."}),
             snippet="I'll survey the open research notes first."),
        Step(0.9, "stdout", _line({"type": "tool_use", "tool_name": "run_shell_command",
                                   "tool_id": "shell-1", "parameters": {"command": "ls notes/"}}),
             tool="run_shell_command"),
        Step(0.7, "stdout", _line({"type": "tool_result", "tool_id": "shell-1", "status": "success",
                                   "output": "2026-11-20.md\n2026-11-23.md\n<draft>.md"})),
        Step(1.5, "stdout", "Plain text progress line from the CLI: 2 of 3 notes summarised\n"),
        Step(1.3, "stdout", _line({"type": "message", "role": "assistant", "delta": True,
                                   "content": "Summary written to notes/weekly.md."}),
             snippet="Summary written to notes/weekly.md."),
    ]
    if hang:
        return Script(steps, "hang", 0, None, None, sid)
    stats = {"total_tokens": rng.randint(2000, 9000), "input_tokens": 1800, "output_tokens": 420,
             "duration_ms": rng.randint(5000, 20000), "tool_calls": 1}
    steps.append(Step(0.6, "stdout", _line({"type": "result", "status": "success" if ok else "error",
                                            "stats": stats})))
    usage = {"inputTokens": 1800, "outputTokens": 420, "cachedInputTokens": 0, "costUsd": 0.0031,
             "model": "gemini-2.5-pro", "provider": "google", "billingType": "api"}
    return Script(steps, "succeeded" if ok else "failed", 0 if ok else 1, usage,
                  {"summary": "Summary written to notes/weekly.md.", "stopReason": "completed"}, sid)


def crashloop(rng: random.Random, agent_id: str, hang: bool = False) -> Script:
    """A process agent that fails the same way on every wake (paperclip #6390)."""
    steps = [Step(0.3, "stdout", PAPERCLIP_NOTE.format(agent_id=agent_id)),
             Step(0.6, "stderr", "\x1b[1;31mfatal: DATABASE_URL is not set\x1b[0m\n")]
    return Script(steps, "hang" if hang else "failed", 2, None, {"stopReason": "completed"}, None)


def migrate_fail(rng: random.Random, agent_id: str, hang: bool = False) -> Script:
    """A migration that cannot take its lock: the same error on every wake."""
    steps = [Step(0.3, "stdout", PAPERCLIP_NOTE.format(agent_id=agent_id)),
             Step(0.4, "stdout", "applying migration 0042_orders_index\n"),
             Step(0.5, "stderr", "EACCES: permission denied, open '/srv/migrate/.lock'\n")]
    return Script(steps, "hang" if hang else "failed", 1, None, {"stopReason": "completed"}, None)


def idle(rng: random.Random, agent_id: str, hang: bool = False) -> Script:
    """A Claude wake with nothing to do that still costs a prompt (paperclip #4809)."""
    sid = _uuid(rng)
    text = "No assigned issues and no mentions. Nothing to do this heartbeat."
    steps = [Step(0.4, "stdout", _line({"type": "result", "subtype": "success",
                                        "is_error": False, "result": text, "session_id": sid,
                                        "total_cost_usd": 0.29, "num_turns": 1}))]
    usage = {"inputTokens": 41000, "outputTokens": 24, "cachedInputTokens": 0, "costUsd": 0.29,
             "model": "claude-opus-4-1", "provider": "anthropic", "billingType": "api"}
    return Script(steps, "hang" if hang else "succeeded", 0, usage,
                  {"summary": text, "result": text, "total_cost_usd": 0.29}, sid)


SCRIPTS = {"claude": claude, "codex": codex, "process": process, "gemini": gemini,
           "crashloop": crashloop, "idle": idle, "migrate_fail": migrate_fail}

DEFAULT_SCRIPT_FOR_ADAPTER = {"claude_local": "claude", "codex_local": "codex", "process": "process"}


def build(name: str, rng: random.Random, agent_id: str, hang: bool = False) -> Script:
    """The named script (unknown names fall back to the generic gemini one)."""
    return SCRIPTS.get(name, gemini)(rng, agent_id, hang)


def script_for_adapter(adapter_type: str) -> str:
    return DEFAULT_SCRIPT_FOR_ADAPTER.get(adapter_type, "gemini")
