"""Batches against a stand-in Paperclip over real HTTP: every fifth call times out, and
the batch still ends with exact counts, at most 4 calls at once, nothing sent twice;
cancelling leaves the unsent items notSent; a restart settles a stopped instance's
batch."""
import uuid

from hostile_upstream import wait_until

from opsweb.actions import audit as audit_module
from opsweb.actions.batch_store import BatchStore

REASON = "incident 42"
PAUSE = r"/api/agents/[^/]+/pause"


def agent_ids(n):
    return [str(uuid.UUID(int=0xA9E0_0000_0000_4000_8000_0000_0000_0000 + i)) for i in range(n)]


def finished(panel, batch_id, seconds=30):
    twin = {}

    def over():
        twin.update(panel.get(f"/api/operations/batches/{batch_id}").json())
        return twin["status"] != "running"
    assert wait_until(over, seconds), twin
    return twin


def test_every_fifth_call_timing_out_gives_exact_counts_and_nothing_twice(hostile, panel_for):
    panel = panel_for(hostile.url, OPSWEB_ACTION_TIMEOUT=0.5)
    hostile.on("POST", PAUSE, delay=3, every=5)
    ids = agent_ids(20)
    resp = panel.post_json("/api/operations/batches",
                           {"action": "pause", "agentIds": ids, "reason": REASON})
    assert resp.status_code == 202, resp.text
    twin = finished(panel, resp.json()["id"])
    assert (twin["total"], twin["done"], twin["failed"], twin["unknown"], twin["notSent"]) == \
        (20, 16, 0, 4, 0)
    for aid in ids:
        assert hostile.count("POST", f"/api/agents/{aid}/pause") == 1
    assert hostile.most_at_once("POST", PAUSE) == 4
    unknown = [i for i in twin["items"] if i["outcome"] == "unknown"]
    assert all("unknown" in i["message"] for i in unknown)


def test_cancel_leaves_what_was_not_sent_notsent(hostile, panel_for):
    panel = panel_for(hostile.url)
    hostile.on("POST", PAUSE, delay=0.3)
    ids = agent_ids(40)
    started = panel.post_json("/api/operations/batches",
                              {"action": "pause", "agentIds": ids, "reason": REASON}).json()
    cancelled = panel.post_json(f"/api/operations/batches/{started['id']}/cancel")
    assert cancelled.status_code == 200
    twin = finished(panel, started["id"])
    assert twin["status"] == "cancelled" and twin["notSent"] > 0
    assert twin["done"] + twin["unknown"] + twin["notSent"] == 40
    sent = sum(hostile.count("POST", f"/api/agents/{a}/pause") for a in ids)
    assert sent == twin["done"] + twin["unknown"]


def test_a_restart_marks_what_was_never_sent_notsent_and_what_was_out_unknown(
        hostile, panel_for, tmp_path):
    url = f"sqlite:///{tmp_path}/audit.db"
    store = audit_module.open_store(url)
    old = BatchStore(store, lambda: 1_000.0)  # a heartbeat long ago: its instance stopped
    ids = agent_ids(3)
    batch_id = old.create("pause", "alice", "127.0.0.1", REASON, hostile.url, "gone",
                          [("pause", a, None, None) for a in ids])
    old.set_item(batch_id, 0, "done", "Agent paused.")
    old.set_item(batch_id, 1, "sending")
    store.close()
    panel = panel_for(hostile.url, OPSWEB_AUDIT_URL=url)
    twin = finished(panel, batch_id)
    assert [i["outcome"] for i in twin["items"]] == ["done", "unknown", "notSent"]
    assert (twin["done"], twin["unknown"], twin["notSent"]) == (1, 1, 1)
    assert hostile.count("POST", PAUSE) == 0  # nothing sent again
