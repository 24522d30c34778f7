"""How fast run logs become transcript entries, next to the cost of merely parsing them.

Builds a synthetic claude_local run log (Paperclip NDJSON records carrying Claude Code
stream-json: thinking, assistant text, tool_use, tool_result, result) and prints:

  baseline   MB/s of a bare loop that json.loads every record (after decoding the pages)
  full       MB/s of read_log over the same pages: paging, stdout line buffering,
             parsing the agent's JSON, entries, text hygiene
  ratio      full / baseline (goal >= 0.5)
  reference  decoding both JSON layers (record, then the agent's line) with stdlib json
             and nothing else: the ceiling of a stdlib-json converter. opsweb reads both
             layers with orjson (a dependency), which is how it passes that ceiling; the
             baseline stays the stdlib loop the goal is stated against
  first window  time to convert the last 256 KB, what opening a log dialog costs
                (goal: well under 150 ms)

    .venv/bin/python bench/transcript_throughput.py [--mb 50] [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from opsweb.transcript.reader import read_log  # noqa: E402

SID = "9f1c2b7e-4d1a-4a51-9a55-2f3b1c0d9e11"
WORDS = ("the repository tests failing because parser config module function returns value "
         "update check build deploy agent issue workspace branch commit error retry timeout "
         "schema migration handler request response cache index query").split()


def _prose(rng: random.Random, n_words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n_words)).capitalize() + "."


def _code(rng: random.Random, n_lines: int) -> str:
    return "\n".join(f"{i:>4}\t    {' '.join(rng.choice(WORDS) for _ in range(rng.randint(2, 9)))}"
                     for i in range(1, n_lines + 1))


def _assistant(content: list, rng: random.Random) -> dict:
    return {"type": "assistant", "message": {
        "id": f"msg_{rng.getrandbits(48):012x}", "type": "message", "role": "assistant",
        "model": "claude-sonnet-4-5-20250929", "content": content, "stop_reason": None,
        "usage": {"input_tokens": rng.randint(1, 9000), "output_tokens": rng.randint(1, 900)}},
        "parent_tool_use_id": None, "session_id": SID}


def _turn(rng: random.Random) -> list[dict]:
    tool_id = f"toolu_{rng.getrandbits(64):016x}"
    name, tool_input, output = rng.choice([
        ("Bash", {"command": "pytest -q tests/", "description": "Run the tests"}, _code(rng, rng.randint(5, 60))),
        ("Read", {"file_path": "/srv/repo/src/app.py"}, _code(rng, rng.randint(20, 200))),
        ("Edit", {"file_path": "/srv/repo/src/app.py", "old_string": _code(rng, 8),
                  "new_string": _code(rng, 9)}, "The file has been updated."),
        ("Grep", {"pattern": "def parse", "path": "src"}, _code(rng, rng.randint(1, 15))),
    ])
    events = []
    if rng.random() < 0.4:
        events.append(_assistant([{"type": "thinking", "thinking": _prose(rng, rng.randint(40, 200)),
                                   "signature": "sig"}], rng))
    events.append(_assistant([{"type": "text", "text": _prose(rng, rng.randint(10, 80))}], rng))
    events.append(_assistant([{"type": "tool_use", "id": tool_id, "name": name, "input": tool_input}], rng))
    events.append({"type": "user", "message": {"role": "user", "content": [
        {"tool_use_id": tool_id, "type": "tool_result", "content": output, "is_error": rng.random() < 0.05}]},
        "parent_tool_use_id": None, "session_id": SID})
    if rng.random() < 0.05:
        events.append({"type": "result", "subtype": "success", "is_error": False, "result": _prose(rng, 20),
                       "session_id": SID, "total_cost_usd": rng.random(), "num_turns": 9,
                       "usage": {"input_tokens": 92, "cache_read_input_tokens": 2048, "output_tokens": 78}})
    return events


def build_log(megabytes: float, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    out, size, seq = [], 0, 0
    while size < target:
        for event in _turn(rng):
            seq += 1
            line = json.dumps({"ts": f"2026-11-24T15:{seq // 60000 % 60:02d}:{seq // 1000 % 60:02d}.{seq % 1000:03d}Z",
                               "stream": "stdout", "chunk": json.dumps(event) + "\n", "seq": seq},
                              separators=(",", ":")).encode() + b"\n"
            out.append(line)
            size += len(line)
    return b"".join(out)


def memory_fetch(data: bytes):
    """Paperclip's /log over bytes in memory: byte-cut pages, decoded on their own."""
    def fetch(offset: int, limit: int):
        piece = data[offset:offset + limit]
        end = offset + len(piece)
        return piece.decode("utf-8", "replace"), (end if end < len(data) else None)
    return fetch


def _line_batches(data: bytes, page: int):
    """The complete record lines of each page: the paging both loops below share, kept
    out of their per-line work so that only parsing is timed per line."""
    fetch = memory_fetch(data)
    offset, carry = 0, ""
    while True:
        content, nxt = fetch(offset, page)
        lines = (carry + content).split("\n")
        carry = lines.pop()
        yield lines
        if nxt is None:
            return
        offset = nxt


def baseline(data: bytes, page: int = 1_048_576) -> None:
    loads = json.loads
    for lines in _line_batches(data, page):
        for line in lines:
            loads(line)


def two_layers(data: bytes, page: int = 1_048_576) -> None:
    """The floor for any converter built on json: every record, and the agent's JSON
    line inside every stdout chunk, each decoded once."""
    loads = json.loads
    for lines in _line_batches(data, page):
        for line in lines:
            loads(loads(line)["chunk"])


def full(data: bytes) -> int:
    fetch, cursor, count = memory_fetch(data), "0", 0
    while True:
        part = read_log(fetch, "claude_local", cursor, eof_flush=True)
        count += len(part.entries)
        cursor = part.cursor
        if part.at_eof:
            return count


def best_of(repeat: int, fn, *args) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=50.0, help="size of the synthetic log in MB (default 50)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept")
    args = ap.parse_args(argv)

    data = build_log(args.mb)
    mb = len(data) / 1_000_000
    entries = full(data)
    t_base = best_of(args.repeat, baseline, data)
    t_full = best_of(args.repeat, full, data)
    t_two = best_of(args.repeat, two_layers, data)
    fetch = memory_fetch(data)
    t_tail = best_of(max(args.repeat, 5), lambda: read_log(fetch, "claude_local", None, size_hint=len(data)))
    tail = read_log(fetch, "claude_local", None, size_hint=len(data))

    records = data.count(b"\n")
    print(f"log: {mb:.1f} MB, {records} records, {entries} entries")
    print(f"baseline (json.loads per record): {mb / t_base:8.1f} MB/s  ({t_base:.2f} s)")
    print(f"full conversion (read_log):       {mb / t_full:8.1f} MB/s  ({t_full:.2f} s)")
    print(f"ratio full/baseline:              {t_base / t_full:8.2f}   (goal >= 0.5)")
    print(f"reference, both JSON layers only: {mb / t_two:8.1f} MB/s  (ratio {t_base / t_two:.2f}: "
          f"stdlib json's ceiling; opsweb uses orjson)")
    print(f"first window (tail 256 KB):       {t_tail * 1000:8.1f} ms  "
          f"({len(tail.entries)} entries, {tail.bytes_fetched} bytes fetched; goal < 150 ms)")


if __name__ == "__main__":
    main()
