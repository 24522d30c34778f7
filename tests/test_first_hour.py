"""What a new user meets in the first hour: the demo's ids, its separate audit trail,
the panel's counts and phase labels, the trailing-slash page."""
import re

from opsweb.demo import seed


def test_demo_ids_differ_in_their_first_8_characters():
    for ids in ([c["id"] for c in seed.COMPANIES], [a["id"] for a in seed.AGENTS],
                [r["id"] for r in seed.RUNS], [i["id"] for i in seed.ISSUES]):
        assert len({i[:8] for i in ids}) == len(ids), ids


# -- `opsweb demo` as a user starts it: its output, its audit trail, `opsweb check` ------


import pytest  # noqa: E402
import requests  # noqa: E402
from bs4 import BeautifulSoup  # noqa: E402

from cli_process import Running, opsweb_env, run  # noqa: E402
from hostile_upstream import found_within  # noqa: E402

GLOBEX = seed.GLOBEX


@pytest.fixture
def demo_cli(tmp_path):
    """`opsweb demo` with an access log, and a production audit URL it must not use."""
    env = opsweb_env(tmp_path, OPSWEB_ACCESS_LOG="1",
                     OPSWEB_AUDIT_URL=f"sqlite:///{tmp_path}/production.db")
    running = Running(tmp_path, "demo", env=env).wait_ready()
    yield running
    running.stop()


def lines_with(text: str, needle: str) -> list[str]:
    return [line for line in text.splitlines() if needle in line]



def test_the_demo_keeps_its_audit_trail_apart(demo_cli, tmp_path):
    page = BeautifulSoup(requests.get(demo_cli.url + "/operations", timeout=15).text,
                         "html.parser")
    assert len(page.select("tr.ow-row")) >= 5  # live agents
    run_id = seed.RUN_ROLES["processRunning"]
    resp = requests.post(f"{demo_cli.url}/api/operations/runs/{run_id}/cancel", json={},
                         timeout=30)
    assert resp.json()["result"] == "done"
    audit = requests.get(demo_cli.url + "/api/operations/audit", timeout=15).json()
    assert [a["runId"] for a in audit["actions"]] == [run_id]
    # neither the production trail nor the default file in the instance folder
    assert not (tmp_path / "production.db").exists()
    assert not (tmp_path / "opsweb-audit.db").exists()


def test_the_log_shows_actions_and_faults_once_each_at_info(demo_cli):
    run_id = seed.RUN_ROLES["codexRunning"]
    requests.post(f"{demo_cli.url}/api/operations/runs/{run_id}/cancel", json={}, timeout=30)
    control = demo_cli.demo_url() + "/__demo/faults"
    requests.post(control, json={"companyId": GLOBEX, "mode": "500"}, timeout=15)
    agents = demo_cli.url + "/api/operations/agents"
    found_within("Globex failing", lambda: requests.get(agents, timeout=15).json()["errors"], 20)
    for _ in range(5):  # more refreshes of a company that keeps failing
        assert requests.get(agents, timeout=15).json()["errors"]
    requests.post(control, json={"companyId": GLOBEX, "mode": None}, timeout=15)
    found_within("Globex back", lambda: not requests.get(agents, timeout=15).json()["errors"], 20)

    err = demo_cli.stderr()
    assert "Traceback" not in err
    [stop] = lines_with(err, f"cancel {run_id} by local")
    assert " INFO " in stop and ": done" in stop
    [failing] = lines_with(err, "Paperclip fault for company Globex Research")
    assert " WARNING " in failing and "500" in failing
    [back] = lines_with(err, "Paperclip answers again for company")
    assert " INFO " in back and GLOBEX in back
    access = lines_with(err, f"POST /api/operations/runs/{run_id}/cancel 200")
    assert len(access) == 1 and "opsweb.access" in access[0]
    # one handler: no line of the server's own output is printed twice in a row
    own = [line for line in err.splitlines() if "opsweb.access" not in line]
    assert not any(a == b for a, b in zip(own, own[1:]))


def test_check_against_the_demo_it_printed(demo_cli, tmp_path):
    done = run("check", "--paperclip-url", demo_cli.demo_url(), env=opsweb_env(tmp_path))
    assert done.returncode == 0, done.stdout
    assert done.stdout.strip().endswith("all good")
    unseen = "c0ffee99-0000-4000-8000-000000000099"
    done = run("check", "--paperclip-url", demo_cli.demo_url(), "--companies",
               f"{seed.ACME},{unseen}", env=opsweb_env(tmp_path))
    assert done.returncode == 1
    assert f"FAIL company {unseen}: not among the companies this key can see" in done.stdout
    assert "ok   company Acme Ops" in done.stdout


def test_check_says_when_a_server_is_not_paperclip(demo_cli, tmp_path):
    """The panel itself answers HTTP but is no Paperclip API."""
    done = run("check", "--paperclip-url", demo_cli.url, env=opsweb_env(tmp_path))
    assert done.returncode == 1
    assert "FAIL this is not a Paperclip API" in done.stdout


def _keys(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


def test_every_json_twin_speaks_camel_case(panel):
    """Runs, errors, the log and its entries, an action, the audit trail and the
    OpenAPI schemas: no snake_case key anywhere."""
    fleet = panel.get("/api/operations/agents").json()
    run_id = seed.RUN_ROLES["claudeRunning"]
    answers = [fleet, panel.get(f"/api/operations/runs/{run_id}/log").json(),
               panel.post_json(f"/api/operations/runs/{run_id}/cancel").json(),
               panel.get("/api/operations/audit").json()]
    assert fleet["runs"] and "runId" in fleet["runs"][0] and "phaseLabel" in fleet["runs"][0]
    for answer in answers:
        snake = {k for k in _keys(answer) if "_" in k}
        assert not snake, snake
    doc = panel.get("/api/operations/openapi.json").json()
    for name, schema in doc["components"]["schemas"].items():
        snake = {k for k in _keys(schema.get("properties", {})) if "_" in k}
        assert not snake, (name, snake)
    params = [p["name"] for path in doc["paths"].values() for op in path.values()
              for p in op.get("parameters", [])]
    assert not [p for p in params if "_" in p]


def test_the_panel_counts_agents_and_runs_apart(panel):
    """Claude Coder has a running and a queued run: one agent, two runs."""
    page = panel.soup("/operations/agents")
    rows = page.select("tr.ow-row")
    agents = {r["data-agent-id"] for r in rows}
    assert len(rows) == len(agents) + 1
    assert page.select_one(".ow-count-agents").get_text() == f"{len(agents)} agents"
    assert page.select_one(".ow-count-runs").get_text() == f"{len(rows)} runs"


def test_a_row_says_one_state_and_its_next_step_with_paperclips_phase_as_detail(panel):
    """The run silent for 5 h: not "running" beside "Recovery needed" beside "Receiving
    agent output", but one state, what to do, and Paperclip's phase as a detail."""
    page = panel.soup("/operations/agents")
    twin = {r["runId"]: r for r in panel.get("/api/operations/agents").json()["runs"]}
    critical = page.select_one(f'tr[data-run-id="{seed.RUN_ROLES["critical"]}"]')
    crit = twin[seed.RUN_ROLES["critical"]]
    assert (crit["phase"], crit["phaseLabel"], crit["state"]) == (
        "recovery_needed", "Recovery needed", "stuck")
    assert critical.select_one(".ow-status").get_text() == "stuck"
    step = critical.select_one(".ow-next").get_text()
    said = r"No output for [45] h( \d\d m)?: read its log, then Stop it if it is stuck\."
    assert re.fullmatch(said, step) and re.fullmatch(said, crit["nextStep"]), step
    assert critical.select_one(".ow-detail").get_text() == "Paperclip: Recovery needed"
    assert len(critical.select(".ow-state .ow-badge")) == 1  # no second, contradicting badge
    working = seed.RUN_ROLES["codexRunning"]
    assert (twin[working]["phase"], twin[working]["phaseLabel"]) == ("working", "Working")
    assert twin[working]["state"] == "running" and twin[working]["nextStep"] is None
    shown = page.select_one(f'tr[data-run-id="{working}"]')
    assert shown.select_one(".ow-status").get_text() == "running" and not shown.select(".ow-next")
    queued = page.select_one(f'tr[data-run-id="{seed.RUN_ROLES["queuedBehindClaude"]}"]')
    assert queued.select_one(".ow-status").get_text() == "queued"
    assert queued.select_one(".ow-detail") is None  # "Queued" would repeat the status


def test_opsweb_serve_logs_sign_ins_and_actions_with_the_operator(demo, tmp_path):
    token = "alice-token-0123456789"
    env = opsweb_env(tmp_path, OPSWEB_PAPERCLIP_URL=demo.url,
                     OPSWEB_OPERATOR_TOKENS=f"alice:{token}",
                     OPSWEB_SECRET_KEY="a-secret-key-of-32-characters-xx")
    served = Running(tmp_path, "serve", env=env)
    try:
        served.wait_ready()
        browser = requests.Session()
        form = BeautifulSoup(browser.get(served.url + "/operations/login", timeout=15).text,
                             "html.parser")
        signed_in = browser.post(served.url + "/operations/login", timeout=15, data={
            "csrf_token": form.select_one("input[name=csrf_token]")["value"],
            "next": "/operations", "token": token}, headers={"Origin": served.url})
        assert signed_in.status_code == 200 and signed_in.url.endswith("/operations")
        run_id = seed.RUN_ROLES["geminiRunning"]
        stop = requests.post(f"{served.url}/api/operations/runs/{run_id}/cancel", timeout=30,
                             headers={"Authorization": f"Bearer {token}"})
        assert stop.json()["result"] == "done"
    finally:
        served.stop()
    err = served.stderr()
    [sign_in] = lines_with(err, "operator alice signed in from 127.0.0.1")
    [action] = lines_with(err, f"cancel {run_id} by alice from 127.0.0.1: done")
    assert " INFO " in sign_in and " INFO " in action and "Traceback" not in err
    assert "panel on http://127.0.0.1:" in served.stdout()
