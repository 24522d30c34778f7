"""The log dialog in a real browser: converted output, new output appended while the
run lives, the operator's scroll position respected, and the dialog left open while
the panel behind it refreshes."""
import json
import time

import pytest

from .conftest import (CLAUDE_CODER, LOG_FOLLOW_MS, PANEL_REFRESH_MS, SHELL_BOT, count_agent_refreshes,
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

    page.locator(f"#ow-run-{rid} .ow-do-log").click()
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


# ---- issue 16: the real end, a bounded page; issue 13: deep links -----------------------

def burst(demo, run_id: str, nbytes: int) -> None:
    demo.control("POST", f"/runs/{run_id}/output", ndjson_bytes=nbytes)


def test_a_burst_then_quiet_run_opens_with_its_last_line_on_screen(demo, open_panel):
    rid = new_run(demo, SHELL_BOT)
    say(demo, rid, "the first line")  # Paperclip's size hint is flushed here, and lags after
    burst(demo, rid, 5_000_000)
    say(demo, rid, "THE LAST LINE")
    page = open_panel()
    page.locator(f"#ow-run-{rid} .ow-do-log").click()
    log = page.locator("#ow-log-entries")
    last = log.locator(".ow-entry").last
    expect(last).to_have_text("THE LAST LINE")
    assert log.evaluate(DISTANCE_TO_BOTTOM) < 40
    box, view = last.bounding_box(), log.bounding_box()
    assert view["y"] <= box["y"] and box["y"] + box["height"] <= view["y"] + view["height"] + 1
    assert page.evaluate("location.search") == f"?run={rid}"  # the address names the dialog


def test_following_20_mb_keeps_the_page_within_the_bound(demo, panel_for, page):
    bound = 400
    panel = panel_for(demo.url, OPSWEB_LOG_DOM_ENTRIES=bound)
    rid = new_run(demo, SHELL_BOT)
    say(demo, rid, "before the bursts")
    page.goto(f"{panel.url}/operations?run={rid}")  # the deep link opens the dialog
    log = page.locator("#ow-log-entries")
    expect(log.locator(".ow-entry").last).to_have_text("before the bursts")
    for n in range(5):  # 5 x 4 MB
        burst(demo, rid, 4_000_000)
        say(demo, rid, f"after burst {n}")
        expect(log.locator(".ow-entry").last).to_have_text(f"after burst {n}", timeout=LOG_FOLLOW_MS)
        count = log.locator(".ow-entry").count()
        assert count <= bound, count
        assert log.evaluate("el => el.textContent.length") <= 1_000_000
    earlier = log.locator("> .ow-earlier").first
    expect(earlier).to_have_text("Load earlier output")
    first = int(log.locator(".ow-entry").first.get_attribute("data-offset"))
    log.evaluate("el => { el.scrollTop = 0; }")
    earlier.click()
    page.wait_for_function("f => +document.querySelector('#ow-log-entries .ow-entry').dataset.offset < f", arg=first)
    assert log.locator(".ow-entry").count() > bound - 50  # the dropped records came back


def test_a_deep_link_opens_the_dialog_and_closing_it_clears_the_address(demo, open_panel):
    rid = new_run(demo, SHELL_BOT)
    say(demo, rid, "deep linked")
    page = open_panel(f"/operations?run={rid}")
    dialog = page.locator("#ow-log-dialog")
    expect(dialog).to_have_attribute("open", "")
    expect(page.locator("#ow-log-entries .ow-entry").last).to_have_text("deep linked")
    expect(page.locator("#ow-run-id")).to_have_text(rid)
    expect(page.locator("#ow-dialog-stop")).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).not_to_have_attribute("open", "")
    assert page.evaluate("location.search") == ""
