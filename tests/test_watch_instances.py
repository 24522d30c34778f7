"""One actor across instances, with real processes: two `opsweb serve` on one real
PostgreSQL against the demo Paperclip pause its looping agent once between them; one
says `acting: true`. kill -9 the acting one: the other takes over within the lease
time and does not repeat the action (the agent is resumed behind opsweb's back, so the
loop is there again; the shared ledger's cool-down holds it). And a bad rules file
stops `opsweb serve` with one line, exit 2, before anything is served."""
import signal
import time

import pytest
import requests

from cli_process import Running, opsweb_env, run
from hostile_upstream import found_within
from opsweb.demo.seed import AGENT_ROLES
from opsweb.actions import audit

LOOPING = AGENT_ROLES["failureLoop"]  # Deploy Bot: one of Acme's seven agents
LEASE_SECONDS = 4
RULES = f"""
[[rule]]
name = "loop-breaker"
when = "failure_loop"
do = "pause_agent"
mode = "act"
agents = ["{LOOPING}"]
cooldown_minutes = 60
"""


def _fresh(url: str) -> str:
    store = audit.open_store(url)
    for table in ("opsweb_lease", "opsweb_rule_actions", "opsweb_incidents"):
        store.run(f"DROP TABLE IF EXISTS {table}", ())
    store.run("TRUNCATE opsweb_audit", ())
    store.close()
    return url



def _evaluator(instance: Running) -> dict:
    return requests.get(instance.url + "/api/operations/rules", timeout=5).json()["evaluator"]


def _pauses(demo) -> int:
    return demo.calls()["counts"].get(f"pause:{LOOPING}", 0)


def test_two_instances_on_one_postgresql_pause_once_and_take_over_after_kill_9(
        demo, postgres_url, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES)
    env = opsweb_env(tmp_path, OPSWEB_AUDIT_URL=_fresh(postgres_url), OPSWEB_RULES=str(rules),
                     OPSWEB_RULES_INTERVAL="0.5", OPSWEB_RULES_LEASE=str(LEASE_SECONDS),
                     OPSWEB_HISTORY_FRESHNESS="1", OPSWEB_PAPERCLIP_URL=demo.url)
    instances = []
    for n in (1, 2):
        folder = tmp_path / f"i{n}"
        folder.mkdir()
        instances.append(Running(folder, "serve", env=env))
    try:
        for instance in instances:
            instance.wait_ready()
        found_within("the looping agent is paused", lambda: _pauses(demo) >= 1, 20)
        acting = found_within("one instance says it acts", lambda: [
            i for i in instances if _evaluator(i)["acting"]], 10)
        assert len(acting) == 1
        first, other = acting[0], next(i for i in instances if i is not acting[0])
        found_within("the other names the actor", lambda: _evaluator(other)["instance"]
               == _evaluator(first)["instance"], 5)
        assert not _evaluator(other)["acting"]
        time.sleep(2)  # a few more evaluations on both
        assert _pauses(demo) == 1
        assert demo.api(f"/agents/{LOOPING}").json()["pauseReason"] == "manual"

        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(10)
        killed_at = time.monotonic()
        requests.post(f"{demo.url}/api/agents/{LOOPING}/resume", json={}, timeout=5)
        found_within("the other instance acts", lambda: _evaluator(other)["acting"],
               LEASE_SECONDS + 3)
        assert time.monotonic() - killed_at < LEASE_SECONDS + 3
        time.sleep(3)  # evaluations of the new actor, the loop back in its reads
        assert _pauses(demo) == 1  # not repeated within the cool-down
        twin = requests.get(other.url + "/api/operations/rules", timeout=5).json()
        assert [a["outcome"] for a in twin["rules"][0]["actions"]] == ["done"]
        store = audit.open_store(postgres_url)
        pauses = [r for r in store.recent(50) if r.action == "pause"]
        store.close()
        assert [(r.operator, r.result) for r in pauses] == [("rule:loop-breaker", "done")]
    finally:
        for instance in instances:
            if instance.proc.poll() is None:
                instance.proc.send_signal(signal.SIGKILL)
                instance.proc.wait(10)


@pytest.mark.parametrize("text, says", [
    ('[[rule]]\nname = "a"\nwhen = "sometimes"\ndo = "notify"\n', "rule 'a': when must be one of"),
    ('[[rule]]\nwhen = "silent"\nminutes = 5\ndo = "notify"\n', "rule #1: name is missing"),
    ('[[rule]]\nname = "a"\nwhen = "failure_loop"\ndo = "notify"\n'
     '[[rule]]\nname = "a"\nwhen = "empty_runs"\ndo = "notify"\n', "rule 'a': name is used twice"),
    ('[[rule]]\nname = "quiet"\nwhen = "silent"\nminutes = -45\ndo = "stop_run"\n',
     "rule 'quiet': minutes must be above 0"),
    ('[[rule]]\nname = "s"\nwhen = "failure_loop"\ndo = "pause_agent"\ncompanies = ["acme"]\n',
     "rule 's': companies holds 'acme', which is not a UUID"),
    ('[[rule]]\nname = "s"\nwhen = "failure_loop"\ndo = "stop_run"\n',
     "rule 's': do = 'stop_run' does not fit when = 'failure_loop'"),
    ('[[rule]\nname = "s"', "not TOML"),
])
def test_a_bad_rules_file_is_one_line_and_exit_2(tmp_path, text, says):
    rules = tmp_path / "rules.toml"
    rules.write_text(text)
    done = run("serve", "--port", "0", env=opsweb_env(tmp_path, OPSWEB_RULES=str(rules)))
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert says in lines[0] and "panel on" not in done.stdout


def test_the_postgresql_lease_fences_a_holder_that_outlived_it(postgres_url):  # noqa: F811
    from opsweb.watch.lease import PostgresLease
    _fresh(postgres_url)
    stores = [audit.open_store(postgres_url) for _ in range(2)]
    slow, quick = PostgresLease(stores[0], 0.3), PostgresLease(stores[1], 30)
    try:
        assert slow.claim().acting and slow.still_holds(0)
        assert not quick.claim().acting  # held, on the database's clock
        found_within("the slow holder's lease expires", lambda: quick.claim().acting, 5)
        assert not slow.still_holds(0)  # its token is stale: it must not act
        assert not slow.claim().acting and slow.holder().instance == quick.instance
    finally:
        for store in stores:
            store.close()
