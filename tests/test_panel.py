"""The agents panel, as an operator sees it: the page, the self-refreshing fragment and
its JSON twin, over real HTTP against the demo Paperclip."""
import json

from bs4 import BeautifulSoup

import row_actions

ACME = "c0ffee01-0000-4000-8000-000000000001"
GLOBEX = "c0ffee02-0000-4000-8000-000000000002"
UNKNOWN_COMPANY = "c0ffee00-0000-4000-8000-0000000000ff"


def rows(soup):
    return soup.select("#ow-agents tr.ow-row")


def cells(row):
    return [td.get_text(" ", strip=True) for td in row.find_all("td")]


def test_page_lists_every_running_and_queued_run_of_both_companies(demo, panel):
    page = panel.soup("/operations")
    live = {r["id"]: r for c in (ACME, GLOBEX) for r in demo.api(f"/companies/{c}/live-runs").json()}
    shown = {r["data-run-id"]: r for r in rows(page)}
    assert set(shown) == set(live) and len(shown) >= 5
    companies = {cells(r)[0] for r in shown.values()}
    assert companies == {"Acme Ops", "Globex Research"}
    for run_id, run in live.items():
        row = shown[run_id]
        company, agent, status, issue, age, silence, _ = cells(row)
        assert agent.startswith(run["agentName"]) and run["adapterType"] in agent
        badge = row.select_one(".ow-status")
        level = run["outputSilence"]["level"]
        # one plain state: the status, unless the silence or Paperclip's phase says worse
        worse = {"suspicious": "quiet", "critical": "stuck"}.get(level)
        assert badge.get_text(strip=True) == (worse or run["status"])
        assert f"ow-status-{run['status']}" in badge["class"]
        assert f"ow-silence-{level}" in row.select_one(".ow-silence")["class"]
        assert level.replace("_", " ") in silence
        assert age.startswith("waiting") == (run["status"] == "queued")
        assert row.select_one(".ow-age time")["title"].endswith("UTC")  # exact time on hover


def test_the_issue_column_names_the_issue_not_its_uuid(demo, panel):
    runs = demo.world.directory()["runs"]
    page = panel.soup("/operations")
    row = page.select_one(f'tr[data-run-id="{runs["claudeRunning"]}"]')
    issue_id = demo.api(f"/heartbeat-runs/{runs['claudeRunning']}").json()["contextSnapshot"]["issueId"]
    issue = demo.api(f"/issues/{issue_id}").json()
    assert cells(row)[3] == f"{issue['identifier']} {issue['title']}"


def test_what_needs_attention_comes_first_and_queued_runs_last(demo, panel):
    runs = demo.world.directory()["runs"]
    order = [r["data-run-id"] for r in rows(panel.soup("/operations"))]
    assert order[0] == runs["critical"]
    assert order[1] == runs["suspicious"]
    assert order[-1] == runs["queuedBehindClaude"]
    levels = [r.select_one(".ow-silence").get_text(strip=True).split(" ")[0]
              for r in rows(panel.soup("/operations"))]
    assert levels.index("snoozed") > levels.index("ok")


def test_empty_fleet_says_so(demo, panel_for):
    quiet = panel_for(demo.url, OPSWEB_COMPANIES=(UNKNOWN_COMPANY,))
    page = quiet.soup("/operations/agents")
    assert not rows(page)
    assert page.select_one(".ow-empty").get_text(strip=True) == "No agent is running or queued."


def test_the_fragment_refreshes_itself_every_4s_wherever_it_is(panel):
    page = panel.soup("/operations")
    # a hidden poller inside the root asks; answers swap rows out of band (panel_diff)
    poll = page.select_one("#ow-agents #ow-poll")
    assert poll["hx-trigger"] == "every 4s" and poll["hx-swap"] == "none"
    fragment = panel.soup(poll["hx-get"])
    assert poll["hx-get"] == "/operations/agents"
    assert fragment.select_one("#ow-agents #ow-poll")["hx-get"] == poll["hx-get"]
    assert fragment.find("html") is None  # a fragment, not a page
    # the dialog lives outside the refreshing root, so a refresh never closes it
    assert page.select_one("dialog#ow-log-dialog").find_parent(id="ow-agents") is None
    # a button is found again across refreshes by its row's stable id and its kind
    # (opsweb.js gives it the focus back): unique places, the same in both
    places = lambda s: [(b.find_parent("tr")["id"], b["class"][0])
                        for b in s.select("#ow-agents tbody button")]
    assert places(page) == places(fragment) and len(set(places(page))) == len(places(page))


def test_json_twin_has_the_same_runs(demo, panel):
    html_ids = [r["data-run-id"] for r in rows(panel.soup("/operations/agents"))]
    body = panel.get("/api/operations/agents").json()
    assert [r["runId"] for r in body["runs"]] == html_ids
    assert body["errors"] == []
    assert {c["name"] for c in body["companies"]} == {"Acme Ops", "Globex Research"}
    first = body["runs"][0]
    assert {"agentName", "status", "silenceLevel", "silenceAgeSeconds", "issueLabel",
            "companyName", "adapterType", "ageSeconds"} <= set(first)


def test_configured_companies_limit_the_panel(demo, panel_for):
    only_globex = panel_for(demo.url, OPSWEB_COMPANIES=(GLOBEX,))
    page = only_globex.soup("/operations/agents")
    assert rows(page) and {cells(r)[0] for r in rows(page)} == {"Globex Research"}
    assert demo.calls()["counts"].get(f"live-runs:{ACME}", 0) == 0


def test_agent_names_are_escaped(demo, panel):
    page = panel.get("/operations").text
    assert "Shell <b>Bot</b>" not in page
    assert "Shell &lt;b&gt;Bot&lt;/b&gt;" in page
    soup = panel.soup("/operations")
    assert not soup.select("#ow-agents b")


def test_buttons_have_accessible_names_and_confirmations(panel):
    for row in rows(panel.soup("/operations")):
        name = row.select_one(".ow-agent bdi").get_text()
        status = row.select_one(".ow-status").get_text()
        stop, pause, log, card = (row_actions.button(row, k) for k in ("stop", "pause", "log", "card"))
        # the confirm dialog says the consequence; it asks the optional reason itself
        assert row_actions.prompt(row, "stop") == (
            f"Stop {name}'s {status} run? Paperclip cancels it gracefully.")
        words = json.loads(stop.find_parent(attrs={"data-ow-confirm": True})["data-ow-confirm"])
        assert words["reason"] == "Reason (optional, kept in the audit trail)"
        assert row_actions.prompt(row, "pause").startswith(f"Pause {name}? Paperclip cancels")
        # a double click sends one: the table says so for every row
        assert stop.find_parent(attrs={"hx-sync": True})["hx-sync"] == "closest tr:drop"
        assert [(b["aria-label"], b.get_text(strip=True)) for b in (log, stop, pause, card)] == [
            (f"Log of {name}", "Log"), (f"Stop the run of {name}", "Stop"),
            (f"Pause {name}", "Pause"), (f"Agent {name}", "Agent")]
        assert log["aria-haspopup"] == card["aria-haspopup"] == "dialog"
        assert row_actions.url(row, "log") == f"/operations/runs/{row['data-run-id']}/log"
        assert row_actions.url(row, "pause") == f"/operations/agents/{row['data-agent-id']}/pause"


def test_security_headers_and_no_token_in_the_page(demo, panel):
    resp = panel.get("/operations")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors" in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    meta = json.loads(panel.soup("/operations").select_one('meta[name="htmx-config"]')["content"])
    assert meta["allowEval"] is False


def test_an_unchanged_panel_costs_a_204_and_the_twin_a_304(inproc):
    def version_headers():
        root = inproc.soup("/operations/agents").select_one("#ow-agents")
        return {"HX-Request": "true", **json.loads(root.select_one("#ow-poll")["hx-headers"])}

    # the rows carry their agents' attention kinds from the history held: read it first
    inproc.get("/operations/attention")
    headers = version_headers()
    # on a frozen clock no age ticks over a minute between the two requests
    same = inproc.get("/operations/agents", headers=headers)
    assert same.status_code == 204 and same.data == b""
    twin = inproc.get("/api/operations/agents")
    assert twin.headers["ETag"]
    cached = inproc.get("/api/operations/agents",
                        headers={"If-None-Match": twin.headers["ETag"]})
    assert cached.status_code == 304
    # time passing does not change the panel until an age reads a new minute (the
    # oldest runs here are 0.1 s short of one)
    inproc.clock.advance(0.05)
    assert inproc.get("/operations/agents", headers=headers).status_code == 204
    inproc.clock.advance(60)
    assert inproc.get("/operations/agents", headers=headers).status_code == 200
    headers = version_headers()
    # a change in the fleet is a new version: the new row is sent, not the whole panel
    company, runs = next(iter(inproc.fake.live_runs.items()))
    new_id = "b0000000-0000-4000-8000-0000000000aa"
    runs.append({**runs[0], "id": new_id})
    assert inproc.get("/operations/agents", headers=headers).status_code == 204  # shared
    inproc.clock.advance(1.5)  # past the coalescing window
    changed = inproc.get("/operations/agents", headers=headers)
    assert changed.status_code == 200 and changed.headers["HX-Reswap"] == "none"
    sent = BeautifulSoup(changed.text, "html.parser")
    # (find, not select: CSS selectors do not look inside the <template> around a row)
    assert sent.find("tr", attrs={"data-run-id": new_id}).find_parent(attrs={"hx-swap-oob": True})
    assert not sent.select("#ow-agents")
    assert inproc.fake.counts["list_live_runs"] == 3 * len(inproc.fake.live_runs)


def test_filters_live_in_the_url_and_the_twin_takes_them(demo, panel):
    only = panel.soup(f"/operations?company={GLOBEX}&status=running")
    assert {cells(r)[0] for r in rows(only)} == {"Globex Research"}
    assert {r.select_one(".ow-status")["class"][2] for r in rows(only)} == {"ow-status-running"}
    poll = only.select_one("#ow-agents #ow-poll")
    assert f"company={GLOBEX}" in poll["hx-get"] and "status=running" in poll["hx-get"]
    form = only.select_one("form.ow-filters")
    assert form.select_one("#ow-filter-company option[selected]")["value"] == GLOBEX
    silent = panel.get("/api/operations/agents", params={"silent": "1"}).json()["runs"]
    assert {r["silenceLevel"] for r in silent} == {"suspicious", "critical"}
    queued = panel.get("/api/operations/agents", params={"status": "queued"}).json()["runs"]
    assert queued and {r["status"] for r in queued} == {"queued"}
    named = panel.get("/api/operations/agents", params={"agent": "codex"}).json()["runs"]
    assert {r["agentName"] for r in named} == {"Codex Fixer", "Paper Codex"}
    none = panel.soup("/operations/agents?agent=nobody")
    assert none.select_one(".ow-empty").get_text(strip=True) == "No run matches these filters."


def test_bad_filter_values_are_refused(panel):
    assert panel.get("/api/operations/agents?status=sleeping").status_code == 400
    assert "company must be a UUID" in panel.get("/api/operations/agents?company=acme").json()["error"]


def test_runs_and_issues_link_to_paperclips_own_ui_when_its_address_is_set(demo, panel_for):
    runs = demo.world.directory()["runs"]
    linked = panel_for(demo.url, OPSWEB_PAPERCLIP_PUBLIC_URL="https://paperclip.example/")
    row = linked.soup("/operations").select_one(f'tr[data-run-id="{runs["claudeRunning"]}"]')
    agent_link = row.select_one(".ow-agent a")["href"]
    assert agent_link == (f"https://paperclip.example/agents/{row['data-agent-id']}"
                          f"/runs/{runs['claudeRunning']}")
    assert row.select_one(".ow-issue a")["href"].startswith("https://paperclip.example/issues/")


def test_no_links_without_a_public_address(panel):
    assert not panel.soup("/operations").select("#ow-agents td a")
