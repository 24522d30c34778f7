"""The log dialog in a real browser: converted output, new output appended while the
run lives, the operator's scroll position respected, and the dialog left open while
the panel behind it refreshes."""
import json
import time

import pytest

from .conftest import (CLAUDE_CODER, LOG_FOLLOW_MS, PANEL_REFRESH_MS, count_agent_refreshes,
                       expect, new_run, say)

pytestmark = pytest.mark.browser


def claude(*blocks) -> str:
    return json.dumps({"type": "assistant", "message": {"content": list(blocks)}})


def text(t: str) -> str:
    return claude({"type": "text", "text": t})


CONVERSATION = [
    json.dumps({"type": "system", "subtype": "init", "session_id": "s-1",
                "model": "claude-sonnet-4-5"}),
    claude({"type": "thinking", "thinking": "Check the tree."},
           {"type": "text", "text": "Let me look."},
           {"type": "tool_use", "id": "toolu_1", "name": "Bash",
            "input": {"command": "git status"}}),
    json.dumps({"type": "user", "message": {"content": [
        {"type": "tool_result", "tool_use_id": "toolu_1", "content": " M app.py",
         "is_error": False}]}}),
    *(text(f"Reading file {n} of 120.") for n in range(1, 121)),  # taller than the dialog
]

DISTANCE_TO_BOTTOM = "el => el.scrollHeight - el.scrollTop - el.clientHeight"


def test_the_log_dialog_follows_the_run_and_survives_panel_refreshes(demo, open_panel):
    rid = new_run(demo, CLAUDE_CODER)
    say(demo, rid, *CONVERSATION)
    page = open_panel()
    refreshes = count_agent_refreshes(page)
    dialog = page.locator("#ow-log-dialog")
    log = page.locator("#ow-log-entries")

    page.locator(f"#ow-log-{rid}").click()
    expect(dialog).to_have_attribute("open", "")
    opened = time.monotonic()
    # converted, not raw NDJSON
    expect(log.locator(".ow-entry-init")).to_contain_text("claude-sonnet-4-5")
    expect(log.locator(".ow-entry-tool_call")).to_contain_text("Bash")
    expect(log.locator(".ow-entry-tool_result")).to_contain_text("M app.py")
    expect(log.locator(".ow-entry-thinking")).to_contain_text("Check the tree.")
    assert '"type"' not in log.inner_text()
    assert log.evaluate(DISTANCE_TO_BOTTOM) < 40  # opens at the bottom

    # new output is appended while the run lives, and the view follows the bottom
    say(demo, rid, text("Fresh output one."))
    expect(log.locator(".ow-entry").last).to_have_text("Fresh output one.", timeout=LOG_FOLLOW_MS)
    page.wait_for_function(f"() => ({DISTANCE_TO_BOTTOM})(document.getElementById('ow-log-entries')) < 40")

    # the operator scrolls up to read: new output must not pull the view away
    log.hover()
    page.mouse.wheel(0, -900)
    page.wait_for_function(f"() => ({DISTANCE_TO_BOTTOM})(document.getElementById('ow-log-entries')) > 400")
    top = log.evaluate("el => el.scrollTop")
    say(demo, rid, text("Fresh output two."))
    expect(log.locator(".ow-entry").last).to_have_text("Fresh output two.", timeout=LOG_FOLLOW_MS)
    assert log.evaluate("el => el.scrollTop") == top

    # back at the bottom, it follows again
    log.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    say(demo, rid, text("Fresh output three."))
    expect(log.locator(".ow-entry").last).to_have_text("Fresh output three.", timeout=LOG_FOLLOW_MS)
    page.wait_for_function(f"() => ({DISTANCE_TO_BOTTOM})(document.getElementById('ow-log-entries')) < 40")

    # the panel behind the dialog changes and refreshes; the dialog stays as it was
    entries = log.locator(".ow-entry").count()
    other = new_run(demo)
    expect(page.locator(f'tr[data-run-id="{other}"]')).to_be_attached(timeout=PANEL_REFRESH_MS)
    while time.monotonic() - opened < 9 or sum(refreshes.values()) < 3:
        assert time.monotonic() - opened < 20, refreshes
        page.wait_for_timeout(250)
    expect(dialog).to_have_attribute("open", "")
    expect(page.locator("#ow-log-title")).to_contain_text("Claude Coder")
    assert log.locator(".ow-entry").count() == entries
    expect(log).to_contain_text("Reading file 1 of 120.")
    expect(log).to_contain_text("Fresh output three.")
    assert refreshes["200"] >= 1  # at least one refresh really swapped the panel
