"""Issue 25, over real HTTP against the demo: every fragment URL opened without htmx is
a page of its own (styled, with the dialog and CSRF header its buttons need, and a way
back); errors are styled pages, twins keep JSON; a 404 names the id; an unknown
company= is a 404; the card twin speaks agentId/agentName and dollars; a loop's
evidence is one click away; a silent run says so in its log."""
import pytest
from bs4 import BeautifulSoup

from opsweb.demo.seed import ACME, AGENT_ROLES

LOOP = AGENT_ROLES["failureLoop"]
UNKNOWN = "b0000000-0000-4000-8000-00000000dead"


def page(panel, path: str, expect: int = 200) -> BeautifulSoup:
    resp = panel.get(path)  # as the address bar asks: no HX-Request
    assert resp.status_code == expect, (path, resp.status_code, resp.text[:300])
    assert resp.headers["Content-Type"].startswith("text/html")
    return BeautifulSoup(resp.text, "html.parser")


def assert_whole_page(soup: BeautifulSoup):
    assert soup.select_one("html[lang][dir]") and soup.select_one("head title")
    assert soup.select_one('link[rel="stylesheet"][href*="opsweb.css"]')
    assert soup.select_one('script[src*="opsweb.js"]') and soup.select_one('script[src*="htmx"]')
    assert soup.select_one("a.ow-back, a[href='/operations']")  # the way back


@pytest.mark.parametrize("path, inside", [
    ("/operations/recent", "#ow-recent-runs .ow-finished-row"),
    ("/operations/recent?outcome=failed", "#ow-recent-runs .ow-finished-row"),
    ("/operations/attention", "#ow-attention .ow-attention-item"),
])
def test_a_fragment_url_opened_on_its_own_is_a_page_whose_buttons_work(panel, path, inside):
    soup = page(panel, path)
    assert_whole_page(soup)
    assert soup.select(inside)
    assert soup.select_one("dialog#ow-log-dialog")  # where its Log and Agent buttons open
    assert "X-CSRF-Token" in soup.select_one("main")["hx-headers"]  # what its actions send
    fragment = panel.soup(path)  # htmx still gets the bare fragment
    assert not fragment.select_one("html") and fragment.select(inside)


def test_the_panel_and_a_runs_events_opened_on_their_own_are_pages(demo, panel):
    soup = page(panel, "/operations/agents?status=running")
    assert_whole_page(soup)
    assert soup.select("#ow-agents tr.ow-row") and soup.select_one("dialog#ow-log-dialog")
    rid = demo.world.directory()["runs"]["processRunning"]
    events = page(panel, f"/operations/runs/{rid}/events")
    assert_whole_page(events)
    assert events.select("ol#ow-events-list li.ow-event")
    assert panel.get(f"/api/operations/runs/{rid}/events").json()["events"]


def test_a_follow_url_opened_on_its_own_is_the_log_page_at_its_end(demo, panel):
    rid = demo.world.directory()["runs"]["processRunning"]
    soup = page(panel, f"/operations/runs/{rid}/log?cursor=0")
    assert_whole_page(soup)
    assert soup.select_one("main.ow-log-page #ow-log-entries .ow-entry")


@pytest.mark.parametrize("path, status, words", [
    (f"/operations/agents/{UNKNOWN}", 404, f"(agent {UNKNOWN})"),
    (f"/operations/runs/{UNKNOWN}/log", 404, f"(run {UNKNOWN})"),
    ("/operations/agents/not-a-uuid", 400, "agent id"),
    ("/operations/recent?limit=0", 400, "limit"),
    (f"/operations/recent?company={UNKNOWN}", 404, f"Unknown company {UNKNOWN}"),
])
def test_errors_are_styled_pages_with_a_way_back_and_twins_keep_json(panel, path, status, words):
    soup = page(panel, path, status)
    assert_whole_page(soup)
    assert words in soup.select_one(".ow-failure").get_text()
    assert soup.select_one("a.ow-back")["href"] == "/operations"
    twin = panel.get(path.replace("/operations", "/api/operations", 1))
    assert twin.status_code == status and words in twin.json()["error"]
    swapped = panel.get(path, headers={"HX-Request": "true"})  # htmx: the fragment alone
    assert swapped.status_code == status and "<html" not in swapped.text


def test_an_unknown_company_is_named_not_answered_with_nothing(panel):
    for twin in ("/api/operations/agents", "/api/operations/recent"):
        resp = panel.get(f"{twin}?company={UNKNOWN}")
        assert resp.status_code == 404 and UNKNOWN in resp.json()["error"], twin
        assert panel.get(f"{twin}?company={ACME}").status_code == 200


def test_an_unknown_api_route_answers_opsweb_json_error(panel):
    for method in ("GET", "POST"):
        resp = panel.http.request(method, panel.url + "/api/operations/no-such-thing", timeout=15)
        assert resp.status_code == 404
        assert resp.json() == {"error": f"No such route: {method} /api/operations/no-such-thing;"
                                        " the JSON twins are listed at"
                                        " /api/operations/openapi.json"}


def test_the_card_twin_names_the_agent_as_every_twin_does_and_money_in_dollars(demo, panel):
    card = panel.get(f"/api/operations/agents/{LOOP}").json()
    assert card["agentId"] == LOOP and card["agentName"] == "Deploy Bot"
    assert "id" not in card and "name" not in card
    assert not [k for k in card if k.endswith("Cents")]
    [loop] = [i for i in card["attention"] if i["kind"] == "failure_loop"]
    assert loop["lastRunId"] == card["recentRuns"][0]["runId"]


def test_a_loop_in_the_strip_and_on_its_card_opens_the_log_of_its_last_failure(demo, panel):
    items = panel.get("/api/operations/attention").json()["items"]
    loop = next(i for i in items if i["kind"] == "failure_loop")
    error = next(i for i in items if i["kind"] == "agent_error")
    assert loop["lastRunId"] and "lastRunId" in error
    assert all(i["lastRunId"] is None for i in items if i["kind"] in ("paused", "empty_runs"))
    strip = panel.soup("/operations/attention")
    button = strip.select_one('li[data-kind="failure_loop"] .ow-last-failure')
    assert button["hx-get"] == f"/operations/runs/{loop['lastRunId']}/log"
    assert button["aria-label"] == "Log of Deploy Bot's last failure"
    card = panel.soup(f"/operations/agents/{LOOP}")
    item = card.select_one('.ow-card-attention li[data-kind="failure_loop"]')
    assert "4 failures in a row" in item.get_text()
    assert item.select_one(".ow-last-failure")["hx-get"] == button["hx-get"]


def test_a_silent_run_says_so_in_its_log_and_card_not_following(demo, panel):
    rid = demo.world.directory()["runs"]["critical"]
    log = panel.soup(f"/operations/runs/{rid}/log")
    state = log.select_one("#ow-run-state").get_text(" ", strip=True)
    assert "following new output" not in state
    assert "silent since" in state and " h " in state and "ago" in state
    last = log.select_one("#ow-log-last")
    assert last.get_text(" ", strip=True).startswith("last output") and last.select_one("time[datetime]")
    twin = panel.get(f"/api/operations/runs/{rid}/log").json()
    assert twin["silentSeconds"] > 4 * 3600 and twin["lastOutputAt"]
    row = next(r for r in panel.get("/api/operations/agents").json()["runs"] if r["runId"] == rid)
    card = panel.soup(f"/operations/agents/{row['agentId']}")
    live = card.select_one(f'.ow-card-live li[data-run-id="{rid}"]').get_text(" ", strip=True)
    assert "critical" in live and "silent" in live


def test_a_run_writing_now_is_followed_and_its_last_output_moves(demo, panel):
    rid = demo.control("POST", "/runs", agentId=AGENT_ROLES.get("idle", LOOP), status="running")["id"]
    demo.control("POST", f"/runs/{rid}/output", chunks=[{"stream": "stdout", "chunk": "hello\n"}])
    log = panel.soup(f"/operations/runs/{rid}/log")
    assert "following new output" in log.select_one("#ow-run-state").get_text()
    follow = log.select_one("#ow-log-follow")["hx-get"]
    demo.control("POST", f"/runs/{rid}/output", chunks=[{"stream": "stdout", "chunk": "again\n"}])
    more = panel.soup(follow)
    assert more.select_one("#ow-log-last[hx-swap-oob]") and more.select_one("#ow-log-liveness[hx-swap-oob]")


@pytest.mark.parametrize("method, path, status, words", [
    ("GET", "/operations/no-such-page", 404, "No page here: /operations/no-such-page"),
    ("GET", f"/operations/runs/{UNKNOWN}/cancel", 405, "does not answer GET"),
])
def test_an_address_under_the_panel_that_matches_nothing_is_a_styled_page(panel, method, path,
                                                                         status, words):
    resp = panel.http.request(method, panel.url + path, timeout=15)
    assert resp.status_code == status and resp.headers["Content-Type"].startswith("text/html")
    soup = BeautifulSoup(resp.text, "html.parser")
    assert_whole_page(soup)
    assert words in soup.select_one(".ow-failure").get_text()
    if status == 405:
        assert "POST" in resp.headers["Allow"]
