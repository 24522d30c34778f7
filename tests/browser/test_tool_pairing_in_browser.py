"""A tool call whose result arrives in a later poll: the page pairs them by id, so the
call card turns from running to completed and the result carries the tool's name."""
import json

import pytest

from .conftest import CLAUDE_CODER, LOG_FOLLOW_MS, expect, new_run, say

pytestmark = pytest.mark.browser


def test_a_late_tool_result_completes_its_call(demo, open_panel):
    rid = new_run(demo, CLAUDE_CODER)
    say(demo, rid, json.dumps({"type": "assistant", "message": {"content": [
        {"type": "tool_use", "id": "toolu_late", "name": "Bash",
         "input": {"command": "make test"}}]}}))
    page = open_panel()
    page.locator(f"#ow-run-{rid} .ow-do-log").click()
    call = page.locator('.ow-entry-tool_call[data-tool-use-id="toolu_late"]')
    expect(call.locator(".ow-call-state")).to_have_text("running")
    say(demo, rid, json.dumps({"type": "user", "message": {"content": [
        {"type": "tool_result", "tool_use_id": "toolu_late", "content": "42 passed",
         "is_error": False}]}}))
    expect(call.locator(".ow-call-state")).to_have_text("completed", timeout=LOG_FOLLOW_MS)
    result = page.locator('.ow-entry-tool_result[data-tool-use-id="toolu_late"]')
    expect(result.locator(".ow-tool-name")).to_have_text("Bash")
