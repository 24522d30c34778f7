"""The Hebrew interface in Chromium (the browser asks for Hebrew: Accept-Language he-IL):
the page is right to left and mirrored, Stop asks in Hebrew and cancels, the log dialog
opens and gives focus back, and each log line keeps its own direction, so the mixed
line "תקלה: קובץ config.yaml חסר." keeps its word order, while every line aligns to the
page's start.

OPSWEB_UPDATE_DOCS=1 also refreshes docs/panel-he.png and docs/dialog-he.png."""
import json
import pytest

from .conftest import (CLAUDE_CODER, PANEL_REFRESH_MS, LOG_FOLLOW_MS, SHELL_BOT, calls_to,
                       expect, new_run, record_swaps, say, seeded_run, swaps)
from .test_agents_in_browser import Prompts
from .test_actions_in_browser import Confirms
from .test_readme_screenshots import keep

pytestmark = pytest.mark.browser

MIXED = "תקלה: קובץ config.yaml חסר."
REASON = "סיבה (לא חובה, נשמרת ביומן הביקורת)"  # what the confirm dialog asks
ISOLATE = "\u2068{}\u2069"
# Paperclip drops a pause's reason: every Pause prompt says so (issue 26)
NO_REASON_KEPT = ("Paperclip אינו שומר את סיבת ההשהיה (הוא מציג “manual”):"
                  " הסיבה נשמרת ביומן הביקורת של opsweb.")


@pytest.fixture
def browser_locale() -> str:
    return "he-IL"


# where each word of a line is drawn: x of the middle of its first occurrence
WORD_X = """(el, words) => {
  const node = el.firstChild, text = node.textContent;
  return words.map(w => {
    const range = document.createRange(), at = text.indexOf(w);
    range.setStart(node, at); range.setEnd(node, at + w.length);
    const box = range.getBoundingClientRect();
    return box.left + box.width / 2;
  });
}"""


# where a line's text is drawn, and its block
TEXT_AND_BOX = """el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const text = range.getBoundingClientRect(), box = el.getBoundingClientRect();
  return [text.left, text.right, box.left, box.right];
}"""


def direction(locator) -> str:
    return locator.evaluate("el => getComputedStyle(el).direction")


def test_the_hebrew_panel_is_mirrored_and_stop_asks_in_hebrew_then_cancels_once(
        demo, open_panel):
    rid = seeded_run(demo, "processRunning")  # agent "Shell <b>Bot</b>"
    page = open_panel()
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
        "he", "rtl"]
    expect(page.locator("#ow-agents-title")).to_contain_text("סוכנים פעילים")
    assert direction(page.locator("#ow-agents")) == "rtl"
    row = page.locator(f'tr[data-run-id="{rid}"]')
    # mirrored: the company comes first on the right, the actions last on the left
    company, actions = (row.locator(sel).bounding_box() for sel in (".ow-company", ".ow-actions"))
    assert actions["x"] + actions["width"] <= company["x"]

    record_swaps(page)
    stop = row.get_by_role("button", name=ISOLATE.format("Shell <b>Bot</b>").join(
        ["עצור את הריצה של ", ""]), exact=True)
    expect(stop).to_have_text("עצור")
    confirms = Confirms(page, accept=False)
    stop.click()
    page.wait_for_timeout(500)  # a confirmed request would leave at once
    # the confirmation; the dialog asks for the optional reason in Hebrew
    assert len(confirms.asked) == 1 and confirms.asked[0].startswith(
        "לעצור את הריצה של " + ISOLATE.format("Shell <b>Bot</b>")
        + " (פעילה)? Paperclip יבטל אותה בצורה מסודרת.")
    words = json.loads(page.locator("#ow-agents table[data-ow-confirm]").get_attribute("data-ow-confirm"))
    assert words["reason"] == REASON
    assert calls_to(demo, f"cancel:{rid}") == 0

    confirms.accept = True
    with page.expect_response(lambda r: r.url.endswith(f"/runs/{rid}/cancel")) as answer:
        stop.click()
    assert answer.value.status == 200
    page.wait_for_function("() => window.owSwaps.some(s => s.id.startsWith('ow-outcome-'))")
    assert swaps(page, f"ow-outcome-{rid}") == ["הריצה בוטלה."]
    expect(row).to_have_count(0, timeout=PANEL_REFRESH_MS)
    assert calls_to(demo, f"cancel:{rid}") == 1
    expect(page.locator(".ow-recent-row").first).to_contain_text("עצור")


def test_the_hebrew_agent_card_pauses_with_a_hebrew_prompt_and_answers_in_hebrew(
        demo, open_panel):
    rid = seeded_run(demo, "processRunning")  # agent "Shell <b>Bot</b>"
    page = open_panel()
    name = ISOLATE.format("Shell <b>Bot</b>")
    opener = page.locator(f"#ow-run-{rid} .ow-do-card")
    expect(opener).to_have_text("סוכן")
    opener.click()
    card = page.locator("#ow-log-dialog .ow-agent-card")
    expect(card).to_be_visible()
    assert direction(card) == "rtl"
    expect(card.locator("h3").first).to_have_text("24 השעות האחרונות")  # its day strip
    expect(card.locator("h3").nth(1)).to_have_text("ריצות פעילות")
    pause = card.get_by_role("button", name="השהה את " + name, exact=True)
    expect(pause).to_have_text("השהה")

    prompts = Prompts(page, None)
    pause.click()
    page.wait_for_timeout(300)
    assert calls_to(demo, f"pause:{SHELL_BOT}") == 0  # dismissed: nothing sent
    assert prompts.asked == ["להשהות את " + name + "? Paperclip יבטל את הריצות הפעילות שלו,"
                             " והטיימר יפסיק להעיר אותו עד שפעולתו תחודש. "
                             + NO_REASON_KEPT]
    prompts.reason = "נתקע על נעילת הפריסה"
    pause.click()
    expect(card.locator("#ow-card-outcome .ow-outcome")).to_have_text(
        "הסוכן הושהה: Paperclip ביטל את הריצות הפעילות שלו, והטיימר ידלג עליו עד שפעולתו תחודש.")
    assert calls_to(demo, f"pause:{SHELL_BOT}") == 1
    # the strip behind the dialog says it in Hebrew, with who paused it and why
    item = page.locator(f'#ow-attention li[data-kind="paused"][data-agent-id="{SHELL_BOT}"]')
    expect(item.locator(".ow-kind")).to_have_text("מושהה")
    expect(item).to_contain_text("נתקע על נעילת הפריסה")
    expect(item.locator("button.ow-act-resume")).to_have_text("המשך")

    page.keyboard.press("Escape")
    expect(page.locator("#ow-log-dialog")).not_to_have_attribute("open", "")


def test_the_hebrew_dialog_keeps_each_lines_direction_and_returns_focus(demo, open_panel):
    rid = new_run(demo, CLAUDE_CODER)
    say(demo, rid, MIXED, "warning: config.yaml not found, using defaults",
        '{"type":"assistant","message":{"content":[{"type":"tool_use","id":"toolu_1",'
        '"name":"Bash","input":{"command":"ls"}}]}}')
    page = open_panel()
    opener = page.locator(f"#ow-run-{rid} .ow-do-log")
    dialog = page.locator("#ow-log-dialog")
    opener.click()
    expect(dialog).to_have_attribute("open", "")
    expect(dialog.get_by_role("button", name="סגור")).to_be_focused()
    assert direction(page.locator(".ow-log-view")) == "rtl"

    hebrew = page.locator(".ow-text", has_text="תקלה")
    english = page.locator(".ow-text", has_text="warning:")
    assert (direction(hebrew), direction(english)) == ("rtl", "ltr")
    # word order as drawn: right to left for the Hebrew line, left to right for the other
    first, inside, last = hebrew.evaluate(WORD_X, ["תקלה", "config.yaml", "חסר"])
    assert first > inside > last
    first, inside, last = english.evaluate(WORD_X, ["warning", "config.yaml", "defaults"])
    assert first < inside < last
    # yet all lines start at the page's side (the right), not each at its own: no zig-zag
    for line in (hebrew, english):
        text_left, text_right, box_left, box_right = line.evaluate(TEXT_AND_BOX)
        assert abs(text_right - box_right) < 2 and text_left - box_left > 100
    assert direction(page.locator(".ow-entry-tool_call pre")) == "ltr"  # code stays LTR

    # a result arriving in a later poll turns the call's state into the Hebrew word
    state = page.locator(".ow-entry-tool_call .ow-call-state")
    expect(state).to_have_text("פעילה")
    say(demo, rid, '{"type":"user","message":{"content":[{"type":"tool_result",'
                   '"tool_use_id":"toolu_1","content":"a.txt","is_error":false}]}}')
    expect(state).to_have_text("הושלמה", timeout=LOG_FOLLOW_MS)

    page.keyboard.press("Escape")
    expect(dialog).not_to_have_attribute("open", "")
    expect(opener).to_be_focused()


def test_readme_pictures_of_the_hebrew_panel_and_dialog(demo, panel_for, page, tmp_path):
    rid = seeded_run(demo, "processRunning")
    say(demo, rid, "מעבד את תור ההלכות: 12 מתוך 40", MIXED, "done: 0 errors")
    panel = panel_for(demo.url, OPSWEB_INSTANCE_DIR=str(tmp_path))
    page.set_viewport_size({"width": 1440, "height": 800})
    page.goto(panel.url + "/operations")
    expect(page.locator("tr.ow-row")).to_have_count(9)
    for badge in page.locator(".ow-badge").all():  # every badge says it in Hebrew words
        assert badge.inner_text().strip(), badge.evaluate("el => el.outerHTML")
    strip = page.locator("#ow-rows .ow-pic-compact").first  # drawn right to left
    expect(strip).to_be_visible(timeout=10_000)
    assert "האחרונ" in strip.locator("title").text_content()  # "the last … runs of …", in Hebrew
    keep(page, "panel-he")

    page.locator(f"#ow-run-{rid} .ow-do-log").click()
    expect(page.locator(".ow-text", has_text="תקלה").last).to_be_visible()
    page.locator("#ow-log-entries").evaluate("el => { el.scrollTop = el.scrollHeight; }")
    page.mouse.move(0, 0)
    keep(page, "dialog-he")
