"""The panel with the keyboard alone: the log dialog opens with Enter, closes with Esc
and gives focus back to the button that opened it, even when the panel was replaced
meanwhile; every control has an accessible name."""
import pytest

from .conftest import PANEL_REFRESH_MS, expect, seeded_run

pytestmark = pytest.mark.browser


def test_the_log_dialog_opens_with_enter_closes_with_esc_and_returns_focus(demo, open_panel):
    rid = seeded_run(demo, "claudeRunning")
    page = open_panel()
    dialog = page.locator("#ow-log-dialog")
    opener = page.locator(f"#ow-run-{rid} .ow-do-log")

    opener.focus()
    page.keyboard.press("Enter")
    expect(dialog).to_have_attribute("open", "")
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).not_to_have_attribute("open", "")
    expect(opener).to_be_focused()

    # again, and this time its row is replaced while the dialog is open (it went
    # silent: a refresh swaps that row in)
    opener.evaluate("el => { el.owOldNode = true; }")
    page.keyboard.press("Enter")
    expect(dialog).to_have_attribute("open", "")
    demo.control("POST", f"/runs/{rid}/silence", agoMs=3_700_000)
    expect(page.locator(f"#ow-run-{rid} .ow-silence")).to_contain_text("suspicious",
                                                                       timeout=PANEL_REFRESH_MS)
    assert opener.evaluate("el => el.owOldNode") is None  # a new button in the same place
    page.keyboard.press("Escape")
    expect(dialog).not_to_have_attribute("open", "")
    expect(opener).to_be_focused()


def test_every_control_has_an_accessible_name(demo, open_panel):
    rid = seeded_run(demo, "processRunning")
    page = open_panel()
    row = page.locator(f'tr[data-run-id="{rid}"]')
    for name in ("Log of Shell <b>Bot</b>", "Stop the run of Shell <b>Bot</b>",
                 "Pause Shell <b>Bot</b>", "Agent Shell <b>Bot</b>"):
        expect(row.get_by_role("button", name=name, exact=True)).to_have_count(1)
    # each row's four buttons are named for its agent
    panel = page.locator("#ow-agents")
    rows = panel.locator("tr.ow-row")
    for prefix in ("Log of ", "Stop the run of ", "Pause ", "Agent "):
        expect(panel.get_by_role("button", name=prefix)).to_have_count(rows.count())
    for button in page.locator(".ow-root button").all():  # the attention and recent too
        assert button.evaluate("el => el.getAttribute('aria-label') || el.textContent").strip()
    expect(panel.get_by_role("combobox", name="Company")).to_be_visible()
    expect(panel.get_by_role("searchbox", name="Agent")).to_be_visible()
    expect(panel.get_by_role("combobox", name="Status")).to_be_visible()
    expect(panel.get_by_role("checkbox", name="Silent only")).to_be_visible()
    expect(panel.get_by_role("columnheader", name="Actions")).to_have_count(1)

    page.locator(f"#ow-run-{rid} .ow-do-log").press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Close")).to_be_visible()
    expect(dialog.get_by_role("heading", level=2)).to_contain_text("Shell <b>Bot</b>")
