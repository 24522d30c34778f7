"""Paperclip run-log records in, readable transcript entries out. No I/O.

The pipeline is Paperclip's own buildTranscript (docs/paperclip-notes.md, "Run logs"): stderr and
system chunks become one entry each, as they came; stdout chunks are arbitrary slices of
the agent's output, so they are buffered into lines and each line goes to the parser of
the run's adapter type. Streamed fragments are joined.

What this adds for a stateless, polled panel: the builder knows the byte offset of
every record it is fed, so the reader can describe "where the unfinished stdout line
started" as a cursor and resume there on the next poll without showing anything twice.
"""
from __future__ import annotations

import json
import re
from dataclasses import replace

from orjson import loads as _fast_loads

from opsweb.transcript import ansi
from opsweb.transcript.parsers import STATE_LETTERS, parser_for
from opsweb.transcript.entry import Entry, append_entry, entry

__all__ = ["TranscriptBuilder", "convert_log", "STATE_ALPHABET", "PENDING_FLUSH_BYTES"]

# A stdout line still unfinished after this many bytes of log is shown as it stands:
# it bounds what a poll re-reads while the line is open. Measured in log bytes, which
# makes the rule the same however the log is paged.
PENDING_FLUSH_BYTES = 262_144

# Kinds whose text is terminal output, where colours mean something.
_SPAN_KINDS = frozenset({"stdout", "stderr", "system", "tool_result", "unparsed"})
_OTHER_TEXT = ("input", "name", "tool_use_id", "model", "session_id", "subtype")
_OPEN_DELTA = {"assistant": "a", "thinking": "h"}
_DELTA_OF = {"a": "assistant", "h": "thinking"}
STATE_ALPHABET = "ah" + STATE_LETTERS

_loads = json.loads
_scan = json.decoder.scanstring
_dirty = ansi.dirty

# The fast path is orjson (several times faster than json). What it refuses (lone
# surrogates, NaN) or reads oddly falls back to this regex for the record shape
# Paperclip writes, {"ts":…,"stream":…,"chunk":…,"seq":N} in that order (the chunk
# read with json's own C string scanner), and then to json.loads.
_HEAD = re.compile(r'\{"ts":"([0-9T:.Z+-]*)","stream":"(stdout|stderr|system)","chunk":"')


def _record(line: str):
    """(ts, stream, chunk, seq) of one log record, or None when it is not one."""
    try:
        record = _fast_loads(line)
    except ValueError:
        record = None
    if type(record) is dict:
        ts, stream, chunk, seq = (record.get("ts"), record.get("stream"),
                                  record.get("chunk"), record.get("seq"))
        # a timestamp with no control characters needs no cleaning (it is escaped
        # on display like everything else)
        if type(ts) is str and type(chunk) is str and ts.isprintable():
            return ts, stream, chunk, seq if type(seq) is int else None
    m = _HEAD.match(line)
    if m:
        try:
            chunk, end = _scan(line, m.end())
        except ValueError:
            return None
        rest = line[end:]
        if rest == "}":
            return m.group(1), m.group(2), chunk, None
        digits = rest[7:-1]
        if rest.startswith(',"seq":') and rest[-1] == "}" and digits.isdigit() and digits.isascii():
            return m.group(1), m.group(2), chunk, int(digits)
    try:
        record = _loads(line)
    except ValueError:
        return None
    chunk = record.get("chunk") if type(record) is dict else None
    if type(chunk) is not str:
        return None
    ts, seq = record.get("ts"), record.get("seq")
    ts = ansi.clean(ts) if type(ts) is str else ""  # the regex only admits ISO timestamps
    return ts, record.get("stream"), chunk, seq if type(seq) is int else None


def _tidy(fields: dict) -> None:
    """Make the text fields of a fresh entry safe to show, in place (the entry is not
    shared yet; `fields` is its __dict__, which holds only the fields that were set)."""
    text = fields["text"]
    if text and not text.isprintable() and _dirty(text):
        if fields["kind"] in _SPAN_KINDS:
            fields["text"], fields["spans"] = ansi.render(text)
        else:
            fields["text"] = ansi.clean(text)
    if len(fields) > 3:
        for key in _OTHER_TEXT:
            value = fields.get(key)
            if value and not value.isprintable() and _dirty(value):
                fields[key] = ansi.clean(value)
        if fields.get("errors"):
            fields["errors"] = tuple(map(ansi.clean, fields["errors"]))


class TranscriptBuilder:
    """Feed complete NDJSON records (with their byte offsets) in log order; read
    `entries`. `state`, `resume_at` and `shown_until` come from a log cursor: they
    restore the parser, re-buffer an unfinished stdout line from the record where it
    started, and mute records whose entries an earlier poll already returned."""

    def __init__(self, adapter_type: str | None, state: str = "", *,
                 resume_at: tuple[int, int] | None = None, shown_until: int = 0) -> None:
        self.parser = parser_for(adapter_type, state)
        self._parse = self.parser.parse
        self.entries: list[Entry] = []
        # offsets[i]: the byte offset of the record entries[i] began in, so that a page
        # that dropped older entries can ask for the output before exactly that record
        self.offsets: list[int] = []
        self._open = next((_DELTA_OF[c] for c in state if c in _DELTA_OF), None)
        self._resume = resume_at
        self._shown_until = shown_until
        self._buf = ""
        self.pending: tuple[int, int] | None = None  # (record offset, chars of its chunk consumed)
        self._tool_names: dict[str, str] = {}
        self._calls: dict[str, int] = {}  # tool_use_id → index in entries of its call
        self._ts = ""
        self.end: int | None = None  # offset just past the last record fed

    def state(self) -> str:
        last = self.entries[-1] if self.entries else None
        open_delta = (last.kind if last.delta else None) if last else self._open
        return (_OPEN_DELTA.get(open_delta, "") if open_delta else "") + self.parser.state()

    def feed(self, offset: int, line: str, end: int) -> None:
        """One NDJSON record (without its newline) found at byte `offset`; `end` is the
        offset just past its newline."""
        self.end = end
        record = _record(line)
        if record is not None and record[1] == "stdout" and not self._buf and self._resume is None:
            # The usual record: one whole stdout line (an agent's JSON event).
            chunk = record[2]
            if chunk.find("\n") == len(chunk) - 1:
                self._ts = record[0]
                self.pending = None
                text = chunk.strip()
                if text:
                    self._line(text, record[0], record[3], offset)
                return
        if record is None:
            if line.strip():
                self._emit(entry("unparsed", "", line, is_error=True,
                                 errors=("not a Paperclip log record",)), None, offset)
            return
        ts, stream, chunk, seq = record
        self._ts = ts
        if stream == "stderr" or stream == "system":
            if chunk:
                self._emit(entry(stream, ts, chunk), seq, offset)
        else:
            self._stdout(offset, chunk, ts, seq)
        if self._buf and end - self.pending[0] > PENDING_FLUSH_BYTES:
            self.flush()

    def _stdout(self, offset: int, chunk: str, ts: str, seq) -> None:
        base = 0
        if self._resume is not None and self._resume[0] == offset:
            base = self._resume[1]
            chunk = chunk[base:]
            self._resume = None
        cut = chunk.rfind("\n")
        if cut < 0:
            if chunk:
                if not self._buf:
                    self.pending = (offset, base)
                self._buf += chunk
            return
        text = self._buf + chunk[:cut] if self._buf else chunk[:cut]
        self._buf = rest = chunk[cut + 1:]
        self.pending = (offset, base + cut + 1) if rest else None
        if "\n" in text:
            for part in text.split("\n"):
                part = part.strip()
                if part:
                    self._line(part, ts, seq, offset)
        else:
            text = text.strip()
            if text:
                self._line(text, ts, seq, offset)

    def flush(self) -> None:
        """Show an unfinished stdout line as it stands (end of log, or too long)."""
        text, self._buf = self._buf.strip(), ""
        offset = self.pending[0] if self.pending else 0
        self.pending = None
        if text:
            self._line(text, self._ts, None, max(offset, self._shown_until))

    def _line(self, line: str, ts: str, seq, offset: int) -> None:
        if line.startswith("[paperclip"):
            # Paperclip's own notes, including "[paperclip truncated run log chunk: ...]".
            entries = [entry("system", ts, line)]
        else:
            try:
                entries = self._parse(line, ts)
            except Exception as err:  # a parser bug must cost one line, not the transcript
                entries = [entry("unparsed", ts, line, is_error=True,
                                 errors=(f"parser error: {type(err).__name__}: {err}",))]
        for e in entries:
            self._emit(e, seq, offset)

    def _emit(self, e: Entry, seq, offset: int) -> None:
        fields = e.__dict__
        kind = fields["kind"]
        if kind == "tool_call" or kind == "tool_result":
            self._pair(fields, kind)
        if offset < self._shown_until:
            return
        _tidy(fields)
        if seq is not None:
            fields["seq"] = seq
        if fields.get("delta"):
            if not self.entries and kind == self._open:
                fields["continues"] = True
            before = len(self.entries)
            append_entry(self.entries, e)
            if len(self.entries) > before:
                self.offsets.append(offset)
        else:
            if kind == "tool_call" and fields.get("tool_use_id"):
                self._calls[fields["tool_use_id"]] = len(self.entries)
            self.entries.append(e)
            self.offsets.append(offset)

    def _pair(self, fields: dict, kind: str) -> None:
        # A call is running until its result (matched by tool_use_id) arrives, as on
        # Paperclip's tool card; a result is named after its call. Both only when the
        # call was in this read: a later poll's result carries the state it gives.
        tool_id = fields.get("tool_use_id")
        if kind == "tool_call":
            fields["call_state"] = "running"
            if tool_id:
                self._tool_names[tool_id] = fields.get("name")
            return
        state = fields["call_state"] = "errored" if fields.get("is_error") else "completed"
        if fields.get("name") is None and tool_id in self._tool_names:
            fields["name"] = self._tool_names[tool_id]
        at = self._calls.pop(tool_id, None)
        if at is not None:
            self.entries[at] = replace(self.entries[at], call_state=state)


def iter_records(data: bytes | str):
    """(offset, line, end) for every complete line of an NDJSON log, plus the
    unfinished last line (if any) as a final (offset, line, None)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    offset = 0
    for raw in data.split(b"\n")[:-1]:
        end = offset + len(raw) + 1
        yield offset, raw.decode("utf-8", "replace"), end
        offset = end
    if offset < len(data):
        yield offset, data[offset:].decode("utf-8", "replace"), None


def convert_log(data: bytes | str, adapter_type: str | None, *, eof_flush: bool = True) -> list[Entry]:
    """A whole NDJSON run log (as stored by Paperclip) to entries in one go. With
    eof_flush, a final unfinished line or record is shown too (the run is over)."""
    builder = TranscriptBuilder(adapter_type)
    for offset, line, end in iter_records(data):
        if end is None:
            if not eof_flush:
                break
            end = offset + len(line.encode("utf-8"))
        builder.feed(offset, line, end)
    if eof_flush:
        builder.flush()
    return builder.entries
