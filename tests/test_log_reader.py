"""Paging through a run log the way Paperclip serves it: byte-cut pages decoded on
their own, nextOffset absent at the end, the browser holding only a cursor."""
from __future__ import annotations

import json
import random
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsweb.transcript import builder as transcript
from opsweb.transcript.reader import read_log
from opsweb.transcript.builder import convert_log
from opsweb.transcript.entry import extend_transcript

MiB = 1_048_576


class NodeLog:
    """Paperclip's /log over a bytes log in memory: limitBytes clamped to [1, 1 MiB], the
    slice decoded like Node's Buffer.toString (a stray continuation byte is one U+FFFD,
    an incomplete character at the end one U+FFFD), nextOffset only when bytes remain."""

    def __init__(self, data: bytes = b"") -> None:
        self.data = bytearray(data)
        self.calls: list[tuple[int, int]] = []

    def append(self, data: bytes) -> None:
        self.data += data

    def __call__(self, offset: int, limit_bytes: int):
        assert limit_bytes <= MiB, "asked for more than Paperclip's 1 MiB page"
        self.calls.append((offset, limit_bytes))
        limit = min(max(limit_bytes, 1), MiB)
        piece = bytes(self.data[offset:offset + limit])
        end = offset + len(piece)
        return piece.decode("utf-8", "replace"), (end if end < len(self.data) else None)


def record(chunk: str, stream: str = "stdout", seq: int = 1) -> bytes:
    return (json.dumps({"ts": f"2026-11-24T15:09:{seq % 60:02d}.000Z", "stream": stream, "chunk": chunk, "seq": seq},
                       ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def assistant(text: str) -> str:
    return json.dumps({"type": "assistant", "message": {"content": [{"type": "text", "text": text}]}}) + "\n"


def texts(entries) -> list[str]:
    return [e.text for e in entries]


# --- following a live log ------------------------------------------------------------

def test_each_poll_returns_only_what_is_new():
    log = NodeLog(record(assistant("one"), seq=1))
    first = read_log(log, "claude_local", None)
    assert texts(first.entries) == ["one"] and first.earlier is None and first.at_eof
    log.append(record(assistant("two"), seq=2) + record("warn\n", "stderr", 3))
    second = read_log(log, "claude_local", first.cursor)
    assert texts(second.entries) == ["two", "warn\n"]
    again = read_log(log, "claude_local", second.cursor)
    assert again.entries == () and again.cursor == second.cursor


def test_fetching_from_a_cursor_costs_only_the_new_bytes():
    log = NodeLog(b"".join(record(assistant(f"old {i}"), seq=i) for i in range(2000)))
    cursor = read_log(log, "claude_local", None, size_hint=len(log.data)).cursor
    new = record(assistant("new"), seq=9999)
    log.append(new)
    log.calls.clear()
    part = read_log(log, "claude_local", cursor)
    assert texts(part.entries) == ["new"]
    assert part.bytes_fetched == len(new) and log.calls[0][0] == len(log.data) - len(new)


def test_a_record_cut_by_the_page_is_read_whole_on_the_next_page():
    log = NodeLog(b"".join(record(assistant(f"step {i} שלום"), seq=i) for i in range(1, 30)))
    part = read_log(log, "claude_local", "0", max_page=97)
    assert texts(part.entries) == [f"step {i} שלום" for i in range(1, 30)]
    assert part.at_eof


@pytest.mark.parametrize("page", [4, 5, 6, 7, 13])
def test_pages_cut_inside_utf8_characters_lose_nothing(page):
    text = "שלום 🙂 é ☃ " * 3
    log = NodeLog(record(text + "\n", seq=1) + record("🙂\n", "stderr", 2))
    part = read_log(log, "process", "0", max_page=page)
    assert texts(part.entries) == [text.strip(), "🙂\n"]


def test_a_partial_record_at_the_end_waits_for_the_rest():
    whole = record("tick 1\n", seq=1) + record("tick 2\n", seq=2)
    log = NodeLog(whole[:-10])
    first = read_log(log, "process", "0")
    assert texts(first.entries) == ["tick 1"] and first.at_eof
    log.append(whole[-10:])
    assert texts(read_log(log, "process", first.cursor).entries) == ["tick 2"]


def test_an_unfinished_stdout_line_is_held_but_stderr_after_it_is_shown():
    log = NodeLog(record("half ", seq=1) + record("err\n", "stderr", 2))
    first = read_log(log, "process", "0")
    assert texts(first.entries) == ["err\n"]
    log.append(record("and half\nnext ", seq=3))
    second = read_log(log, "process", first.cursor)
    assert texts(second.entries) == ["half and half"]
    assert second.cursor.count(".") == 2  # resumes inside record 3's chunk
    log.append(record("line\n", seq=4))
    assert texts(read_log(log, "process", second.cursor).entries) == ["next line"]


def test_when_the_run_is_over_the_unfinished_line_is_shown():
    log = NodeLog(record("done\nno newline", seq=1))
    assert texts(read_log(log, "process", "0").entries) == ["done"]
    final = read_log(log, "process", "0", eof_flush=True)
    assert texts(final.entries) == ["done", "no newline"] and final.at_eof


def test_next_offset_absent_means_at_eof_and_present_means_more():
    log = NodeLog(b"".join(record(assistant("x" * 1000), seq=i) for i in range(1500)))  # ~1.6 MB
    first = read_log(log, "claude_local", "0")
    assert not first.at_eof and MiB <= first.bytes_fetched < MiB + 2000
    second = read_log(log, "claude_local", first.cursor)
    assert second.at_eof and len(first.entries) + len(second.entries) == 1500
    assert all(limit <= MiB for _, limit in log.calls)


# --- the tail and earlier output --------------------------------------------------------

def big_log(n: int = 3000) -> NodeLog:
    return NodeLog(b"".join(record(f"line {i} ✓\n", "stdout" if i % 3 else "stderr", i) for i in range(n)))


@pytest.mark.parametrize("hinted", [True, False])
def test_opening_a_log_reads_only_its_tail(hinted):
    log = big_log()
    part = read_log(log, "process", None, tail_bytes=4096, size_hint=len(log.data) if hinted else None)
    assert part.entries[-1].text.startswith("line 2999")
    assert 4096 - 200 < sum(len(record(e.text, seq=e.seq)) for e in part.entries) <= 4096
    assert part.bytes_fetched <= 4097 + (2 if hinted else 40_000) and part.at_eof  # +2: the probe at the hint
    assert part.earlier == str(part.started_at_offset)


def test_earlier_windows_cover_the_log_exactly_once():
    log = big_log()
    part = read_log(log, "process", None, tail_bytes=5000, size_hint=len(log.data))
    seen = [e.seq for e in part.entries]
    while part.earlier is not None:
        part = read_log(log, "process", None, tail_bytes=5000, before=part.earlier)
        seen[:0] = [e.seq for e in part.entries]
    assert seen == list(range(3000))


def test_a_line_cut_by_a_window_edge_shows_in_pieces_without_losing_text():
    log = NodeLog(record("a" * 200, seq=1) + record("b" * 200 + "\n", seq=2))
    later = read_log(log, "process", None, tail_bytes=300, size_hint=len(log.data))
    earlier = read_log(log, "process", None, tail_bytes=300, before=later.earlier)
    assert texts(earlier.entries) + texts(later.entries) == ["a" * 200, "b" * 200]


def test_pages_never_exceed_paperclips_limit():
    log = big_log()
    read_log(log, "process", "0", max_page=10 * MiB)
    assert log.calls and all(limit == MiB for _, limit in log.calls)


def test_a_hint_past_the_end_still_finds_the_tail():
    log = big_log(50)
    part = read_log(log, "process", None, tail_bytes=1000, size_hint=len(log.data) * 10)
    assert part.entries[-1].seq == 49


def test_a_tail_inside_one_huge_record_resumes_after_it():
    huge = record("a" * 5000, seq=1)
    log = NodeLog(huge[:-100])  # still being written
    part = read_log(log, "process", None, tail_bytes=1000, size_hint=len(log.data) + 2000)
    assert part.entries == () and part.cursor.endswith("-s") and part.earlier
    log.append(huge[-100:] + record("after\n", seq=2))
    assert texts(read_log(log, "process", part.cursor).entries) == ["after"]


# --- bad input --------------------------------------------------------------------------

@pytest.mark.parametrize("cursor", ["", "abc", "-1", "12.3", "1.2.3.4", "12-x", "12-tt", "1e5", " 12", "12\n"])
def test_a_malformed_cursor_is_refused_with_a_message(cursor):
    with pytest.raises(ValueError, match="invalid log cursor"):
        read_log(NodeLog(), "process", cursor)


@pytest.mark.parametrize("before", ["x", "-5", "1.5", -1])
def test_a_malformed_before_is_refused(before):
    with pytest.raises(ValueError, match="invalid before offset"):
        read_log(NodeLog(), "process", None, before=before)


def test_platform_errors_propagate():
    class Gone(Exception):
        pass

    def fetch(offset, limit):
        raise Gone("Run log not found")
    with pytest.raises(Gone):
        read_log(fetch, "process", "0")


# --- properties ------------------------------------------------------------------------

TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=12)
CLAUDE = st.one_of(
    TEXT.map(assistant),
    st.builds(lambda i, n: json.dumps({"type": "assistant", "message": {"content": [
        {"type": "tool_use", "id": f"t{i}", "name": n, "input": {"n": i}}]}}), st.integers(0, 3), TEXT),
    st.builds(lambda i, t: json.dumps({"type": "user", "message": {"content": [
        {"type": "tool_result", "tool_use_id": f"t{i}", "content": t}]}}), st.integers(0, 3), TEXT),
    st.just('{"type":"result","subtype":"success","total_cost_usd":0.1,"usage":{"input_tokens":3}}'),
    st.just("{broken json"),
)
PI = st.one_of(
    st.just('{"type":"message_start","message":{"role":"assistant","content":[]}}'),
    TEXT.map(lambda t: json.dumps({"type": "message_update", "assistantMessageEvent": {"type": "text_delta", "delta": t}})),
    TEXT.map(lambda t: json.dumps({"type": "message_update", "assistantMessageEvent": {"type": "thinking_delta", "delta": t}})),
    TEXT.map(lambda t: json.dumps({"type": "message_update", "assistantMessageEvent": {"type": "text_end", "content": t}})),
    TEXT.map(lambda t: json.dumps({"type": "message_end", "message": {"role": "assistant", "content": [
        {"type": "text", "text": t}, {"type": "thinking", "thinking": t}]}})),
    st.just('{"type":"tool_execution_start","toolCallId":"c1","toolName":"read","args":{}}'),
)
CODEX = st.one_of(
    st.just('{"type":"turn.started"}'),
    st.builds(lambda i, c: json.dumps({"type": "item.started", "item": {"id": f"i{i}", "type": "command_execution",
                                                                       "command": c}}), st.integers(0, 2), TEXT),
    st.builds(lambda i, c: json.dumps({"type": "item.completed", "item": {
        "id": f"i{i}", "type": "command_execution", "command": "ls", "aggregated_output": c, "exit_code": i}}),
        st.integers(0, 2), TEXT),
    TEXT.map(lambda t: json.dumps({"type": "item.completed", "item": {"type": "agent_message", "text": t}})),
)
OTHER = st.one_of(TEXT, TEXT.map(lambda t: "[paperclip] " + t))
LINES = {"claude_local": st.one_of(OTHER, CLAUDE, CLAUDE), "codex_local": st.one_of(OTHER, CODEX, CODEX),
         "process": st.one_of(OTHER, PI, PI, PI), "gemini_local": st.one_of(OTHER, CLAUDE, PI)}


@st.composite
def run_logs(draw):
    adapter = draw(st.sampled_from(sorted(LINES)))
    lines = draw(st.lists(LINES[adapter], max_size=12))
    stdout = "".join(line.replace("\n", " ") + draw(st.sampled_from(["\n", "\r\n"])) for line in lines)
    stdout += draw(st.sampled_from(["", "no newline at the end"]))
    cuts = sorted(draw(st.lists(st.integers(0, len(stdout)), max_size=12)))
    out, seq = [], 0
    for a, b in zip([0, *cuts], [*cuts, len(stdout)]):
        if draw(st.booleans()):
            seq += 1
            out.append(record(draw(st.sampled_from(["warn\n", "\x1b[31mred\x1b[0m", "שלום 🙂", ""])), "stderr", seq))
        if b > a:
            seq += 1
            out.append(record(stdout[a:b], "stdout", seq))
    if draw(st.booleans()):
        out.insert(draw(st.integers(0, len(out))), b"not a record\n")
    return adapter, b"".join(out)


def as_the_page_pairs(entries):
    # A tool_result is named after its call only when both come in the same read; a
    # call still running when its result comes in a later read takes the state that
    # result carries, as opsweb.js does in the page.
    given = {e.tool_use_id: e.call_state for e in entries if e.kind == "tool_result"}
    return [replace(e, name=None) if e.kind == "tool_result" else
            replace(e, call_state=given.get(e.tool_use_id, "running")) if e.kind == "tool_call" else e
            for e in entries]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(run_logs(), st.integers(4, 120), st.lists(st.floats(0, 1), max_size=6),
       st.sampled_from([transcript.PENDING_FLUSH_BYTES, 150]), st.booleans())
def test_following_a_growing_log_equals_converting_it_at_once(run, page, polls, flush_bytes, hinted):
    adapter, data = run
    original = transcript.PENDING_FLUSH_BYTES
    transcript.PENDING_FLUSH_BYTES = flush_bytes
    try:
        log = NodeLog()
        shown, cursor = [], None
        for point in sorted(polls) + [1.0]:
            log.data = bytearray(data[:int(len(data) * point)])
            if cursor is None:
                part = read_log(log, adapter, None, tail_bytes=1 << 30, max_page=page,
                                size_hint=len(log.data) if hinted else None)
            else:
                part = read_log(log, adapter, cursor, max_page=page)
            extend_transcript(shown, part.entries)
            cursor = part.cursor
        for _ in range(3):  # the run is over: read to the end, flushing what is left
            part = read_log(log, adapter, cursor, max_page=page, eof_flush=True)
            extend_transcript(shown, part.entries)
            cursor = part.cursor
        assert part.at_eof
        assert as_the_page_pairs(shown) == as_the_page_pairs(convert_log(data, adapter))
    finally:
        transcript.PENDING_FLUSH_BYTES = original


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600), st.integers(4, 64), st.integers(1, 300),
       st.sampled_from(["claude_local", "codex_local", "process", "x"]))
def test_random_bytes_never_crash_the_reader(data, page, tail, adapter):
    log = NodeLog(data)
    part = read_log(log, adapter, None, tail_bytes=tail, max_page=page)
    seen = list(part.entries)
    for _ in range(5):
        part = read_log(log, adapter, part.cursor, max_page=page, eof_flush=True)
        seen += part.entries
    earlier = read_log(log, adapter, None, tail_bytes=tail, max_page=page)
    for _ in range(5):
        if earlier.earlier is None:
            break
        earlier = read_log(log, adapter, None, tail_bytes=tail, max_page=page, before=earlier.earlier)
        seen += earlier.entries
    for e in seen:
        json.dumps(e.to_json()).encode("utf-8")
        assert not any(ord(c) < 32 and c not in "\n\t" for c in e.text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["stdout", "stderr"]), TEXT), min_size=1, max_size=40),
       st.integers(1, 400), st.integers(4, 100))
def test_tail_and_earlier_windows_partition_the_records(records, tail, page):
    data = b"".join(record(text + "\n", stream, i) for i, (stream, text) in enumerate(records))
    log = NodeLog(data)
    part = read_log(log, "gemini_local", None, tail_bytes=tail, max_page=page, size_hint=len(data))
    seqs = [e.seq for e in part.entries]
    while part.earlier is not None:
        part = read_log(log, "gemini_local", None, tail_bytes=tail, max_page=page, before=part.earlier)
        seqs[:0] = [e.seq for e in part.entries]
    expected = [i for i, (stream, text) in enumerate(records) if stream == "stderr" or text.strip()]
    assert seqs == expected


def test_a_shuffled_poll_schedule_on_the_real_pages_matches_one_pass():
    from pathlib import Path
    corpus = Path(__file__).parent / "corpus"
    data = b"".join((corpus / name).read_bytes() for name in sorted(p.name for p in corpus.glob("*.ndjson")))
    rng = random.Random(5)
    for _ in range(20):
        log, shown, cursor = NodeLog(), [], "0"
        for point in sorted(rng.random() for _ in range(5)) + [1.0]:
            log.data = bytearray(data[:int(len(data) * point)])
            part = read_log(log, "claude_local", cursor, max_page=rng.randint(4, 300), eof_flush=point == 1.0)
            extend_transcript(shown, part.entries)
            cursor = part.cursor
        assert as_the_page_pairs(shown) == as_the_page_pairs(convert_log(data, "claude_local"))
