"""2,000 live runs at a glance: the demo seeds them, an agent with many runs is one
row that says how many run and wait, and it expands to every run of that agent; a row
stays light."""
import re

from bs4 import BeautifulSoup


def test_the_demo_seeds_a_2000_run_fleet_and_the_panel_groups_it(demo, panel_for):
    made = demo.control("POST", "/fleet", companies=40, runsPerCompany=50)
    assert made == {"companies": 40, "runs": 2000}
    panel = panel_for(demo.url, OPSWEB_TIMEOUT=10.0)
    assert len(panel.get("/api/operations/agents").json()["runs"]) >= 2000
    page = panel.soup("/operations")
    groups = page.select("#ow-agents tr.ow-group")
    assert len(groups) == 400  # 40 companies x 10 agents, 5 runs each
    first = groups[0]
    assert first.select_one(".ow-status").get_text(strip=True) == "1 running"
    assert first.select_one(".ow-note").get_text(strip=True) == "4 waiting"
    # what needs attention (the seeded critical run) still comes first
    assert page.select("#ow-agents tbody tr")[0].get("data-run-id") == \
        demo.world.directory()["runs"]["critical"]
    # expanding: the panel narrowed to that agent lists each run with its own buttons
    show = first.select_one("a[id^=ow-show-]")
    assert show["aria-label"] == f"Show the 5 runs of {first.select_one('.ow-agent bdi').get_text()}"
    expanded = BeautifulSoup(panel.get(show["hx-get"]).text, "html.parser")
    rows = expanded.select("#ow-agents tr.ow-row")
    assert len(rows) == 5 and {r["data-agent-id"] for r in rows} == {first["data-agent-id"]}
    assert all(r.select_one("button.ow-do-stop") for r in rows)


def test_a_row_weighs_at_most_1_2_kb_with_its_buttons_named_for_its_agent(demo, panel_for):
    """Lighter rows: what every row's buttons share is said once on the table, so 200
    demo rows average at most 1.2 KB of HTML each (uncompressed, as sent)."""
    demo.control("POST", "/fleet", companies=4, runsPerCompany=50, agentsPerCompany=50)
    ids = [c["id"] for c in demo.control("GET", "/world")["companies"]][-4:]
    panel = panel_for(demo.url, OPSWEB_COMPANIES=tuple(ids))
    html = panel.get("/operations/agents", headers={"HX-Request": "true"}).text
    sent = re.findall(r'<tr id="ow-run-.*?</tr>', html, re.S)
    assert len(sent) == 200
    average = sum(len(r.encode()) for r in sent) / len(sent)
    assert average <= 1200, f"{average:.0f} bytes per row"
    for row in BeautifulSoup(html, "html.parser").select("tr.ow-row"):
        name = row.select_one(".ow-agent bdi").get_text()
        assert [b["aria-label"] for b in row.select("button")] == [
            f"Log of {name}", f"Stop the run of {name}", f"Pause {name}", f"Agent {name}"]
