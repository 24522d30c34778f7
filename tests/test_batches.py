"""Batches over the in-process fake platform: checked before anything is sent, each
item once, 4 at a time at most, cancel → notSent, undo resumes exactly what the batch
paused, and a restart settles what a stopped instance left."""

from hostile_upstream import wait_until


REASON = {"reason": "incident 42"}


def agents_of(fake, company_id):
    return [a for a in fake.agents.values() if a.get("companyId") == company_id]


def company_with_agents(fake, least=2):
    for company in fake.companies:
        if len(agents_of(fake, company["id"])) >= least:
            return company["id"]
    raise AssertionError("no company with enough agents in the demo world")


def finished(inproc, batch_id):
    twin = {}

    def over():
        twin.update(inproc.get(f"/api/operations/batches/{batch_id}").get_json())
        return twin["status"] != "running"
    assert wait_until(over, 10), twin
    return twin


def test_pause_a_company_then_undo_resumes_exactly_what_it_paused(inproc):
    fake = inproc.fake
    company = company_with_agents(fake, 2)
    agents = agents_of(fake, company)
    already = next(a for a in agents if a.get("status") != "paused")
    already.update(status="paused")
    before = [a for a in agents if a.get("status") == "paused"]
    acted = [a for a in agents if a.get("status") != "paused"]
    resp = inproc.post_json(f"/api/operations/companies/{company}/pause", REASON)
    assert resp.status_code == 202, resp.get_data(as_text=True)
    started = resp.get_json()
    assert started["status"] == "running" and started["total"] == len(acted)
    twin = finished(inproc, started["id"])
    assert (twin["done"], twin["failed"], twin["unknown"], twin["notSent"]) == (len(acted), 0, 0, 0)
    assert all(a["status"] == "paused" for a in agents)
    assert {i["target"] for i in twin["items"]} == {a["id"] for a in acted}
    undone = inproc.post_json(f"/api/operations/batches/{started['id']}/undo", {})
    assert undone.status_code == 202
    twin = finished(inproc, undone.get_json()["id"])
    assert twin["action"] == "resume" and twin["done"] == len(acted)
    # paused before the batch: they stay paused
    assert all(a["status"] == "paused" for a in before) and already in before
    assert all(a["status"] != "paused" for a in acted)
    records = [r for r in inproc.get("/api/operations/audit").get_json()["actions"]
               if r["batchId"] == started["id"]]
    assert len(records) == len(acted) and {r["reason"] for r in records} == {"incident 42"}


def test_bad_input_is_refused_before_anything_is_sent(inproc, app_config=None):
    fake = inproc.fake
    calls = len(fake.calls)
    cases = [({"action": "pause", "agentIds": ["not-a-uuid"], **REASON}, "must be a UUID"),
             ({"action": "pause", "agentIds": [], **REASON}, "exactly one of"),
             ({"action": "pause", "agentIds": [next(iter(fake.agents))]}, "needs a reason"),
             ({"action": "explode", "agentIds": [next(iter(fake.agents))], **REASON}, "action must be"),
             ({"action": "stop", "agentIds": [next(iter(fake.agents))], **REASON}, "takes runIds"),
             ({"action": "pause", "agentIds": [next(iter(fake.agents))], "x": 1, **REASON}, "Unknown field"),
             ({"action": "pause", "filter": {"company": "nope"}, **REASON}, "company"),
             ({"action": "stop", "filter": {"agent": "no agent is called this"}, **REASON}, "empty")]
    for body, said in cases:
        resp = inproc.post_json("/api/operations/batches", body)
        assert resp.status_code == 400, (body, resp.get_data(as_text=True))
        assert said in resp.get_json()["error"], (body, resp.get_json())
    sent = [c for c in fake.calls[calls:] if c[0] in ("pause_agent", "cancel_run", "resume_agent")]
    assert sent == []


def test_more_than_the_batch_limit_is_refused(on_fake):
    inproc = on_fake(OPSWEB_BATCH_MAX=2)
    ids = list(inproc.fake.agents)[:3]
    resp = inproc.post_json("/api/operations/batches", {"action": "pause", "agentIds": ids, **REASON})
    assert resp.status_code == 400 and "At most 2 targets" in resp.get_json()["error"]


def test_a_browser_post_without_csrf_is_refused(inproc):
    agent = next(iter(inproc.fake.agents))
    resp = inproc.post("/operations/batches", data={"action": "pause", "agentIds": agent,
                                                     "reason": "x"}, headers={"HX-Request": "true"})
    assert resp.status_code == 403


def test_drain_cancels_queued_now_and_pauses_once_the_running_run_ends(inproc):
    fake = inproc.fake
    rows = [r for runs in fake.live_runs.values() for r in runs]
    agent = next(r["agentId"] for r in rows if r["status"] == "running"
                 and any(q["agentId"] == r["agentId"] and q["status"] == "queued" for q in rows))
    queued = [r["id"] for r in rows if r["agentId"] == agent and r["status"] == "queued"]
    runner = inproc.app.extensions["opsweb"].runner
    resp = inproc.post_json("/api/operations/batches",
                            {"action": "drain", "agentIds": [agent], **REASON})
    assert resp.status_code == 202, resp.get_data(as_text=True)
    batch_id = resp.get_json()["id"]

    def twin():
        return inproc.get(f"/api/operations/batches/{batch_id}").get_json()
    assert wait_until(lambda: twin()["draining"] == 1, 10), twin()
    assert all(fake.runs[q]["status"] == "cancelled" for q in queued)
    assert fake.agents[agent]["status"] != "paused"  # its running run goes on
    assert twin()["status"] == "running"
    for runs in fake.live_runs.values():  # the running run ends
        runs[:] = [r for r in runs if r["agentId"] != agent]
    runner.poke()
    done = finished(inproc, batch_id)
    assert done["done"] == len(queued) + 1 and done["draining"] == 0
    assert fake.agents[agent]["status"] == "paused"
    assert fake.counts["pause_agent"] == 1


def test_a_batch_and_its_restart_on_postgresql(on_fake, postgres_url):
    """The same tables and statements on a real PostgreSQL (scripts/test-postgres)."""
    from opsweb.actions import audit
    from opsweb.actions.batch_store import BatchStore
    store = audit.open_store(postgres_url)
    old = BatchStore(store, lambda: 1_000.0)  # its instance stopped long ago
    orphan = old.create("pause", "alice", None, "incident", None, "gone",
                        [("pause", "a9e00000-0000-4000-8000-0000000000aa", None, None)])
    store.close()
    inproc = on_fake(OPSWEB_AUDIT_URL=postgres_url)
    assert finished(inproc, orphan)["notSent"] == 1
    agents = [a for a in inproc.fake.agents.values() if a.get("status") != "paused"][:2]
    resp = inproc.post_json("/api/operations/batches", {
        "action": "pause", "agentIds": [a["id"] for a in agents], **REASON})
    twin = finished(inproc, resp.get_json()["id"])
    assert (twin["done"], twin["failed"]) == (2, 0)
