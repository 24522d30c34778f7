"""A live run's log opens at its real end whatever Paperclip's size hint says (issue
16), following jumps over a burst instead of streaming it, every read is bounded, and
invalid UTF-8 never moves the cursor past the real position (issue 10, items 3 and 14).
Driven through RunLogs over the in-memory fake platform: the reads the dialog makes."""
from __future__ import annotations

import json
import uuid

import pytest

from opsweb import platform_port as port
from opsweb.transcript.cursor import Cursor
from opsweb.transcript.paging import Guard, Limits, find_end
from opsweb.transcript.reader import read_log
from opsweb.fleet.runlog import RunLogs
from opsweb.transcript.builder import convert_log
from opsweb.transcript.entry import transcript_text
from tests.fake_platform import FakePlatform

TAIL = 262_144
PAGE = port.MAX_LOG_PAGE_BYTES


def record(chunk: str, seq: int, stream: str = "stdout") -> bytes:
    return (json.dumps({"ts": "2026-11-30T04:00:00.000Z", "stream": stream, "chunk": chunk,
                        "seq": seq}, separators=(",", ":")) + "\n").encode()


def lines(first: int, last: int) -> bytes:
    return b"".join(record(f"line {i} " + "x" * 60 + "\n", i) for i in range(first, last))


class World:
    """One running process agent's run whose log and run row the test controls."""

    def __init__(self, log: bytes, hint: int | None, status: str = "running"):
        self.run_id, agent = str(uuid.uuid4()), str(uuid.uuid4())
        self.fake = FakePlatform()
        self.fake.agents[agent] = {"id": agent, "name": "Shell Bot", "adapterType": "process"}
        self.fake.runs[self.run_id] = {"id": self.run_id, "agentId": agent, "status": status,
                                       "logBytes": None, "lastOutputBytes": hint}
        self.fake.logs[self.run_id] = log
        self.logs = RunLogs(self.fake)

    def append(self, data: bytes) -> None:
        self.fake.logs[self.run_id] += data

    @property
    def size(self) -> int:
        return len(self.fake.logs[self.run_id])

    def log_calls(self) -> list[tuple]:
        return [c for c in self.fake.calls if c[0] == "get_run_log"]

    def open(self, **kw):
        self.fake.calls.clear()
        return self.logs.transcript(self.logs.info(self.run_id), **kw)


BURST = lines(0, 60_000)  # ~5.4 MB printed in a burst, then quiet
LAST = "line 59999 " + "x" * 60


@pytest.mark.parametrize("hint", [None, 0, 263, len(BURST) // 2, len(BURST), len(BURST) * 3],
                         ids=["none", "zero", "tiny", "mid-log", "exact", "past-the-end"])
def test_the_dialog_opens_at_the_real_end_whatever_the_hint(hint):
    world = World(BURST, hint)
    part = world.open()
    assert part.entries[-1].text == LAST
    assert part.bytes_fetched <= TAIL + PAGE  # the first answer is bounded: a window, not the log
    assert Cursor.parse(part.cursor).offset == world.size  # the twin's first cursor is at the end
    pages = [c for c in world.log_calls() if c[3] > 4096]
    assert len(pages) <= 2 and len(world.log_calls()) <= 40  # few small probes, then the window
    assert part.earlier == str(part.started_at_offset) and part.started_at_offset >= world.size - TAIL


def test_an_exact_hint_costs_one_probe():
    world = World(BURST, len(BURST), status="succeeded")
    world.open()
    probes = [c for c in world.log_calls() if c[3] <= 4096]
    assert probes == [("get_run_log", world.run_id, len(BURST) - 2, 4096)]


def test_a_log_growing_between_the_probe_and_the_read_is_read_to_its_new_end():
    world = World(BURST, 263)
    fetch = world.fake.get_run_log

    def growing(run_id, offset, limit):
        if limit > 4096 and world.size == len(BURST):  # the first page of the window
            world.append(record("written meanwhile\n", 60_001))
        return fetch(run_id, offset, limit)
    world.fake.get_run_log = growing
    part = world.open()
    assert part.entries[-1].text == "written meanwhile" and part.at_eof
    assert Cursor.parse(part.cursor).offset == world.size


def test_following_a_burst_jumps_to_the_tail_and_says_what_it_skipped():
    world = World(lines(0, 10), None)
    first = world.open()
    world.append(lines(10, 25_000) + record("after the burst\n", 99_999))  # ~2 MB
    part = world.open(cursor=first.cursor)
    assert part.entries[-1].text == "after the burst"
    assert part.bytes_fetched <= 2 * TAIL + PAGE and Cursor.parse(part.cursor).offset == world.size
    gap_from, gap_to = part.skipped
    assert gap_from == Cursor.parse(first.cursor).offset and gap_to == part.started_at_offset
    # the skipped stretch comes back window by window, and stops where it began
    seqs, before = [], str(gap_to)
    while before is not None:
        earlier = world.open(before=before, since=str(gap_from))
        seqs[:0] = [e.seq for e in earlier.entries]
        before = earlier.earlier
    assert seqs + [e.seq for e in part.entries] == list(range(10, 25_000)) + [99_999]


def test_following_within_a_window_does_not_jump():
    world = World(lines(0, 10), None)
    first = world.open()
    world.append(lines(10, 1700))  # ~250 KB: less than a window
    part = world.open(cursor=first.cursor)
    assert part.skipped is None and [e.seq for e in part.entries] == list(range(10, 1700))
    assert len(world.log_calls()) == 1  # one request, as before


@pytest.mark.parametrize("bad", [b"\xff", b"\xe2\x82", b"\xf0\x9f\x99", b"\xff\xfe\xfd", b"\xc3("],
                         ids=["lone", "cut-3", "cut-4", "three", "bad-cont"])
@pytest.mark.parametrize("more_after", [False, True], ids=["last-page", "mid-page"])
def test_invalid_utf8_in_a_record_does_not_move_the_cursor_past_the_real_position(bad, more_after):
    corrupt = b'{"ts":"2026-11-30T04:00:00.000Z","stream":"stdout","chunk":"bad ' + bad + b' bytes\\n","seq":2}\n'
    world = World(record("before\n", 1) + corrupt, None)
    if more_after:
        world.append(record("right after\n", 3))
    part = world.open()
    assert Cursor.parse(part.cursor).offset == world.size  # exact, in bytes
    world.append(record("the next line\n", 4))
    later = world.open(cursor=part.cursor)
    assert [e.text for e in later.entries] == ["the next line"]


def test_invalid_utf8_across_several_pages_keeps_every_later_line():
    body = b"".join(record(f"ok {i}\n", i) if i % 7 else
                    b'{"ts":"t","stream":"stdout","chunk":"x\xff\xfey\\n","seq":' + str(i).encode() + b'}\n'
                    for i in range(1, 400))
    data = body + record("the end\n", 400)

    def fetch(offset, limit):
        piece = data[offset:offset + limit]
        end = offset + len(piece)
        return piece.decode("utf-8", "replace"), (end if end < len(data) else None)
    part = read_log(fetch, "process", "0", max_page=997)
    shown = list(part.entries)
    while not part.at_eof:
        part = read_log(fetch, "process", part.cursor, max_page=997)
        shown += part.entries
    assert shown[-1].text == "the end" and Cursor.parse(part.cursor).offset == len(data)
    assert [e.seq for e in shown] == list(range(1, 401))


# --- every loop over upstream pages is bounded (issue 10, item 3) -------------------------

def ignoring_offset(data: bytes, advance: bool):
    """A server that always answers from byte 0: nextOffset either moves on as if it
    had read at `offset` (advance) or names the same point every time."""
    calls = []

    def fetch(offset, limit):
        calls.append(offset)
        piece = data[:limit]
        return piece.decode(), (offset + len(piece) if advance else len(piece))
    return fetch, calls


@pytest.mark.parametrize("advance,how", [(True, "tail"), (False, "tail"), (True, "follow"),
                                         (False, "follow"), (False, "earlier")])
def test_a_server_ignoring_offset_is_stopped_with_a_message(advance, how):
    fetch, calls = ignoring_offset(lines(0, 30_000), advance)
    kw = {"tail": {}, "follow": {"cursor": "0", "jump": True},
          "earlier": {"before": "5000000"}}[how]
    with pytest.raises(port.BadResponse, match="advance|did not lead to its end|did not end"):
        read_log(fetch, "process", size_hint=1000, **kw)
    assert len(calls) <= 200


def test_an_earlier_window_from_a_server_ignoring_offset_costs_one_window():
    fetch, calls = ignoring_offset(lines(0, 30_000), advance=True)
    read_log(fetch, "process", before="50000000")
    assert len(calls) <= 3  # the window's bytes, then it stops: no loop to the end


def test_the_time_bound_uses_the_clock_passed_in():
    now = [0.0]

    def slow(offset, limit):
        now[0] += 10  # each answer takes ten seconds
        return "x" * 10, offset + 10
    with pytest.raises(port.BadResponse, match="Stopped reading"):
        read_log(slow, "process", "0", limits=Limits(seconds=30), clock=lambda: now[0])
    assert now[0] <= 50


def test_find_end_on_an_empty_and_a_tiny_log():
    assert find_end(lambda o, n: ("", None), 0) == (0, 0)
    assert find_end(lambda o, n: ("ab"[o:o + n], None), 0) == (2, 2)


# --- the whole log, downloaded ----------------------------------------------------------

def test_the_whole_transcript_as_text_streams_read_by_read():
    data = BURST + record("the end\n", 70_000)
    world = World(data, 0, status="succeeded")
    pieces = list(world.logs.text_pages(world.logs.info(world.run_id)))
    assert len(pieces) >= 5 and max(len(p) for p in pieces) < 2 * PAGE
    assert "".join(pieces) == transcript_text(convert_log(data, "process"))


def test_the_raw_download_is_the_log_byte_for_byte():
    data = BURST + record("שלום 🙂\n", 70_000)
    world = World(data, 263)
    pieces = list(world.logs.raw_pages(world.logs.info(world.run_id)))
    assert "".join(pieces).encode() == data and len(pieces) >= 5


def test_a_download_from_a_server_ignoring_offset_fails_before_it_starts():
    world = World(lines(0, 20_000), None, status="succeeded")
    data = world.fake.logs[world.run_id]
    world.fake.get_run_log = lambda run_id, offset, limit: (
        data[:limit].decode(), offset + min(limit, len(data)))
    with pytest.raises(port.BadResponse):
        next(world.logs.raw_pages(world.logs.info(world.run_id)))


def test_an_offset_past_the_end_of_a_growing_log_is_not_taken_for_its_end():
    """Paperclip clamps an offset past the end to the size it saw and, when the log
    grew meanwhile, reads one byte there (run-log-store.ts readLocalRange): seen on the
    real server while an agent printed."""
    data = BURST + b"{"  # the next record has begun

    def clamping(offset, limit):
        stat = len(data) - 1  # the size when Paperclip looked; one byte landed after
        start = min(offset, stat)
        end = max(start, min(start + limit - 1, stat - 1))
        piece = data[start:end + 1]
        return piece.decode(), (end + 1 if end + 1 < stat else None)
    for hint in (0, 263, len(BURST) * 3):
        lo, hi = find_end(Guard(clamping), hint, 4096)
        assert lo <= len(BURST) <= hi
    part = read_log(clamping, "process", None, size_hint=len(BURST) * 3)
    assert part.entries[-1].text == LAST
