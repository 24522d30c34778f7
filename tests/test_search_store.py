"""The searchable text kept of finished runs (fleet/search_store.py), on the fake
platform: a second search answers exactly what a search of the log answers, and reads
no log page; cursors go on the same with or without it; a page's early answer and its
continuation keep the whole run; live runs, changed logs and the byte bound."""
from __future__ import annotations

from pathlib import Path

import pytest

from opsweb.fleet.runlog import RunLogs
from opsweb.fleet.search import Query
from opsweb.fleet.search_runs import Searches
from opsweb.fleet.search_store import SearchStore
from opsweb.transcript.paging import PROBE
from opsweb.settings import SettingError, from_env
from test_search import add_run, big_log, record

CORPUS = Path(__file__).parent / "corpus"
QUERIES = [("src/app", False), ("TICK", False), ("שלום", False), ("error|fail", True),
           (r"^\[stdout\]", True), (r"\A\[", True), (r"(?-m)^\[", True), (r"\.py$", True),
           (r"done\s+\[", True), ("e", False)]


def searches(fake, budget: int = 10**9) -> Searches:
    return Searches(fake, RunLogs(fake), SearchStore(budget))


def log_pages(fake) -> int:
    """Pages of log read (not the probes that find its size, 4 KiB each)."""
    return sum(1 for c in fake.calls if c[0] == "get_run_log" and c[3] > PROBE)


@pytest.mark.parametrize("name, adapter", [
    ("claude_local.ndjson", "claude_local"), ("codex_local.ndjson", "codex_local"),
    ("process_plain.ndjson", "process"), ("process_pi.ndjson", "process"),
    ("cut_invalid_lines.ndjson", "process"), ("generic.ndjson", "process")])
def test_a_kept_run_answers_every_query_as_its_log_does(fake, name, adapter):
    run = add_run(fake, (CORPUS / name).read_bytes(), adapter)
    kept, plain = searches(fake), searches(fake, budget=0)
    kept.run(run, Query.parse("x", False))   # keeps the run's text
    for text, regex in QUERIES:
        query = Query.parse(text, regex)
        before = log_pages(fake)
        answer = kept.run(run, query)[1].to_json()
        read = log_pages(fake) - before
        assert answer == plain.run(run, query)[1].to_json(), (text, regex)
        assert read == 0


def test_a_big_logs_cursors_go_on_the_same_kept_or_not(fake):
    log = big_log(4, (0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1))
    run = add_run(fake, log)
    query = Query.parse("eacces", False)
    kept, plain = searches(fake), searches(fake, budget=0)

    def chain(s: Searches, early: bool) -> list:
        found = s.run(run, query, early=early, limit=2)[1]
        pages = [found.to_json()]
        while found.cursor:
            found = s.run(run, query, found.cursor, found.total_bytes, limit=2)[1]
            pages.append(found.to_json())
        return pages

    expected = chain(plain, early=False)
    assert [m["offset"] for p in expected for m in p["matches"]] == sorted(
        {m["offset"] for p in expected for m in p["matches"]})
    assert sum(len(p["matches"]) for p in expected) == 7
    assert chain(kept, early=False) == expected      # building the kept text as it goes
    before = log_pages(fake)
    assert chain(kept, early=False) == expected      # from the kept text
    assert log_pages(fake) - before == 0
    # a kept run's cursor is a cursor of the log: a panel without the kept text goes on
    first = kept.run(run, query, limit=3)[1]
    rest = plain.run(run, query, first.cursor, first.total_bytes)[1]
    assert [m.offset for m in first.matches + rest.matches] == \
        [m["offset"] for p in expected for m in p["matches"]]


def test_a_pages_early_answer_and_its_continuation_keep_the_whole_run(fake):
    run = add_run(fake, big_log(3, (0.05, 1)))
    s = searches(fake)
    query = Query.parse("EACCES", False)
    first = s.run(run, query, early=True)[1]
    assert first.stopped == "early" and len(first.matches) == 1
    rest = s.run(run, query, first.cursor, first.total_bytes)[1]
    assert rest.stopped == "end" and len(rest.matches) == 1
    before = log_pages(fake)
    again = s.run(run, query, early=True)[1]
    assert log_pages(fake) - before == 0
    # kept whole, a page's first answer is the whole answer
    assert again.stopped == "end" and [m.offset for m in again.matches] == \
        [m.offset for m in first.matches + rest.matches]
    assert s.store.bytes > 2_000_000


def test_a_live_run_is_not_kept_until_it_has_finished(fake):
    run = add_run(fake, big_log(1, (1,)), status="running")
    s = searches(fake)
    query = Query.parse("EACCES", False)
    s.run(run, query)
    assert s.store.bytes == 0
    fake.runs[run]["status"] = "succeeded"
    s.run(run, query)
    before = log_pages(fake)
    assert len(s.run(run, query)[1].matches) == 1 and log_pages(fake) - before == 0


def test_a_log_that_changed_is_read_again(fake):
    run = add_run(fake, big_log(1, (1,)))
    s = searches(fake)
    query = Query.parse("EACCES", False)
    assert len(s.run(run, query)[1].matches) == 1
    fake.logs[run] += record("EACCES once more\n", seq=10**6)
    found = s.run(run, query)[1]
    assert len(found.matches) == 2 and found.total_bytes == len(fake.logs[run])


def test_the_byte_bound_drops_the_run_searched_longest_ago(fake):
    runs = [add_run(fake, big_log(1, (1,))) for _ in range(3)]
    s = searches(fake, budget=1_500_000)   # room for two runs' text, not three
    query = Query.parse("EACCES", False)
    for run in runs:
        s.run(run, query)
    assert s.store.bytes <= 1_500_000

    def pages_of(run: str) -> int:
        before = log_pages(fake)
        s.run(run, query)
        return log_pages(fake) - before

    assert pages_of(runs[2]) == 0 and pages_of(runs[1]) == 0
    assert pages_of(runs[0]) > 0                 # dropped: read again (and kept again)
    alone = searches(fake, budget=100_000)       # a run bigger than the bound: not kept
    alone.run(runs[0], query)
    assert alone.store.bytes == 0


@pytest.mark.parametrize("value", ["-1", "lots", "100001"])
def test_the_store_bound_is_checked_at_start(value):
    with pytest.raises(SettingError, match="OPSWEB_SEARCH_STORE_MB"):
        from_env({"OPSWEB_SEARCH_STORE_MB": value})
