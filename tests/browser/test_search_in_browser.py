"""Search in the log dialog, in a real browser (issue 23): type in its search box,
the matches arrive highlighted, a click opens the log at that line — scrolled to it,
not to the end — and "Load later output" reads on from there, in place."""
import pytest

from .conftest import ARCHIVIST, expect, new_run, say

pytestmark = pytest.mark.browser


def test_typing_a_search_and_clicking_a_match_opens_the_log_at_that_line(demo, open_panel):
    rid = new_run(demo, ARCHIVIST)
    say(demo, rid, "starting the export")
    demo.control("POST", f"/runs/{rid}/output", ndjson_bytes=1_500_000)
    say(demo, rid, "open('/srv/exports/billing.py'): EACCES <b>denied</b>")
    demo.control("POST", f"/runs/{rid}/output", ndjson_bytes=1_500_000)
    say(demo, rid, "the last line")
    page = open_panel()
    page.locator(f"#ow-run-{rid} .ow-do-log").click()
    log = page.locator("#ow-log-entries")
    expect(log.locator(".ow-entry").last).to_have_text("the last line")
    assert "EACCES" not in log.inner_text()  # far above the window the dialog opened on

    page.keyboard.press("/")  # the key goes to the open log's search box
    box = page.locator(f"#ow-search-q-{rid}")
    expect(box).to_be_focused()
    box.type("eacces")
    box.press("Enter")
    match = page.locator(f"#ow-search-results-{rid} a.ow-match")
    expect(match).to_have_count(1)
    expect(match.locator("mark")).to_have_text("EACCES")
    assert "<b>denied</b>" in match.inner_text()  # agent output shown as text, not markup
    expect(page.locator(f"#ow-search-results-{rid} .ow-search-summary")).to_contain_text("1 match")

    match.click()
    at = page.locator("#ow-log-at")
    expect(at).to_contain_text("open('/srv/exports/billing.py'): EACCES <b>denied</b>")
    expect(at).to_be_in_viewport()
    assert log.evaluate("el => el.scrollHeight - el.scrollTop - el.clientHeight") > 40
    expect(page.locator("#ow-log-dialog")).to_have_attribute("open", "")
    # the search and its matches stay, to go on to the next match
    expect(box).to_have_value("eacces")
    expect(match).to_have_count(1)
    later = page.locator("#ow-later")
    count = log.locator(".ow-entry").count()
    later.click()
    expect(log.locator(".ow-entry")).not_to_have_count(count)
    # the window after it comes in where the button was: reading on, not jumping to the end
    expect(log.locator(".ow-entry").nth(count)).to_be_in_viewport()
    expect(page.locator("#ow-later")).to_have_count(1)


def test_the_agent_card_searches_its_last_runs_and_opens_the_match(demo, open_panel):
    critical = demo.world.directory()["runs"]["critical"]  # EACCES deep in its batch output
    page = open_panel()
    page.locator(f"#ow-run-{critical} .ow-do-card").click()
    box = page.locator("#ow-agent-search-q")
    box.fill("eacces")
    page.locator("form.ow-agent-search select[name=runs]").select_option("10")
    box.press("Enter")
    found = page.locator(f'#ow-agent-search-results li[data-run-id="{critical}"] a.ow-match')
    expect(found.locator("mark")).to_have_text("EACCES")
    expect(found).to_contain_text("shard-00617.pdb")
    found.click()
    at = page.locator("#ow-log-at")
    expect(at).to_contain_text("EACCES: permission denied, open '/data/fold/shard-00617.pdb'")
    expect(at).to_be_in_viewport()
