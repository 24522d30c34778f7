"""Issue 25 in a real browser, read as an operator reads it: the log opened as a page
starts at its end and follows; a silent run says it is silent; fragment URLs and
errors opened in the address bar are styled pages whose buttons work; times show in
the browser's own zone with UTC on hover, and read UTC without JS.

Waits are bounds, never measures: nothing here depends on how fast the machine is."""
from datetime import datetime, timedelta, timezone

import pytest

from opsweb.demo.seed import AGENT_ROLES

from .confirm_dialog import InPageConfirm
from .conftest import CLAUDE_CODER, SCREENSHOTS, VIEWPORT, expect, new_run, say, seeded_run

pytestmark = pytest.mark.browser

BOUND_MS = 30_000  # the longest any wait here may take (a poll is 2-4 s)
DISTANCE_TO_BOTTOM = "el => el.scrollHeight - el.scrollTop - el.clientHeight"
LOOP = AGENT_ROLES["failureLoop"]
UNKNOWN = "b0000000-0000-4000-8000-00000000dead"


def test_the_log_opened_as_a_page_starts_at_its_end_and_follows_new_output(demo, panel, page):
    rid = new_run(demo, CLAUDE_CODER)
    say(demo, rid, *(f"line {n} of 200" for n in range(1, 201)))  # taller than its window
    page.goto(f"{panel.url}/operations/runs/{rid}/log")
    log = page.locator("#ow-log-entries")
    expect(log.locator(".ow-entry").last).to_have_text("line 200 of 200")
    assert log.evaluate("el => el.scrollHeight > el.clientHeight")  # it has a window...
    assert log.evaluate(DISTANCE_TO_BOTTOM) < 40  # ...and opens at its end
    expect(page.locator("#ow-log-last")).to_contain_text("last output")
    expect(page.locator("#ow-run-state")).to_contain_text("following new output")

    say(demo, rid, "fresh output")
    expect(log.locator(".ow-entry").last).to_have_text("fresh output", timeout=BOUND_MS)
    page.wait_for_function(f"() => ({DISTANCE_TO_BOTTOM})(document.getElementById("
                           "'ow-log-entries')) < 40", timeout=BOUND_MS)  # still at the end
    expect(page.locator("#ow-log-last time")).to_have_text("<1 m ago")


def test_a_run_silent_for_hours_reads_silent_in_its_log_page_and_card(demo, panel, page):
    rid = seeded_run(demo, "critical")
    page.goto(f"{panel.url}/operations/runs/{rid}/log")
    state = page.locator("#ow-run-state")
    expect(state).to_contain_text("silent since")
    expect(state).not_to_contain_text("following new output")
    hours = int(state.locator(".ow-log-liveness").inner_text().split("silent since ")[1].split(" h")[0])
    assert hours >= 4  # the demo's critical run: past Paperclip's 4 h
    expect(page.locator("#ow-log-last")).to_contain_text(f"last output {hours} h")
    agent = demo.world.runs[rid].agent_id
    page.goto(f"{panel.url}/operations/agents/{agent}")
    expect(page.locator(f'.ow-card-live li[data-run-id="{rid}"] .ow-silence')).to_contain_text(
        f"critical · silent {hours} h")


def _styled(locator) -> bool:
    """opsweb's stylesheet applies: a badge is a rounded pill, not bare text."""
    return locator.evaluate("el => parseFloat(getComputedStyle(el).borderTopLeftRadius) > 0")


def test_fragment_urls_opened_in_the_address_bar_are_styled_pages_whose_buttons_work(
        demo, panel, page):
    page.goto(f"{panel.url}/operations/recent?outcome=failed")
    first = page.locator("#ow-recent-runs .ow-finished-row").first
    assert _styled(first.locator(".ow-badge"))
    first.get_by_role("button").click()  # its Log: the dialog this page holds
    expect(page.locator("#ow-log-dialog")).to_have_attribute("open", "")
    expect(page.locator("#ow-log-dialog #ow-run-state")).to_contain_text("run ended")
    page.keyboard.press("Escape")

    page.goto(f"{panel.url}/operations/attention")
    item = page.locator(f'#ow-attention li[data-kind="failure_loop"][data-agent-id="{LOOP}"]')
    assert _styled(item.locator(".ow-badge"))
    item.get_by_role("button", name="Log of Deploy Bot's last failure").click()
    dialog = page.locator("#ow-log-dialog")
    expect(dialog.locator("#ow-run-state")).to_contain_text("Process exited with code 1")
    page.keyboard.press("Escape")
    InPageConfirm(page, "seen in the strip")  # Pause asks first
    item.get_by_role("button", name="Pause Deploy Bot").click()  # CSRF header: the page's
    expect(page.locator("#ow-attention li[data-kind=paused][data-agent-id='%s']" % LOOP)).to_contain_text(
        "seen in the strip", timeout=BOUND_MS)
    page.screenshot(path=str(SCREENSHOTS / "fragment-page-attention.png"))


def test_an_error_opened_in_the_address_bar_is_a_styled_page_with_a_way_back(demo, panel, page):
    page.goto(f"{panel.url}/operations/agents/{UNKNOWN}")
    failure = page.locator(".ow-failure")
    expect(failure).to_contain_text(f"(agent {UNKNOWN})")
    expect(failure).to_contain_text("(404)")
    colour = failure.evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")  # opsweb's error colours
    page.get_by_role("link", name="Back to all agents").click()
    expect(page.locator("#ow-agents tr.ow-row").first).to_be_visible()


def _clock(iso: str, zone: timezone) -> str:
    then = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return then.astimezone(zone).strftime("%H:%M:%S")


@pytest.mark.parametrize("scripts", [True, False], ids=["with-js", "without-js"])
def test_event_times_show_the_browsers_zone_with_utc_on_hover(demo, panel, browser, scripts):
    tokyo = timezone(timedelta(hours=9))  # no summer time: the offset is fixed
    context = browser.new_context(viewport=VIEWPORT, locale="en-US", timezone_id="Asia/Tokyo",
                                  java_script_enabled=scripts)
    try:
        page = context.new_page()
        rid = seeded_run(demo, "processRunning")
        # opened on its own, the events of a run are a page (without JS too)
        page.goto(f"{panel.url}/operations/runs/{rid}/events")
        first = page.locator("#ow-events-list time.ow-clock").first
        expect(first).to_be_visible()
        iso = first.get_attribute("datetime")
        utc = _clock(iso, timezone.utc)
        if scripts:
            expect(first).to_contain_text(_clock(iso, tokyo))  # the operator's own time...
            assert "GMT+9" in first.inner_text()  # ...named
            title = first.get_attribute("title")
            assert title.endswith(f"{utc} UTC") and _clock(iso, tokyo) in title  # UTC on hover
        else:
            expect(first).to_have_text(f"{utc} UTC")  # the server's text: right as it is
        page.screenshot(path=str(SCREENSHOTS / f"times-{'js' if scripts else 'nojs'}.png"))
        # the panel's hovers: a run's age (a <time>) and its silence (a badge's title)
        page.goto(f"{panel.url}/operations")
        row = page.locator(f"#ow-run-{rid}")
        age = row.locator(".ow-age time").get_attribute("title")
        silence = row.locator(".ow-silence").get_attribute("title")
        assert silence.startswith("last output: ") and silence.endswith(" UTC")
        if scripts:
            assert "GMT+9" in age and age.endswith(" UTC") and " · " in age
            assert "GMT+9" in silence and " · " in silence
        else:
            assert "GMT" not in age + silence
    finally:
        context.close()
