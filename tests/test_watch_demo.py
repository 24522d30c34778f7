"""`opsweb demo` keeps watch with its own rules (demo/rules.toml): Schema Migrator's
loop forms after the panel is up and the loop-breaker pauses him once, audited as
`rule:loop-breaker`; the watch rules only record what they would do (Deploy Bot, in a
loop from the start, is never paused); the incidents page tells it."""
import time

import requests

from cli_process import Running, opsweb_env
from hostile_upstream import found_within
from opsweb.demo.seed import AGENT_ROLES

MIGRATOR, DEPLOY_BOT = AGENT_ROLES["lateLoop"], AGENT_ROLES["failureLoop"]


def test_the_demo_pauses_the_agent_whose_loop_starts_after_opsweb_is_up(tmp_path):
    demo = Running(tmp_path, "demo", "--demo-port", "0",
                   env=opsweb_env(tmp_path, OPSWEB_RULES_INTERVAL="0.5",
                                  OPSWEB_HISTORY_FRESHNESS="1")).wait_ready()
    try:
        paperclip = demo.demo_url()

        def rules():
            return {r["name"]: r for r in
                    requests.get(demo.url + "/api/operations/rules", timeout=5).json()["rules"]}
        assert rules()["loop-breaker"]["actions"] == []  # no loop of his yet
        # three of his wakes (every 5 s), each failing the same way, then the rule
        found_within("Schema Migrator is paused", lambda: requests.get(
            f"{paperclip}/api/agents/{MIGRATOR}", timeout=5).json()["status"] == "paused", 60)
        time.sleep(1.5)  # more evaluations: nothing is repeated
        calls = requests.get(paperclip + "/__demo/calls", timeout=5).json()["counts"]
        assert calls.get(f"pause:{MIGRATOR}") == 1 and f"pause:{DEPLOY_BOT}" not in calls
        (acted,) = rules()["loop-breaker"]["actions"]
        assert (acted["outcome"], acted["agentName"]) == ("done", "Schema Migrator")
        assert acted["detail"].startswith("3 failures in a row since")
        watched = rules()["loop-watch"]["actions"]
        assert {a["agentName"] for a in watched} >= {"Deploy Bot"}
        assert {a["outcome"] for a in watched} == {"would_act"}
        audit = requests.get(demo.url + "/api/operations/audit", timeout=5).json()["actions"]
        assert [(a["operator"], a["action"], a["agentId"]) for a in audit] == [
            ("rule:loop-breaker", "pause", MIGRATOR)]
        incidents = requests.get(demo.url + "/api/operations/incidents", timeout=5).json()["incidents"]
        loop = next(i for i in incidents if i["agentId"] == MIGRATOR and i["kind"] == "failure_loop")
        assert loop["resolvedAt"] and sorted((a["rule"], a["outcome"]) for a in loop["actions"]) == [
            ("loop-breaker", "done"), ("loop-watch", "would_act")]
        page = requests.get(demo.url + "/operations/rules", timeout=5).text
        assert "Schema Migrator" in page and "ow-act-resume" in page
    finally:
        demo.stop()
