"""Agents, not just runs, in a real browser: Pause from a row (its confirm dialog
takes the reason) holds the agent, the attention strip shows it
paused with Resume; a stopped run appears under recent runs and its log opens; the
attention strip shows a failure loop with its Pause button. Pictures for the README."""
import pytest

from opsweb.demo.seed import AGENT_ROLES

from .confirm_dialog import InPageConfirm
from .conftest import SHELL_BOT, calls_to, expect, seeded_run
from .test_readme_screenshots import keep

pytestmark = pytest.mark.browser

LOOP = AGENT_ROLES["failureLoop"]
REASON = "holds the deploy lock — שלום"  # not Latin-1: travels in the body, not a header


Prompts = InPageConfirm  # answers every confirm dialog with `reason` (None: cancel)


def test_pause_from_a_row_with_a_reason_shows_the_agent_paused_then_resume(demo, open_panel):
    rid = seeded_run(demo, "processRunning")
    page = open_panel()
    expect(page.locator("#ow-attention")).to_be_visible()
    prompts = Prompts(page, None)
    pause = page.locator(f"#ow-run-{rid} .ow-do-pause")
    expect(pause).to_have_accessible_name("Pause Shell <b>Bot</b>")
    pause.click()
    page.wait_for_timeout(300)
    assert calls_to(demo, f"pause:{SHELL_BOT}") == 0  # dismissed: nothing sent
    assert prompts.asked[0].startswith("Pause Shell <b>Bot</b>? Paperclip cancels its running"
                                       " runs; its timer stops waking it until resumed.")

    prompts.reason = REASON
    pause.click()
    expect(page.locator(f"#ow-run-{rid} .ow-outcome")).to_have_text(
        "Agent paused: Paperclip cancelled its running runs; its timer skips it until resumed.")
    assert calls_to(demo, f"pause:{SHELL_BOT}") == 1
    # the strip refreshes at once (opsweb-changed) and says who paused it and why
    item = page.locator(f'#ow-attention li[data-kind="paused"][data-agent-id="{SHELL_BOT}"]')
    expect(item).to_contain_text(f"by local: {REASON}")
    expect(item.locator(".ow-badge")).to_have_text("paused")
    expect(page.locator(f'#ow-agents tr[data-run-id="{rid}"]')).to_have_count(0, timeout=6_500)
    keep(page, "attention")

    resume = item.get_by_role("button", name="Resume Shell <b>Bot</b>")
    prompts.reason = ""
    resume.click()
    expect(page.locator(f'#ow-attention li[data-kind="paused"][data-agent-id="{SHELL_BOT}"]')
           ).to_have_count(0)
    assert calls_to(demo, f"resume:{SHELL_BOT}") == 1
    assert demo.api(f"/agents/{SHELL_BOT}").json()["status"] != "paused"


def test_a_stopped_run_appears_under_recent_runs_and_its_log_opens(demo, open_panel):
    rid = seeded_run(demo, "codexRunning")
    page = open_panel()
    # the section that listens for the Stop's event is there before the Stop (on a
    # loaded machine it loads after the panel)
    expect(page.locator("#ow-recent-runs .ow-finished-row").first).to_be_visible(timeout=30_000)
    Prompts(page, "stuck")
    page.locator(f"#ow-run-{rid} .ow-do-stop").click()
    row = page.locator(f'#ow-recent-runs tr[data-finished-run-id="{rid}"]')
    # at once: the Stop's answer fires opsweb-changed on <body>; the 15 s poll is not
    # waited for (the bound stays under it)
    expect(row).to_be_visible(timeout=12_000)
    expect(row.locator(".ow-status")).to_have_text("cancelled")
    expect(row.locator(".ow-cancelled-by")).to_have_text("by local (opsweb)")
    row.get_by_role("button", name="Log of Codex Fixer's cancelled run").click()
    dialog = page.locator("#ow-log-dialog")
    expect(dialog).to_have_attribute("open", "")
    expect(dialog.locator("#ow-run-state")).to_contain_text("run ended")
    expect(dialog.locator(".ow-entry").first).to_be_visible()
    page.mouse.move(0, 0)
    keep(page, "recent-log")


def test_the_attention_strip_shows_a_loop_with_its_pause_and_the_agent_card(demo, open_panel):
    page = open_panel()
    item = page.locator(f'#ow-attention li[data-kind="failure_loop"][data-agent-id="{LOOP}"]')
    expect(item).to_contain_text("Deploy Bot")
    expect(item).to_contain_text("4 failures in a row")
    expect(item).to_contain_text("Process exited with code 1")
    expect(item.get_by_role("button", name="Pause Deploy Bot")).to_be_visible()
    for kind in ("empty_runs", "agent_error", "paused"):
        expect(page.locator(f'#ow-attention li[data-kind="{kind}"]')).to_have_count(1)
    keep(page, "panel-attention", clip={"x": 0, "y": 0, "width": 1400, "height": 420})

    item.get_by_role("button", name="Agent Deploy Bot").click()
    card = page.locator("#ow-log-dialog .ow-agent-card")
    expect(card).to_be_visible()
    expect(card.locator(".ow-finished-row")).to_have_count(4)
    expect(card.get_by_role("button", name="Pause Deploy Bot")).to_be_visible()
    expect(card.get_by_role("button", name="Reset the session of Deploy Bot")).to_have_text(
        "Reset agent session")
    page.mouse.move(0, 0)
    keep(page, "agent-card")
    page.keyboard.press("Escape")
    expect(page.locator("#ow-log-dialog")).not_to_have_attribute("open", "")
