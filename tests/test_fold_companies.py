"""Companies fold into one row each, over HTTP against the demo Paperclip: the choice
lives in the URL (collapsed=<company id>,…), works as plain links and with htmx, keeps
what needs attention first, and is checked like every other filter."""
from urllib.parse import parse_qs, urlparse


from opsweb.fleet.filters import Filters

ACME = "c0ffee01-0000-4000-8000-000000000001"
GLOBEX = "c0ffee02-0000-4000-8000-000000000002"


def shown(panel, path: str) -> list:
    """The panel's table rows, top to bottom."""
    return panel.soup(path).select("#ow-agents #ow-rows > tr")


def test_a_folded_company_is_one_row_that_counts_its_runs_and_unfolds_again(demo, panel):
    page = panel.soup("/operations")
    fold = page.select_one(f"#ow-fold-{ACME}")
    assert fold["aria-label"] == "Fold Acme Ops" and fold.get_text() == "Acme Ops"
    # a plain link without JS; with htmx it swaps the panel and the address bar follows
    assert fold["href"] == fold["hx-get"] == f"/operations?collapsed={ACME}"
    assert (fold["hx-target"], fold["hx-select"], fold["hx-push-url"]) == ("#ow-agents", "#ow-agents", "true")

    acme = [r for r in panel.get("/api/operations/agents").json()["runs"] if r["companyId"] == ACME]
    folded = panel.soup(fold["href"])
    rows = folded.select("#ow-agents #ow-rows > tr")
    assert not [r for r in rows if r.get("data-run-id") in {a["runId"] for a in acme}]
    summary = folded.select_one(f"tr#ow-company-{ACME}")
    running = sum(r["status"] == "running" for r in acme)
    assert summary["data-runs"] == str(len(acme))
    assert summary.select_one(".ow-company").get_text() == "Acme Ops"
    assert summary.select_one(".ow-status").get_text() == f"{running} running"
    assert summary.select_one(".ow-note").get_text() == f"{len(acme) - running} waiting"
    assert summary.select_one(".ow-agent").get_text() == \
        f"{len({a['agentId'] for a in acme})} agents"
    # its most urgent silence: that of its first run in attention order
    assert summary.select_one(".ow-silence")["class"][-1] == f"ow-silence-{acme[0]['silenceLevel']}"
    # the other company's runs stay rows of their own, with their buttons
    assert folded.select('#ow-rows tr.ow-row button.ow-do-stop')

    unfold = summary.select_one(f"#ow-unfold-{ACME}")
    assert unfold["aria-label"] == "Unfold Acme Ops" and unfold["href"] == "/operations"
    assert folded.select_one(f"#ow-fold-{ACME}")["aria-label"] == "Unfold Acme Ops"
    again = [r.get("id") for r in shown(panel, unfold["href"])]
    assert again == [r.get("id") for r in page.select("#ow-agents #ow-rows > tr")]


def test_a_folded_company_sorts_where_its_most_urgent_run_would(demo, panel, panel_for):
    unfolded = [r for r in shown(panel, "/operations") if r.get("data-run-id")]
    first_acme = next(i for i, r in enumerate(unfolded) if r.select_one(".ow-company").get_text() == "Acme Ops")
    rows = shown(panel, f"/operations?collapsed={ACME}")
    assert rows[first_acme]["id"] == f"ow-company-{ACME}"
    # a critical run of Acme's puts the folded company first
    quiet = next(r["data-run-id"] for r in unfolded[first_acme:]
                 if r.select_one(".ow-company").get_text() == "Acme Ops" and "ow-row-running" in r["class"])
    demo.control("POST", f"/runs/{quiet}/silence", agoMs=6 * 3600 * 1000)
    rows = shown(panel_for(demo.url), f"/operations?collapsed={ACME}")  # a fresh read
    assert rows[0]["id"] == f"ow-company-{ACME}"
    assert "ow-silence-critical" in rows[0].select_one(".ow-silence")["class"]


def test_every_company_folds_and_other_filters_keep_the_folding(demo, panel):
    both = ",".join(sorted([GLOBEX, ACME]))
    rows = shown(panel, f"/operations?collapsed={GLOBEX},{ACME}")
    assert [r["id"] for r in rows] and all(r["id"].startswith("ow-company-") for r in rows)
    page = panel.soup(f"/operations?collapsed={both}&status=running")
    form = page.select_one("form.ow-filters")
    assert form.select_one('input[name="collapsed"]')["value"] == both
    unfold = page.select_one(f"#ow-unfold-{ACME}")["href"]
    assert parse_qs(urlparse(unfold).query) == {"collapsed": [GLOBEX], "status": ["running"]}
    # folding leaves every run in the JSON twin; the page's poller keeps the view
    twin = panel.get(f"/api/operations/agents?collapsed={both}").json()["runs"]
    assert len(twin) == len(panel.get("/api/operations/agents").json()["runs"])
    assert f"collapsed={both}" in page.select_one("#ow-poll")["hx-get"].replace("%2C", ",")
    assert page.select_one(".ow-empty") is None


def test_collapsed_takes_company_ids_only(panel):
    for bad in ("nope", f"{ACME},nope", f"{ACME},,", ACME[:-1], ",".join(f"c0ffee01-0000-4000-8000-{i:012d}"
                                                                for i in range(101))):
        for path in ("/operations", "/operations/agents", "/api/operations/agents"):
            resp = panel.get(f"{path}?collapsed={bad}")
            assert resp.status_code == 400, (path, bad[:40], resp.status_code)
    resp = panel.get(f"/api/operations/agents?collapsed={ACME}&collapsed={GLOBEX}")
    assert resp.status_code == 400 and "given 2 times" in resp.json()["error"]


def test_folding_is_canonical_and_toggles():
    filters = Filters.from_args({"collapsed": f"{GLOBEX},{ACME},{GLOBEX}"})
    assert filters.collapsed == (ACME, GLOBEX) and not filters.narrowed and filters.active
    assert filters.folding(ACME) == {"collapsed": GLOBEX}
    assert filters.folding(GLOBEX) == {"collapsed": ACME}
    assert Filters().folding(GLOBEX) == {"collapsed": GLOBEX}
