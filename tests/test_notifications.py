"""Webhooks from the outbox: a real receiver on 127.0.0.1 gets each event signed,
retried with backoff on the injected clock (the sender's pass is called directly, so
nothing sleeps), never through a redirect, within a total deadline, and never shows
a webhook URL's credentials. On SQLite and on a real PostgreSQL."""
import json
import logging

import pytest

from opsweb.actions import audit
from opsweb.notify import outbox as outbox_module
from opsweb.notify.outbox import Outbox, backoff
from opsweb.notify.sender import Sender
from opsweb.notify.webhook import Receiver as Target
from opsweb.notify.webhook import Webhooks
from opsweb.runtime.clock import Clock
from webhook_receiver import Receiver

SECRET = "a-test-secret-of-some-length"
FROZEN_AT = 1_795_953_600.0
LOOP = {"id": "inc-1", "kind": "failure_loop", "companyId": "c1", "agentId": "a1",
        "agentName": "Archivist", "openedAt": "2026-11-29T12:00:00.000Z", "resolvedAt": None}
LOOP_TEXT = "Failure loop: Archivist (Acme Ops) failed 3 runs in a row: config.yaml missing"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        s = audit.open_store(f"sqlite:///{tmp_path}/audit.db")
    else:
        s = audit.open_store(request.getfixturevalue("postgres_url"))
        s.run("DROP TABLE IF EXISTS opsweb_notifications", ())
    yield s
    s.close()


@pytest.fixture
def receivers():
    started = []

    def make(*args, **kw) -> Receiver:
        started.append(Receiver(*args, **kw))
        return started[-1]
    yield make
    for r in started:
        r.stop()


def sending(store, url, *, fmt="opsweb", acting=lambda: True, deadline=5.0):
    clock = Clock(frozen_at=FROZEN_AT)
    target = Target(url)
    box = Outbox(store, (target,), clock)
    return box, Sender(box, target, Webhooks(SECRET, deadline), fmt, is_acting=acting), clock


def test_a_receiver_gets_incident_opened_for_a_failure_loop_with_a_valid_signature(
        store, receivers):
    receiver = receivers()
    box, sender, _ = sending(store, receiver.url + "/hook")
    box.publish("incident.opened", incident=LOOP, text=LOOP_TEXT)
    assert box.pending() == 1  # stored before anything was sent
    assert sender.tick() == 1
    (got,) = receiver.received
    assert got.path == "/hook" and got.signed_with(SECRET)
    assert not got.signed_with("another secret")
    doc = got.json()
    assert doc["event"] == "incident.opened" and doc["incident"] == LOOP
    assert doc["text"] == LOOP_TEXT and doc["action"] is None
    assert doc["at"] == "2026-11-29T12:00:00.000Z" and doc["id"] == got.event_id
    assert got.headers["Content-Type"] == "application/json"
    (row,) = box.recent()
    assert (row.status, row.attempts, row.last_status, row.event) == \
        ("delivered", 1, 200, "incident.opened")
    assert box.pending() == 0 and sender.tick() == 0  # delivered once
    assert sender.counts == {"delivered": 1}


def test_500_three_times_then_200_gets_the_event_once_more_with_the_same_event_id(
        store, receivers):
    receiver = receivers([500, 500, 500])
    box, sender, clock = sending(store, receiver.url)
    box.publish("rule.acted", action={"rule": "pause-loops", "action": "pause"},
                text="Rule pause-loops paused Archivist")
    for attempt in range(1, 4):
        assert sender.tick() == 1
        (row,) = box.recent()
        assert (row.status, row.attempts, row.last_error) == ("pending", attempt, "answered 500")
        clock.advance(backoff(attempt) - 0.5)
        assert sender.tick() == 0  # its backoff has not passed
        clock.advance(0.5)
    assert sender.tick() == 1
    assert [r.event_id for r in receiver.received] == [receiver.received[0].event_id] * 4
    assert len({r.body for r in receiver.received}) == 1  # the same bytes, the same signature
    assert all(r.signed_with(SECRET) for r in receiver.received)
    (row,) = box.recent()
    assert (row.status, row.attempts, row.last_status) == ("delivered", 4, 200)
    clock.advance(3600)
    assert sender.tick() == 0 and len(receiver.received) == 4
    assert sender.counts == {"retried": 3, "delivered": 1}


def test_backoff_doubles_and_is_bounded():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff(30) == outbox_module.MAX_DELAY


def test_attempts_are_bounded_then_the_event_is_given_up(store, receivers, monkeypatch):
    monkeypatch.setattr(outbox_module, "MAX_ATTEMPTS", 3)
    receiver = receivers([503] * 10)
    box, sender, clock = sending(store, receiver.url)
    box.publish("incident.resolved", incident=LOOP, text="Resolved")
    for _ in range(5):
        sender.tick()
        clock.advance(outbox_module.MAX_DELAY)
    assert len(receiver.received) == 3
    (row,) = box.recent()
    assert row.status == "failed" and row.last_error == "answered 503; gave up after 3 attempts"


def test_an_event_older_than_a_day_is_given_up(store, receivers):
    receiver = receivers([500, 500])
    box, sender, clock = sending(store, receiver.url)
    box.publish("incident.opened", incident=LOOP, text=LOOP_TEXT)
    sender.tick()
    clock.advance(outbox_module.MAX_AGE)
    sender.tick()
    (row,) = box.recent()
    assert row.status == "failed" and "gave up after 2 attempts" in row.last_error


def test_a_refusal_is_not_retried_and_a_redirect_is_not_followed(store, receivers):
    elsewhere = receivers()
    redirecting = receivers([307], location=elsewhere.url + "/stolen")  # would keep the POST
    box, sender, clock = sending(store, redirecting.url)
    box.publish("incident.opened", incident=LOOP, text=LOOP_TEXT)
    sender.tick()
    clock.advance(3600)
    sender.tick()
    assert len(redirecting.received) == 1 and elsewhere.received == []
    (row,) = box.recent()
    assert row.status == "failed" and "redirects are not followed" in row.last_error

    refusing = receivers([404])
    box, sender, clock = sending(store, refusing.url)
    box.publish("incident.opened", incident=LOOP, text=LOOP_TEXT)
    sender.tick()
    clock.advance(3600)
    sender.tick()
    assert len(refusing.received) == 1
    assert box.recent()[0].last_error == "answered 404: refused, not retried"


def test_a_receiver_that_never_answers_is_cut_off_by_the_total_deadline(store, receivers):
    hanging = receivers(hang=True)
    box, sender, _ = sending(store, hanging.url, deadline=0.5)
    box.publish("incident.opened", incident=LOOP, text=LOOP_TEXT)
    sender.tick()
    (row,) = box.recent()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error == "no answer within 0.5 s"


def test_an_answer_that_trickles_is_cut_off_by_the_total_deadline(store, receivers):
    trickling = receivers(trickle=True)  # each byte well within any per-read timeout
    box, sender, _ = sending(store, trickling.url, deadline=0.5)
    box.publish("incident.opened", incident=LOOP, text=LOOP_TEXT)
    sender.tick()
    (row,) = box.recent()
    assert (row.status, row.last_error) == ("pending", "no answer within 0.5 s")


def test_credentials_in_a_webhook_url_reach_no_page_log_or_database(
        store, receivers, caplog, tmp_path):
    receiver = receivers([500])
    url = receiver.url.replace("http://", "http://hook-user:pa55word@") + \
        "/services/T0SECRET/B0SECRET?token=qu3ry"
    box, sender, _ = sending(store, url)
    box.publish("incident.opened", incident=LOOP, text=LOOP_TEXT)
    with caplog.at_level(logging.WARNING, logger="opsweb.notify"):
        sender.tick()
    assert receiver.received[0].path == "/services/T0SECRET/B0SECRET?token=qu3ry"
    assert receiver.received[0].headers["Authorization"].startswith("Basic ")
    (row,) = box.recent()
    assert row.receiver == receiver.url + "/services/…"
    everything = json.dumps([list(r) for r in store.run(
        "SELECT * FROM opsweb_notifications", (), fetch=True)]) + caplog.text
    assert "webhook " + receiver.url + "/services/…" in caplog.text
    for secret in ("pa55word", "hook-user", "T0SECRET", "B0SECRET", "qu3ry"):
        assert secret not in everything


def test_an_unreachable_receiver_is_said_without_its_url(store):
    box, sender, _ = sending(store, "http://u:pw@127.0.0.1:9/x/TOKEN")  # discard: refused
    box.publish("incident.opened", incident=LOOP, text=LOOP_TEXT)
    sender.tick()
    (row,) = box.recent()
    assert row.status == "pending" and row.last_error.startswith("could not connect")
    assert "TOKEN" not in row.last_error and "pw" not in row.last_error


def test_only_the_acting_instance_sends(store, receivers):
    receiver = receivers()
    acting = {"now": False}
    box, sender, _ = sending(store, receiver.url, acting=lambda: acting["now"])
    box.publish("rule.would_act", action={"rule": "r", "mode": "watch"}, text="Would pause")
    assert sender.tick() == 0 and receiver.received == [] and box.pending() == 1
    acting["now"] = True
    assert sender.tick() == 1 and len(receiver.received) == 1


def test_an_attempt_is_claimed_once_when_two_instances_share_the_outbox(store, receivers):
    receiver = receivers()
    one, _, _ = sending(store, receiver.url)
    other = Outbox(store, one.receivers, Clock(frozen_at=FROZEN_AT))
    one.publish("incident.opened", incident=LOOP, text=LOOP_TEXT)
    (due,) = one.due(one.receivers[0])
    (same,) = other.due(other.receivers[0])
    assert other.claim(same) is True
    assert one.claim(due) is False  # the other instance took this attempt


def test_slack_format_sends_the_text_alone_signed(store, receivers):
    receiver = receivers()
    box, sender, _ = sending(store, receiver.url, fmt="slack")
    box.publish("incident.opened", incident=LOOP, text="Loop:\nArchivist\x1b[31m failed")
    sender.tick()
    (got,) = receiver.received
    assert got.json() == {"text": "Loop: Archivist [31m failed"}  # one line, no controls
    assert got.signed_with(SECRET) and got.event_id


def test_publish_refuses_an_unknown_event_and_stores_nothing_without_receivers(store):
    box = Outbox(store, (), Clock(frozen_at=FROZEN_AT))
    box.publish("incident.opened", incident=LOOP, text=LOOP_TEXT)
    assert box.pending() == 0 and box.recent() == []
    with pytest.raises(ValueError, match="event must be one of"):
        box.publish("incident.exploded", text="?")


def test_rows_of_a_receiver_no_longer_configured_are_given_up_after_a_day(store, receivers):
    receiver = receivers()
    clock = Clock(frozen_at=FROZEN_AT)
    Outbox(store, (Target("http://127.0.0.1:9/removed"),), clock).publish(
        "incident.opened", incident=LOOP, text=LOOP_TEXT)
    box, sender, _ = sending(store, receiver.url)
    box.clock = clock
    sender.tick()
    assert box.pending() == 1  # not this sender's receiver: left alone
    clock.advance(outbox_module.MAX_AGE + 1)
    sender.tick()
    (row,) = box.recent()
    assert (row.status, row.attempts, row.last_error) == \
        ("failed", 0, "older than 24 hours: given up")
    assert box.pending() == 0 and receiver.received == []
