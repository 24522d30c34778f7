"""Rows are built from Paperclip's own live-runs answer and sorted by attention."""
import json
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest

from opsweb.i18n import timefmt
from opsweb.runtime.clock import Clock
from opsweb.fleet.coalesce import Coalescer
from opsweb.fleet.live import attention_key, build_row

FIXTURES = Path(__file__).parent / "fixtures" / "paperclip-2026.916.1"
NOW = datetime(2026, 11, 24, 15, 10, tzinfo=timezone.utc)


def real_live_runs():
    return json.loads((FIXTURES / "live-runs.json").read_text())


def test_rows_from_a_real_answer_keep_agent_status_and_silence():
    rows = [build_row(r, "CMP Ops", None, NOW) for r in real_live_runs()]
    by_status = {r.status: r for r in rows}
    assert set(by_status) == {"running", "queued"}
    assert by_status["queued"].agent_name == "Drainer <b>bold</b>"  # raw; escaped on render
    assert by_status["queued"].silence_level == "not_applicable"
    assert by_status["running"].silence_level in ("ok", "suspicious", "critical", "snoozed")
    assert by_status["running"].age_seconds is not None


def _row(level, status="running", silence=None, age=None):
    run = {"id": f"{level}-{status}", "status": status, "agentName": level,
           "createdAt": "2026-11-24T15:00:00Z", "startedAt": "2026-11-24T15:00:00Z",
           "outputSilence": {"level": level, "silenceAgeMs": silence}}
    return build_row(run, "c", None, NOW)


def test_what_needs_attention_sorts_first():
    rows = [_row("not_applicable", "queued"), _row("ok", silence=1000),
            _row("critical", silence=5 * 3600_000), _row("snoozed", silence=9 * 3600_000),
            _row("suspicious", silence=2 * 3600_000)]
    order = [r.silence_level for r in sorted(rows, key=attention_key)]
    assert order == ["critical", "suspicious", "ok", "snoozed", "not_applicable"]


def test_a_row_with_missing_fields_degrades_instead_of_failing():
    row = build_row({"id": "x", "status": "running"}, "c", None, NOW)
    assert row.silence_level == "not_applicable" and row.age_seconds is None


@pytest.mark.parametrize("seconds, text", [(None, "—"), (5, "<1 m"), (185, "3 m"),
                                           (3900, "1 h 05 m"), (2 * 86400 + 4 * 3600, "2 d 4 h")])
def test_durations_read_short(seconds, text):
    assert timefmt.duration(seconds) == text


def test_exact_time_on_hover():
    assert timefmt.exact_time("2026-11-24T15:09:19.245Z") == "2026-11-24 15:09:19 UTC"
    assert timefmt.exact_time(None, "last output") == "last output: never"


def test_concurrent_callers_share_one_upstream_call():
    calls = []
    entered, gate = threading.Event(), threading.Event()

    def loader(key):
        calls.append(key)
        entered.set()
        gate.wait(5)
        return key * 2

    clock = Clock(frozen_at=0)
    shared = Coalescer(freshness=10, clock=clock.monotonic)
    results = []
    threads = [threading.Thread(target=lambda: results.append(shared.get("k", loader, 21)))
               for _ in range(20)]
    for t in threads:
        t.start()
    assert entered.wait(5)  # one caller is loading; the others wait on it or reuse it
    gate.set()
    for t in threads:
        t.join()
    assert calls == [21] and results == [42] * 20
    clock.advance(9.9)
    assert shared.get("k", loader, 21) == 42 and len(calls) == 1  # still fresh
    clock.advance(0.1)
    assert shared.get("k", loader, 21) == 42 and len(calls) == 2  # stale: loaded again


def test_errors_are_shared_too_but_not_kept_long():
    clock = Clock(frozen_at=0)
    shared = Coalescer(freshness=10, error_freshness=2, clock=clock.monotonic)
    attempts = []

    def failing():
        attempts.append(1)
        raise RuntimeError("down")

    for _ in range(2):
        with pytest.raises(RuntimeError):
            shared.get("k", failing)
    assert len(attempts) == 1  # shared within its short window
    clock.advance(2)
    with pytest.raises(RuntimeError):
        shared.get("k", failing)
    assert len(attempts) == 2


def test_slow_changing_data_is_refreshed_in_the_background():
    clock, behind = Clock(frozen_at=0), []
    shared = Coalescer(freshness=60, serve_stale=True, clock=clock.monotonic,
                       background=behind.append)
    assert shared.get("k", lambda: "first") == "first"  # nothing to serve yet: waits
    assert not behind
    clock.advance(60)
    assert shared.get("k", lambda: "second") == "first"  # stale: served at once...
    assert len(behind) == 1  # ...and refreshed behind it
    assert shared.get("k", lambda: "third") == "first"  # the refresh is still running
    behind.pop()()
    assert shared.get("k", lambda: "third") == "second" and not behind


def test_a_failing_refresh_keeps_serving_the_last_good_answer():
    clock, behind = Clock(frozen_at=0), []
    shared = Coalescer(freshness=1, error_freshness=10, serve_stale=True,
                       clock=clock.monotonic, background=behind.append)
    assert shared.get("k", lambda: "good") == "good"

    def broken():
        raise RuntimeError("upstream down")

    clock.advance(1)
    assert shared.get("k", broken) == "good"
    behind.pop()()  # the refresh fails
    for _ in range(3):
        clock.advance(3)  # the failure is kept 10 s: no new refresh meanwhile
        assert shared.get("k", broken) == "good" and not behind
    clock.advance(1)
    assert shared.get("k", broken) == "good" and len(behind) == 1  # then it tries again


def test_after_a_drop_a_read_never_joins_or_keeps_a_call_that_began_before_it():
    """After a Stop the history is dropped: a read then must not get the answer of a
    call that began before the Stop (the run not yet cancelled in it), as happened on a
    loaded machine when the page's first loads were still in flight (issue 25)."""
    clock, behind = Clock(frozen_at=0), []
    shared = Coalescer(freshness=60, serve_stale=True, clock=clock.monotonic,
                       background=behind.append)
    assert shared.get("k", lambda: "before") == "before"
    clock.advance(60)
    assert shared.get("k", lambda: "still before") == "before"  # a refresh starts behind
    shared.drop("k")  # the action: what "k" reads has changed
    assert shared.get("k", lambda: "after") == "after"  # a call of its own, not the old one
    behind.pop()()  # the old refresh ends late: its answer is not kept
    assert shared.get("k", lambda: "again") == "after"
