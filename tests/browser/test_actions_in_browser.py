"""Stop and Reset agent session in a real browser: a confirmation first (the in-page
confirm dialog, which also takes the optional reason), nothing sent when cancelled,
exactly one call to Paperclip when confirmed (even after a double click)."""
import re

import pytest

from .confirm_dialog import InPageConfirm
from .conftest import (CLAUDE_CODER, PANEL_REFRESH_MS, calls_to, expect, record_swaps,
                       seeded_run, swaps)

pytestmark = pytest.mark.browser


class Confirms(InPageConfirm):
    """Confirms (with no reason) or cancels every confirm dialog, as told."""

    def __init__(self, page, accept: bool):
        super().__init__(page, "" if accept else None)

    @property
    def accept(self) -> bool:
        return self.reason is not None

    @accept.setter
    def accept(self, value: bool) -> None:
        self.reason = "" if value else None


def posts_to(page, fragment: str) -> list[str]:
    sent = []
    page.on("request", lambda r: r.method == "POST" and fragment in r.url and sent.append(r.url))
    return sent


def test_stop_asks_first_sends_nothing_when_dismissed_and_cancels_once_when_accepted(
        demo, open_panel):
    rid = seeded_run(demo, "processRunning")  # agent "Shell <b>Bot</b>": names stay text
    page = open_panel()
    record_swaps(page)
    sent = posts_to(page, "/cancel")
    stop = page.get_by_role("button", name="Stop the run of Shell <b>Bot</b>", exact=True)

    confirms = Confirms(page, accept=False)
    stop.click()
    page.wait_for_timeout(500)  # a confirmed request would leave at once
    assert confirms.asked == [
        "Stop Shell <b>Bot</b>'s running run? Paperclip cancels it gracefully."]
    assert sent == [] and calls_to(demo, f"cancel:{rid}") == 0

    confirms.accept = True
    with page.expect_response(lambda r: r.url.endswith(f"/runs/{rid}/cancel")) as answer:
        stop.click()
    assert answer.value.status == 200 and len(confirms.asked) == 2
    page.wait_for_function("() => window.owSwaps.some(s => s.id.startsWith('ow-outcome-'))")
    assert swaps(page, f"ow-outcome-{rid}") == ["Run cancelled."]
    expect(page.locator(f'tr[data-run-id="{rid}"]')).to_have_count(0, timeout=PANEL_REFRESH_MS)
    assert calls_to(demo, f"cancel:{rid}") == 1
    assert demo.api(f"/heartbeat-runs/{rid}").json()["status"] == "cancelled"


def test_a_quick_double_click_on_stop_still_cancels_exactly_once(demo, open_panel):
    rid = seeded_run(demo, "codexRunning")
    page = open_panel()
    record_swaps(page)
    confirms = Confirms(page, accept=True)
    sent = posts_to(page, "/cancel")
    page.locator(f"#ow-run-{rid} .ow-do-stop").dblclick()
    page.wait_for_function("() => window.owSwaps.some(s => s.id.startsWith('ow-outcome-'))")
    expect(page.locator(f'tr[data-run-id="{rid}"]')).to_have_count(0, timeout=PANEL_REFRESH_MS)
    assert confirms.asked  # it asked before stopping
    assert sent  # hx-sync drops the second click while the first is in flight; if the
    # first had already come back, Paperclip saw a finished run: still one cancel
    assert "Run cancelled." in swaps(page, f"ow-outcome-{rid}")
    assert calls_to(demo, f"cancel:{rid}") == 1


def test_reset_agent_session_asks_first_and_reports_the_cleared_sessions(demo, open_panel):
    rid = seeded_run(demo, "claudeRunning")
    page = open_panel()
    sent = posts_to(page, "/reset-session")
    page.locator(f"#ow-run-{rid} .ow-do-card").click()  # it resets the whole agent: in its card
    reset = page.locator(f"#ow-card-reset-{CLAUDE_CODER}")
    expect(reset).to_have_accessible_name("Reset the session of Claude Coder")
    expect(reset).to_have_text("Reset agent session")

    confirms = Confirms(page, accept=False)
    reset.click()
    page.wait_for_timeout(500)
    assert sent == [] and calls_to(demo, f"reset-session:{CLAUDE_CODER}") == 0

    confirms.accept = True
    reset.click()
    outcome = page.locator("#ow-card-outcome .ow-outcome")
    expect(outcome).to_have_text(re.compile(r"^Session reset: \d+ task sessions? cleared\.$"))
    assert confirms.asked == 2 * [
        "Reset Claude Coder's session (all its tasks)? Its next run starts a fresh"
        " conversation."]
    assert calls_to(demo, f"reset-session:{CLAUDE_CODER}") == 1
