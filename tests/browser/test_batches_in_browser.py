"""Batches in a real browser: three rows picked with the keyboard, Pause agents with a
reason in the confirm dialog (which previews the three names first), the progress
polled in place until done, then Undo resumes the three. And the confirm dialog's
keyboard: Escape cancels (nothing sent) and the focus returns to the button."""
import pytest

from .conftest import calls_to, expect, seeded_run

pytestmark = pytest.mark.browser


def distinct_agent_rows(page, n):
    rows, agents = [], set()
    for row in page.locator("#ow-rows tr[data-run-id]").all():
        agent = row.get_attribute("data-agent-id")
        if agent not in agents and row.locator("input.ow-pick").count():
            rows.append(row)
            agents.add(agent)
        if len(rows) == n:
            return rows, agents
    raise AssertionError(f"fewer than {n} agents run in the demo")


def test_three_rows_picked_by_keyboard_are_paused_as_a_batch_then_undone(demo, open_panel):
    page = open_panel()
    rows, agents = distinct_agent_rows(page, 3)
    bar = page.locator("#ow-selection")
    expect(bar).to_be_hidden()
    for row in rows:
        box = row.locator("input.ow-pick")
        expect(box).to_have_accessible_name(
            "Select the run of " + row.locator(".ow-agent bdi").text_content())
        box.focus()
        page.keyboard.press("Space")
        expect(box).to_be_checked()
    expect(bar).to_be_visible()
    expect(bar.locator(".ow-selection-count")).to_have_text("Selected: 3")

    pause = bar.get_by_role("button", name="Pause agents")
    pause.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#ow-confirm")
    expect(dialog).to_have_attribute("open", "")
    expect(dialog.locator(".ow-preview-names li")).to_have_count(3)
    expect(dialog.locator(".ow-preview-what")).to_contain_text("3 targets")
    expect(dialog.locator(".ow-confirm-label")).to_have_text(
        "Reason (required, kept in the audit trail)")
    reason = dialog.locator(".ow-confirm-reason")
    expect(reason).to_be_focused()
    page.keyboard.press("Enter")  # no reason yet: the dialog stays, nothing is sent
    expect(dialog).to_have_attribute("open", "")
    page.keyboard.type("deploy incident")
    expect(dialog.locator(".ow-confirm-limit")).to_contain_text("15 / 300")
    page.keyboard.press("Enter")

    batch = page.locator("#ow-batch-area .ow-batch").first
    expect(batch).to_have_attribute("data-status", "done", timeout=10_000)
    expect(batch.locator(".ow-count-done")).to_have_text("3 done")
    for agent in agents:
        assert calls_to(demo, f"pause:{agent}") == 1
        assert demo.api(f"/agents/{agent}").json()["status"] == "paused"
    expect(bar).to_be_hidden()  # the selection is cleared once the batch started

    undo = batch.get_by_role("button", name="Undo: resume the 3 agents this batch paused")
    undo.click()
    expect(dialog).to_have_attribute("open", "")
    page.keyboard.press("Enter")  # the undo's reason is optional
    undone = page.locator('#ow-batch-area .ow-batch[data-action="resume"]')
    expect(undone).to_have_attribute("data-status", "done", timeout=10_000)
    expect(undone.locator(".ow-count-done")).to_have_text("3 done")
    for agent in agents:
        assert calls_to(demo, f"resume:{agent}") == 1
        assert demo.api(f"/agents/{agent}").json()["status"] != "paused"


def test_escape_cancels_the_confirm_dialog_and_gives_the_focus_back(demo, open_panel):
    rid = seeded_run(demo, "codexRunning")
    page = open_panel()
    stop = page.locator(f"#ow-run-{rid} .ow-do-stop")
    stop.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#ow-confirm")
    expect(dialog).to_have_attribute("open", "")
    expect(dialog).to_have_attribute("aria-labelledby", "ow-confirm-title")
    expect(dialog.locator(".ow-confirm-reason")).to_be_focused()
    # Tab stays in the dialog (showModal makes the rest of the page inert)
    for _ in range(4):
        page.keyboard.press("Tab")
        assert page.evaluate("() => !!document.activeElement.closest('#ow-confirm')")
    page.keyboard.press("Escape")
    expect(page.locator("#ow-confirm")).to_have_count(0)
    expect(stop).to_be_focused()
    assert calls_to(demo, f"cancel:{rid}") == 0


def test_a_drained_agent_shows_draining_on_its_row_until_the_batch_ends(demo, open_panel):
    from .conftest import CLAUDE_CODER
    rid = seeded_run(demo, "claudeRunning")
    queued = seeded_run(demo, "queuedBehindClaude")
    page = open_panel()
    page.locator(f"#ow-run-{rid} input.ow-pick").check()
    page.locator("#ow-selection").get_by_role("button", name="Drain agents").click()
    dialog = page.locator("#ow-confirm")
    expect(dialog.locator(".ow-preview-consequence")).to_contain_text(
        "a timer or a new issue can still wake the agent")
    dialog.locator(".ow-confirm-reason").fill("let it finish")
    dialog.locator(".ow-confirm-ok").click()
    batch = page.locator('#ow-batch-area .ow-batch[data-action="drain"]')
    expect(batch.locator(".ow-count-draining")).to_have_text("1 draining", timeout=10_000)
    expect(page.locator(f"#ow-run-{rid} .ow-draining")).to_have_text("draining",
                                                                     timeout=10_000)
    assert demo.api(f"/heartbeat-runs/{queued}").json()["status"] == "cancelled"
    assert calls_to(demo, f"pause:{CLAUDE_CODER}") == 0  # its run goes on
    batch.get_by_role("button", name="Cancel the batch").click()
    expect(batch).to_have_attribute("data-status", "cancelled", timeout=10_000)
    expect(page.locator(f"#ow-run-{rid} .ow-draining")).to_have_count(0)
    assert calls_to(demo, f"pause:{CLAUDE_CODER}") == 0
