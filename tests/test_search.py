"""Search inside transcripts (issue 23), in-process on the fake platform: the corpus
of each adapter searched as the dialog converts it, the first and the last match of a
50 MB log, a match cut by Paperclip's page boundary, invalid UTF-8 beside a match,
escaping, a live run searched as it was, the deadline and the cursor that searches
further, an agent's last runs, and the bad input that is refused."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from opsweb import platform_port as port
from opsweb.fleet.runlog import RunInfo, RunLogs
from opsweb.fleet.search import MAX_MATCHES, Query, scan
from opsweb.fleet.search_text import Segment
from opsweb.transcript.builder import TranscriptBuilder, iter_records
from opsweb.transcript.entry import entry_text

CORPUS = Path(__file__).parent / "corpus"
HX = {"HX-Request": "true"}
COMPANY = "c5ea2c00-0000-4000-8000-000000000001"


def record(chunk: str, stream: str = "stdout", seq: int = 1) -> bytes:
    return json.dumps({"ts": "2026-12-04T10:00:00.000Z", "stream": stream, "chunk": chunk,
                       "seq": seq}, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def add_run(fake, log: bytes, adapter: str = "process", status: str = "succeeded",
            agent_id: str | None = None, started: str = "2026-12-04T10:00:00.000Z") -> str:
    agent_id = agent_id or str(uuid.uuid4())
    fake.agents.setdefault(agent_id, {"id": agent_id, "name": "Searcher", "companyId": COMPANY,
                                      "adapterType": adapter, "status": "idle"})
    run_id = str(uuid.uuid4())
    fake.runs[run_id] = {"id": run_id, "agentId": agent_id, "companyId": COMPANY,
                         "status": status, "startedAt": started}
    fake.history.setdefault(COMPANY, []).insert(0, fake.runs[run_id])
    fake.logs[run_id] = log
    return run_id


def truth(log: bytes, adapter: str, needle: str) -> list[tuple[int, str]]:
    """(offset, text) of every entry whose plain text holds `needle`, ignoring case:
    one pass of the converter over the whole log, as log.txt makes it."""
    builder = TranscriptBuilder(adapter)
    for offset, line, end in iter_records(log):
        builder.feed(offset, line, end if end is not None else len(log))
    builder.flush()
    return [(o, entry_text(e)) for e, o in zip(builder.entries, builder.offsets)
            if needle.casefold() in entry_text(e).casefold()]


@pytest.mark.parametrize("name, adapter, needle", [
    ("claude_local.ndjson", "claude_local", "src/app"),
    ("codex_local.ndjson", "codex_local", "SRC/APP.PY"),        # case does not matter
    ("process_plain.ndjson", "process", "tick"),
    ("process_plain.ndjson", "process", "שלום"),                 # Hebrew, as typed
    ("process_pi.ndjson", "process", "bash"),
])
def test_each_adapters_transcript_is_searched_as_the_dialog_shows_it(inproc, name, adapter, needle):
    log = (CORPUS / name).read_bytes()
    expected = truth(log, adapter, needle)
    assert len(expected) >= 1
    run = add_run(inproc.fake, log, adapter)
    found = inproc.get(f"/api/operations/runs/{run}/search", query_string={"q": needle}).get_json()
    assert [m["offset"] for m in found["matches"]] == [o for o, _ in expected]
    assert found["matches"][0]["text"] == expected[0][1][:600]
    assert found["matches"][-1]["text"] == expected[-1][1][:600]
    assert not found["truncated"] and found["totalBytes"] == found["scannedBytes"] == len(log)
    for m in found["matches"]:
        hit = m["text"][m["hits"][0][0]:m["hits"][0][1]]
        assert hit.casefold() == needle.casefold()
    # each match opens the dialog at its line
    last = found["matches"][-1]
    dialog = inproc.soup(f"/operations/runs/{run}/log?at={last['offset']}&line={last['line']}")
    marked = dialog.select_one("#ow-log-at")
    assert int(marked["data-offset"]) == last["offset"]
    assert needle.casefold() in marked.get_text().casefold()


def big_log(megabytes: int, marks: tuple[float, ...]) -> bytes:
    """`megabytes` of build output, with a line holding EACCES at each of the given
    places (0: the first record, 1: the last)."""
    line = record("compiling module %06d of the workspace, all checks passed ok\n")
    count = megabytes * 1_000_000 // len(line)
    at = {round(f * (count - 1)) for f in marks}
    return b"".join(
        record(f"open('/srv/{n}/billing.py'): EACCES permission denied\n", seq=n) if n in at
        else record(f"compiling module {n:06d} of the workspace, all checks passed ok\n", seq=n)
        for n in range(count))


def test_a_50_mb_log_gives_its_first_and_last_match_and_opens_at_each(inproc):
    log = big_log(50, (0.00001, 1))
    run = add_run(inproc.fake, log)
    found = inproc.get(f"/api/operations/runs/{run}/search?q=eacces").get_json()
    first, last = found["matches"]
    assert first["text"] == "[stdout] open('/srv/4/billing.py'): EACCES permission denied"
    assert first["before"].startswith("[stdout] compiling module 000003")
    assert first["after"].startswith("[stdout] compiling module 000005")
    assert last["offset"] > 49_000_000 and last["nextOffset"] == len(log) and last["after"] == ""
    assert found["scannedBytes"] == found["totalBytes"] == len(log) and not found["truncated"]
    for m in (first, last):
        page = inproc.soup(f"/operations/runs/{run}/log?at={m['offset']}&line={m['line']}")
        assert "EACCES" in page.select_one("#ow-log-at").get_text()
        assert page.select_one("#ow-later" if m is first else "#ow-earlier") is not None
    twin = inproc.get(f"/api/operations/runs/{run}/log?at={first['offset']}&line={first['line']}").get_json()
    assert "EACCES" in twin["text"] and twin["cursor"] and not twin["atEof"]


def test_a_match_cut_by_paperclips_page_boundary_is_found(inproc):
    """Paperclip answers 1 MiB pages cut at any byte: the match's record (and a Hebrew
    character in it) straddles the cut."""
    needle = "ההרשאה נדחתה EACCES"
    marked = record(f"open: {needle} on billing.py\n")
    cut_at = marked.index(needle.encode()) + 5    # inside the needle's third letter
    base = len(record("\n"))

    def sized(n: int) -> bytes:
        return record("x" * (n - base) + "\n")
    head = port.MAX_LOG_PAGE_BYTES - cut_at
    count = head // 1000 - 1
    log = sized(1000) * count + sized(head - 1000 * count) + marked + sized(500) * 3
    start = log.index(marked)
    assert start + cut_at == port.MAX_LOG_PAGE_BYTES
    run = add_run(inproc.fake, log)
    found = inproc.get(f"/api/operations/runs/{run}/search", query_string={"q": needle}).get_json()
    assert [m["offset"] for m in found["matches"]] == [start]
    assert needle in found["matches"][0]["text"]


def test_invalid_utf8_around_a_match_survives(inproc):
    bad = b'{"ts":"2026-12-04T10:00:00.000Z","stream":"stdout","chunk":"\xff\xfe EACCES \xc3(\\n","seq":2}\n'
    log = record("before\n") + bad + b"\xf0\x28\x8c\x28 not a record\n" + record("after EACCES\n")
    run = add_run(inproc.fake, log)
    found = inproc.get("/api/operations/runs/%s/search?q=EACCES" % run).get_json()
    assert [m["offset"] for m in found["matches"]] == [len(record("before\n")), log.index(record("after EACCES\n"))]
    assert "\ufffd" in found["matches"][0]["text"] and found["matches"][0]["after"]
    page = inproc.soup(f"/operations/runs/{run}/log?at={found['matches'][1]['offset']}&line={found['matches'][1]['line']}")
    assert page.select_one("#ow-log-at").get_text(strip=True) == "after EACCES"


def test_agent_output_is_escaped_and_only_the_query_is_marked(inproc):
    run = add_run(inproc.fake, (CORPUS / "process_plain.ndjson").read_bytes())
    resp = inproc.get(f"/operations/runs/{run}/search?q=alert", headers=HX)
    assert resp.status_code == 200
    assert "<script>" not in resp.text and "&lt;script&gt;" in resp.text
    soup = BeautifulSoup(resp.text, "html.parser")
    assert [m.get_text() for m in soup.select("mark")] == ["alert"]
    link = soup.select_one("a.ow-match")
    assert link["hx-target"] == "#ow-log-dialog" and "at=" in link["hx-get"]
    # a regex with markup in it is still only text
    resp = inproc.get(f"/operations/runs/{run}/search", query_string={
        "q": "<script>alert", "regex": "1"}, headers=HX)
    assert [m.get_text() for m in BeautifulSoup(resp.text, "html.parser").select("mark")] \
        == ["<script>alert"]


def test_200_matches_then_a_cursor_that_searches_further_without_repeats(inproc):
    log = b"".join(record(f"line {n} EACCES\n", seq=n) for n in range(450))
    run = add_run(inproc.fake, log)
    seen, cursor, answers = [], None, 0
    while True:
        args = {"q": "eacces"} | ({"cursor": cursor, "until": str(len(log))} if cursor else {})
        found = inproc.get(f"/api/operations/runs/{run}/search", query_string=args).get_json()
        answers += 1
        assert len(found["matches"]) <= MAX_MATCHES
        seen += [m["offset"] for m in found["matches"]]
        if not found["truncated"]:
            break
        cursor = found["cursor"]
    assert answers == 3 and seen == [o for o, _ in truth(log, "process", "EACCES")]


def test_the_pages_first_answer_comes_early_and_asks_for_the_rest(inproc):
    log = big_log(3, (0.0001, 0.5, 1))
    run = add_run(inproc.fake, log)
    first = inproc.soup(f"/operations/runs/{run}/search?q=EACCES")
    assert len(first.select("a.ow-match")) == 1
    more = first.select_one(".ow-search-more")
    assert more["hx-trigger"] == "load" and "shown=1" in more["hx-get"]
    rest = inproc.soup(more["hx-get"])
    assert len(rest.select("a.ow-match")) == 2 and rest.select_one(".ow-search-more") is None
    assert "3 matches" in rest.select_one(".ow-search-summary").get_text()


class Ticking:
    """A clock that moves `step` seconds each time it is read."""

    def __init__(self, step: float):
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_the_deadline_stops_a_search_between_reads_and_its_cursor_goes_on(fake):
    log = big_log(3, (1,))
    run = add_run(fake, log)
    logs = RunLogs(fake)
    info = logs.info(run)
    fetch, size = logs.bounded(info)
    found = scan(map(Segment.of, logs.reads(info, fetch)), Query.parse("EACCES", False), size,
                 seconds=5, clock=Ticking(4))
    assert found.stopped == "deadline" and found.truncated and not found.matches
    assert 0 < found.scanned_bytes < size
    start, skip = found.cursor.rsplit("_", 1)
    rest = scan(map(Segment.of, logs.reads(info, logs.bounded(info)[0], start)),
                Query.parse("EACCES", False), size, skip=int(skip))
    assert [m.offset for m in rest.matches] == [o for o, _ in truth(log, "process", "EACCES")]


def test_a_live_run_is_searched_as_it_was_when_the_search_began(inproc):
    log = big_log(2, (0.5,))
    run = add_run(inproc.fake, log, status="running")
    fake, reads = inproc.fake, []
    original = fake.get_run_log

    def growing(run_id, offset=0, limit_bytes=port.DEFAULT_LOG_PAGE_BYTES):
        if limit_bytes >= port.MAX_LOG_PAGE_BYTES and not reads:  # the run writes on
            reads.append(offset)                                   # while the search reads
            fake.logs[run_id] += record("later EACCES\n") * 10
        return original(run_id, offset, limit_bytes)
    fake.get_run_log = growing
    found = inproc.get(f"/api/operations/runs/{run}/search?q=EACCES").get_json()
    assert len(found["matches"]) == 1 and found["totalBytes"] == len(log)


def test_a_catastrophic_pattern_answers_in_linear_time(inproc):
    log = b"".join(record("a" * 5000 + "!\n", seq=n) for n in range(200))
    run = add_run(inproc.fake, log)
    resp = inproc.get(f"/api/operations/runs/{run}/search", query_string={"q": "(a+)+$",
                                                                          "regex": "1"})
    assert resp.status_code == 200 and resp.get_json()["matches"] == []
    resp = inproc.get(f"/api/operations/runs/{run}/search", query_string={"q": "(a+)+!$",
                                                                          "regex": "1"})
    assert len(resp.get_json()["matches"]) == 200


@pytest.mark.parametrize("query, message", [
    ({}, "q is empty"),
    ({"q": ""}, "q is empty"),
    ({"q": "x" * 10_000}, "q is too long (at most 200 characters)"),
    ({"q": "x" * 201}, "q is too long (at most 200 characters)"),
    ({"q": "(a+", "regex": "1"}, "invalid regular expression: missing ): (a+"),
    ({"q": "a{2000}", "regex": "1"}, "invalid regular expression: invalid repetition size: {2000}"),
    ({"q": "a", "regex": "yes"}, "regex must be 0 or 1"),
    ({"q": "a\x07"}, "q holds control characters"),
    ({"q": "a", "cursor": "12_x"}, "invalid search cursor"),
    ({"q": "a", "until": "5"}, "until goes with cursor"),
    ({"q": "a", "shown": "200"}, "shown must be between 0 and 199"),
])
def test_bad_searches_are_a_400_that_says_why(inproc, query, message):
    run = add_run(inproc.fake, record("a\n"))
    for prefix in ("/api/operations", "/operations"):
        resp = inproc.get(f"{prefix}/runs/{run}/search", query_string=query, headers=HX)
        assert resp.status_code == 400, resp.data[:300]
        assert message in resp.get_data(as_text=True)
    assert "get_run" not in [c[0] for c in inproc.fake.calls]  # refused before Paperclip


def test_the_log_at_an_offset_refuses_what_does_not_go_with_it(inproc):
    run = add_run(inproc.fake, record("a\n"))
    for query, message in [("at=x", "at must be a whole number"), ("at=5&cursor=0", "at goes alone"),
                           ("later=1", "later is 1, with cursor"), ("cursor=0&later=2", "later is 1")]:
        resp = inproc.get(f"/api/operations/runs/{run}/log?{query}")
        assert resp.status_code == 400 and message in resp.get_json()["error"], query


def test_load_later_reads_on_from_a_match_and_following_resumes_at_the_end(inproc):
    log = big_log(1, (0.001,))
    run = add_run(inproc.fake, log, status="running")
    found = inproc.get(f"/api/operations/runs/{run}/search?q=EACCES").get_json()
    dialog = inproc.soup(f"/operations/runs/{run}/log?at={found['matches'][0]['offset']}&line={found['matches'][0]['line']}")
    assert dialog.select_one("#ow-log-follow").get("hx-get") is None  # not following yet
    assert dialog.select_one("#ow-log-liveness").get_text() == "not following: open at a search match"
    later, steps = dialog.select_one("#ow-later"), 0
    while later is not None:
        part = inproc.soup(later["hx-get"])
        later, steps = part.select_one("#ow-later"), steps + 1
    assert steps == 3  # the rest of 1 MB, in windows of 256 KiB
    follow = part.select_one("#ow-log-follow")
    assert follow["hx-swap-oob"] == "true" and "cursor=" in follow["hx-get"]
    assert part.select(".ow-entry")[-1].get_text(strip=True).startswith("compiling module")


def test_an_agents_last_runs_each_give_their_first_match(inproc):
    agent = str(uuid.uuid4())
    old = add_run(inproc.fake, record("EACCES in the oldest\n"), agent_id=agent)
    quiet = add_run(inproc.fake, record("nothing here\n"), agent_id=agent)
    newest = add_run(inproc.fake, record("one\n") + record("EACCES twice\n") + record("EACCES\n"),
                     agent_id=agent)
    twin = inproc.get(f"/api/operations/agents/{agent}/search?q=eacces&runs=2").get_json()
    assert [r["runId"] for r in twin["runs"]] == [newest, quiet]
    assert twin["runs"][0]["match"]["text"] == "[stdout] EACCES twice"
    assert twin["runs"][1]["match"] is None and twin["runs"][1]["complete"]
    assert old not in json.dumps(twin)
    html = inproc.soup(f"/operations/agents/{agent}/search?q=eacces&runs=3")
    links = [a["hx-get"] for a in html.select("a.ow-match")]
    assert len(links) == 2 and f"/runs/{newest}/log?at=" in links[0] and old in links[1]
    card = inproc.soup(f"/operations/agents/{agent}")
    form = card.select_one("form.ow-agent-search")
    assert form["hx-get"].endswith(f"/agents/{agent}/search") and form.select_one("input[name=q]")
    assert inproc.get(f"/api/operations/agents/{agent}/search?q=a&runs=21").status_code == 400


def test_reads_join_a_streamed_block_cut_by_a_reads_end(fake):
    """The download and the search share one pass (RunLogs.reads): a Pi message streamed
    in fragments across the 1 MiB read comes whole, once."""
    filler = record("x" * 500 + "\n")
    deltas = [json.dumps({"type": "message_update", "assistantMessageEvent": {
        "type": "text_delta", "delta": f"part{n} "}}) + "\n" for n in range(40)]
    log = filler * (1_048_576 // len(filler) - 10) + b"".join(record(d) for d in deltas) + filler
    run = add_run(fake, log, adapter="process")
    logs = RunLogs(fake)
    info = logs.info(run)
    text = "".join(logs.text_pages(info))
    joined = " ".join(f"part{n}" for n in range(40))
    assert text.count("part0 ") == 1 and joined in text
    assert isinstance(info, RunInfo)


def test_searches_share_the_download_slots_so_they_cannot_starve_the_panel(inproc):
    run = add_run(inproc.fake, record("EACCES\n"))
    slots = inproc.app.extensions["opsweb"].downloads
    held = [slots.take("127.0.0.1") for _ in range(slots.per_client)]
    resp = inproc.get(f"/api/operations/runs/{run}/search?q=EACCES")
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "30"
    assert "Too many searches and log downloads at once" in resp.get_json()["error"]
    assert inproc.get("/api/operations/agents").status_code == 200  # the panel still answers
    for release in held:
        release()
    assert inproc.get(f"/api/operations/runs/{run}/search?q=EACCES").status_code == 200
    assert slots.held() == 0  # a search gives its slot back


def test_the_search_speaks_hebrew(on_fake):
    panel = on_fake(OPSWEB_LANGUAGE="he")
    run = add_run(panel.fake, record("שלום EACCES\n") + record("EACCES again\n"))
    soup = panel.soup(f"/operations/runs/{run}/search?q=eacces")
    assert soup.select_one(".ow-search-summary").get_text(strip=True) == "שתי התאמות ב־1 ק״ב."
    dialog = panel.soup(f"/operations/runs/{run}/log")
    assert dialog.select_one(f"label[for=ow-search-q-{run}]").get_text() == "חיפוש בתמליל"
    assert dialog.select_one(".ow-log-search button").get_text() == "חפש"


def test_a_search_past_its_deadline_says_so_and_offers_to_search_further(inproc):
    log = big_log(3, (0.9,))
    run = add_run(inproc.fake, log)
    inproc.app.extensions["opsweb"].searches.clock = Ticking(30)  # every read is too late
    twin = inproc.get(f"/api/operations/runs/{run}/search?q=EACCES").get_json()
    assert twin["stopped"] == "deadline" and twin["truncated"] and twin["matches"] == []
    assert 0 < twin["scannedBytes"] < twin["totalBytes"]
    page = inproc.soup(f"/operations/runs/{run}/search?q=EACCES&cursor={twin['cursor']}"
                       f"&until={twin['totalBytes']}")
    summary = page.select_one(".ow-search-summary").get_text(" ", strip=True)
    assert summary.startswith("No match so far. The search stopped after 20 s")
    further = page.select_one("button.ow-search-further")
    assert "cursor=" in further["hx-get"] and f"until={twin['totalBytes']}" in further["hx-get"]
    inproc.app.extensions["opsweb"].searches.clock = __import__("time").monotonic
    rest = inproc.get(further["hx-get"].replace("/operations/", "/api/operations/", 1)).get_json()
    assert len(rest["matches"]) == 1 and not rest["truncated"]


def test_a_cursor_in_the_middle_of_a_record_keeps_the_lines_of_its_matches(inproc):
    """A process record holds many lines: 250 matches in one record, the second answer
    resumes inside it and still names each match's line within it."""
    log = record("".join(f"EACCES {n}\n" for n in range(250)))
    run = add_run(inproc.fake, log)
    first = inproc.get(f"/api/operations/runs/{run}/search?q=EACCES").get_json()
    rest = inproc.get(f"/api/operations/runs/{run}/search", query_string={
        "q": "EACCES", "cursor": first["cursor"], "until": first["totalBytes"]}).get_json()
    lines = [m["line"] for m in first["matches"] + rest["matches"]]
    assert lines == list(range(250)) and rest["matches"][0]["before"] == "[stdout] EACCES 199"


def test_an_agents_runs_not_reached_in_time_say_so(inproc):
    agent = str(uuid.uuid4())
    for n in range(6):
        add_run(inproc.fake, record(f"run {n}\n"), agent_id=agent)
    inproc.app.extensions["opsweb"].searches.clock = Ticking(11)  # 20 s are gone at once
    twin = inproc.get(f"/api/operations/agents/{agent}/search?q=EACCES&runs=6").get_json()
    errors = [r["error"] for r in twin["runs"]]
    assert len(errors) == 6 and "Not searched: the search ran out of time." in errors
    page = inproc.soup(f"/operations/agents/{agent}/search?q=EACCES&runs=6")
    assert "Not searched: the search ran out of time." in page.get_text()


@pytest.mark.parametrize("query, regex, text, found", [
    ("привет", False, "[stdout] ПРИВЕТ мир", True),       # other scripts fold case too
    ("ΣΦΑΛΜΑ", False, "σφάλμα: σφαλμα", True),
    ("שלום", False, "tick שלום", True),                    # as typed: no case, no folding
    ("שָׁלוֹם", False, "tick שלום", False),                 # points are not dropped
    ("e.acces", False, "EACCES", False),                   # literal: the dot is a dot
    ("e.acces", True, "EXACCES", True),
    ("(?-i)eacces", True, "EACCES", False),                # a regex may ask for case
    ("^tick", True, "[stdout] x\ntick 2", True),           # ^ at each line of an entry
])
def test_queries_match_as_typed_and_fold_case(query, regex, text, found):
    assert (Query.parse(query, regex).pattern.search(text) is not None) is found
