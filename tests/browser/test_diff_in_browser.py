"""Changed rows only, in a real browser: while the fleet changes (runs added, finished,
going silent), each refresh sends out-of-band swaps of the changed rows; after ten of
them the panel reads exactly as a freshly loaded one, and an open log dialog stayed
open throughout.

opsweb runs on a frozen clock that the test moves: ages cannot tick over between the
last refresh and the fresh load, and the upstream answer (shared for 1.5 s) expires
when the test says so. The refreshes are the poller's own requests, sent when the test
has changed the fleet instead of every 4 s."""
import time

import pytest

from conftest import ServedApp
from opsweb import create_app
from opsweb.runtime.clock import Clock

from .conftest import ARCHIVIST, expect, seeded_run

pytestmark = pytest.mark.browser

GEMINI_SCOUT = "a9e00014-0000-4000-8000-000000000014"
SHOWN = """() => Array.from(document.querySelectorAll('#ow-agents #ow-rows > tr')).map(
  tr => [tr.id, ...Array.from(tr.cells).map(td => td.innerText.trim())])"""
REFRESH = """() => htmx.ajax('GET', document.getElementById('ow-poll').getAttribute('hx-get'),
                          {source: '#ow-poll', swap: 'none'})"""


@pytest.fixture
def frozen_panel(demo):
    clock = Clock(frozen_at=time.time() + 60)  # ahead of the demo's runs, never behind
    app = create_app({"OPSWEB_PAPERCLIP_URL": demo.url, "OPSWEB_COMPANIES": (),
                      "OPSWEB_PAPERCLIP_TOKEN": None, "OPSWEB_TIMEOUT": 2.0}, clock=clock)
    served = ServedApp(app)
    yield served.url, clock
    served.stop()


def change(demo, step: int, added: list[str]) -> None:
    """One change to the fleet: a run added, a run finished, or a run gone silent."""
    if step % 3 == 0:
        agent = (ARCHIVIST, GEMINI_SCOUT)[step // 3 % 2]
        added.append(demo.control("POST", "/runs", agentId=agent, status="running")["id"])
    elif step % 3 == 1:
        demo.control("POST", f"/runs/{added.pop(0)}/finish", status="succeeded")
    else:  # quieter and quieter: the run climbs the attention order
        demo.control("POST", f"/runs/{seeded_run(demo, 'geminiRunning')}/silence",
                     agoMs=(step + 1) * 1_200_000)


def test_ten_diffed_refreshes_leave_the_panel_as_a_fresh_load_with_the_dialog_open(
        demo, frozen_panel, page, watched):
    url, clock = frozen_panel
    answers = []
    page.on("response", lambda r: "/operations/agents" in r.url and r.request.method == "GET"
            and answers.append((r.status, r.headers.get("hx-reswap"))))
    page.goto(url + "/operations")
    page.locator("#ow-agents tr.ow-row").first.wait_for()
    before = page.evaluate(SHOWN)

    page.locator(f"#ow-run-{seeded_run(demo, 'claudeRunning')} .ow-do-log").click()
    dialog = page.locator("#ow-log-dialog")
    expect(dialog).to_have_attribute("open", "")

    added: list[str] = []
    step = 0
    while sum(a == (200, "none") for a in answers) < 10:
        assert step < 30, f"only {answers} after {step} changes"
        change(demo, step, added)
        clock.advance(2)  # past the 1.5 s the upstream answer is shared
        page.evaluate(REFRESH)
        assert dialog.get_attribute("open") == "", f"the dialog closed at change {step}"
        step += 1
    # every refresh was answered with the changed rows, never the whole panel
    assert all(status == 204 or reswap == "none" for status, reswap in answers), answers

    after = page.evaluate(SHOWN)
    fresh = page.context.new_page()
    fresh.goto(url + "/operations")
    fresh.locator("#ow-agents tr.ow-row").first.wait_for()
    assert after == fresh.evaluate(SHOWN)
    assert after != before and {f"ow-run-{rid}" for rid in added} <= {row[0] for row in after}
    expect(dialog).to_have_attribute("open", "")
    expect(dialog.locator("#ow-log-entries")).to_be_attached()
    fresh.close()
    assert watched.problems == []


def test_a_focused_button_keeps_the_focus_when_a_refresh_replaces_its_row(
        demo, frozen_panel, page, watched):
    url, clock = frozen_panel
    rid = seeded_run(demo, "codexRunning")
    page.goto(url + "/operations")
    stop = page.locator(f"#ow-run-{rid} .ow-do-stop")
    stop.focus()
    stop.evaluate("el => { el.owOldNode = true; }")
    demo.control("POST", f"/runs/{rid}/silence", agoMs=3_700_000)
    clock.advance(2)
    page.evaluate(REFRESH)
    expect(page.locator(f"#ow-run-{rid} .ow-silence")).to_contain_text("suspicious")
    assert stop.evaluate("el => el.owOldNode") is None  # the row was replaced
    expect(stop).to_be_focused()
    assert watched.problems == []
