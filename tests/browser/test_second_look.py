"""The second look (issue 25), as an operator sees it in Chromium: a row's Stop and
Pause look as dangerous as the strip's (colours computed by the browser, at rest and
under the pointer); a live run of an agent in a failure loop carries the strip's
word and colour; on a 390 px phone a run reads agent, silence, state and buttons first,
nothing off-screen; the keys j/k, Enter, /, ? and Esc, and none of them while typing."""
import pytest

from opsweb.demo.seed import AGENT_ROLES

from .conftest import PANEL_REFRESH_MS, expect, new_run, seeded_run
from .test_readme_screenshots import keep

pytestmark = pytest.mark.browser

LOOP = AGENT_ROLES["failureLoop"]  # Deploy Bot: its last four runs failed alike

LOOK = """el => { const s = getComputedStyle(el);
  return {color: s.color, background: s.backgroundColor, border: s.borderTopColor}; }"""


def rgb(text: str) -> tuple[int, ...]:
    return tuple(int(float(n)) for n in text[text.index("(") + 1:text.index(")")].split(",")[:3])


def reddish(text: str) -> bool:
    r, g, b = rgb(text)
    return r > g + 60 and r > b + 60


def look(locator, page, hover: bool = False) -> dict:
    if hover:
        locator.hover()
    else:
        page.mouse.move(0, 0)
    return locator.evaluate(LOOK)


def test_a_rows_stop_and_pause_look_as_dangerous_as_the_strips_at_rest_and_hovered(
        demo, open_panel):
    rid = seeded_run(demo, "processRunning")
    page = open_panel()
    strip_pause = page.locator("#ow-attention .ow-act-pause").first
    expect(strip_pause).to_be_visible()
    row = page.locator(f"#ow-run-{rid}")
    stop, pause, log = (row.locator(f".ow-do-{k}") for k in ("stop", "pause", "log"))
    for hover in (False, True):
        danger = look(strip_pause, page, hover)
        assert reddish(danger["color"]), danger
        for button in (stop, pause):
            seen = look(button, page, hover)
            assert seen == danger, (hover, seen, danger)  # same text, border and fill
        plain = look(log, page, hover)
        assert not reddish(plain["color"]) and plain != danger, plain
    # hovering fills the danger buttons, as the strip's do
    assert look(stop, page, True)["background"] != look(stop, page, False)["background"]


def test_a_live_run_of_an_agent_in_a_failure_loop_carries_the_strips_kind(demo, open_panel):
    page = open_panel()
    item = page.locator(f'#ow-attention li[data-kind="failure_loop"][data-agent-id="{LOOP}"]')
    expect(item).to_be_visible()
    rid = new_run(demo, LOOP)
    row = page.locator(f"#ow-run-{rid}")
    badge = row.locator(".ow-kind")
    expect(badge).to_be_visible(timeout=PANEL_REFRESH_MS)
    strip_badge = item.locator(".ow-kind")
    assert badge.inner_text() == strip_badge.inner_text() == "failure loop"
    assert badge.evaluate(LOOK) == strip_badge.evaluate(LOOK)  # the strip's colours
    expect(row.locator(".ow-next")).to_have_text(
        "Its last runs failed the same way: Pause it to stop the loop.")
    # its edge is the loop's colour (the strip's text colour), its cells tinted
    edge = row.locator("td").first.evaluate("el => getComputedStyle(el).boxShadow")
    assert rgb(edge) == rgb(strip_badge.evaluate("el => getComputedStyle(el).color")), edge
    other = page.locator(f"#ow-run-{seeded_run(demo, 'processRunning')} td").first
    page.mouse.move(0, 0)
    tint = row.locator("td").nth(2).evaluate("el => getComputedStyle(el).backgroundColor")
    assert tint != other.evaluate("el => getComputedStyle(el).backgroundColor")
    # a row of an agent with nothing to attend has no badge
    expect(page.locator(f"#ow-run-{seeded_run(demo, 'processRunning')} .ow-kind")).to_have_count(0)


# the panel's elements that reach past its right edge, while it scrolls sideways
WIDER_THAN_THE_PANEL = """el => el.scrollWidth <= el.clientWidth ? [] :
  [...el.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right
      > el.getBoundingClientRect().right + 1 && e.getClientRects().length)
    .slice(0, 6).map(e => e.tagName + '.' + e.className + ': ' + e.textContent.slice(0, 80))"""
BOX = "el => { const b = el.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; }"


def test_on_a_390_px_phone_a_run_reads_agent_silence_state_and_buttons_first(demo, open_panel):
    rid = seeded_run(demo, "critical")  # Lab Runner, silent for 5 h
    page = open_panel()
    page.set_viewport_size({"width": 390, "height": 844})
    row = page.locator(f"#ow-run-{rid}")
    expect(row.locator(".ow-do-stop")).to_be_visible()
    # nothing scrolls sideways: not the page, not the panel
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # (a bound, not an instant: under load a refresh may be mid-swap when first measured)
    for _ in range(50):
        wide = page.locator("#ow-agents").evaluate(WIDER_THAN_THE_PANEL)
        if not wide:
            break
        page.wait_for_timeout(200)
    assert not wide, wide  # what sticks out, if anything does
    agent, company, state, silence, issue = (row.locator(s).evaluate(BOX) for s in (
        ".ow-agent", ".ow-company", ".ow-state", ".ow-silence", ".ow-issue"))
    stop = row.locator(".ow-do-stop").evaluate(BOX)
    for box in (agent, company, state, silence, issue, stop):
        assert 0 <= box[0] and box[2] <= 390, box
    assert silence[1] < agent[3] and silence[0] > agent[0]  # silence beside the agent
    assert company[1] >= agent[3] - 1 and abs(company[0] - agent[0]) < 2  # company under it
    assert state[1] >= company[3] - 1  # then the state and its next step
    assert stop[1] >= state[3] - 1 and stop[3] <= issue[1] + 1  # the buttons before the issue
    expect(row.locator(".ow-next")).to_contain_text("then Stop it")
    first = page.locator("#ow-rows > tr").first.evaluate(BOX)
    assert first[1] < 844  # the worst run is on the first screen
    row.scroll_into_view_if_needed()
    page.mouse.move(0, 0)
    keep(page, "panel-phone")


def test_keys_move_between_rows_open_a_log_and_find_the_filter_but_not_while_typing(
        demo, open_panel):
    page = open_panel()
    rows = page.locator("#ow-rows > tr")
    focused_id = "() => document.activeElement.id"
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    assert page.evaluate(focused_id) == rows.nth(0).get_attribute("id")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.evaluate(focused_id) == rows.nth(2).get_attribute("id")
    page.keyboard.press("k")
    second = rows.nth(1).get_attribute("id")
    assert page.evaluate(focused_id) == second

    page.keyboard.press("Enter")  # the focused row's log
    dialog = page.locator("#ow-log-dialog")
    expect(dialog).to_have_attribute("open", "")
    expect(dialog.locator(".ow-log-view")).to_have_attribute(
        "data-run-id", rows.nth(1).get_attribute("data-run-id"))
    page.keyboard.press("j")  # the rows are behind the dialog: nothing moves
    page.keyboard.press("Escape")
    expect(dialog).not_to_have_attribute("open", "")
    assert page.evaluate(focused_id) == second  # back on its row

    page.keyboard.press("/")
    search = page.locator("#ow-filter-agent")
    expect(search).to_be_focused()
    page.keyboard.type("jk")  # typed into the field, not moving rows
    expect(search).to_have_value("jk")
    expect(search).to_be_focused()
    search.fill("")
    page.keyboard.press("Escape")

    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("?")
    keys = page.locator("#ow-keys")
    expect(keys).to_have_attribute("open", "")
    listed = keys.locator("dt").all_inner_texts()
    assert listed == ["j k", "Enter", "/", "Esc", "?"], listed
    page.keyboard.press("Escape")
    expect(keys).not_to_have_attribute("open", "")
