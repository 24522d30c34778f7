"""Search inside transcripts, server-side: a run's log read from the start, converted
exactly as the dialog and log.txt convert it (RunLogs.reads), each entry's plain text
matched (in Segments, search_text.py: fresh from the log, or kept by search_store.py); the matches come with a line of context on each side and the byte offset of
their record, which opens the dialog there (`log?at=`).

The engine is RE2 (google-re2): it runs in time linear in the text whatever the
pattern, so a hostile regular expression cannot stall a worker. Literal queries run
through it too (its `literal` option), so that both modes fold case the same way and
report positions in the same characters. Case never matters (a regex may say (?-i));
other scripts match as typed, without normalisation.

Bounds: at most MAX_MATCHES per answer, then a cursor to search further from; a total
deadline per search (SEARCH_SECONDS), checked between segments; what the log held when the
search began (`until`), so that a live run's search ends. Paging is the download's
(RunLogs.bounded), so a server ignoring `offset` is stopped the same way.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Callable

import re2

from opsweb.transcript.cursor import Cursor

MAX_QUERY = 200
MAX_MATCHES = 200
SEARCH_SECONDS = 20.0
CONTEXT_CHARS = 200   # the line shown before and after a match, at most
TEXT_CHARS = 600      # a longer entry is shown clipped around its first hit
HITS_SHOWN = 50       # highlighted hits per match
_FROM = re.compile(r"(.{1,60})_([0-9]{1,9})")
# What a regular expression may say that means something else in a buffer of many
# entries than in one entry's text: the text's ends (\A, \z) and flags turned off
# (such as (?-m), which makes ^ and $ the ends): such a pattern is tried entry by entry.
_WHOLE_TEXT = re.compile(r"\\[Az]|\(\?[a-zA-Z]*-")


def _options(literal: bool) -> re2.Options:
    options = re2.Options()
    options.literal = literal
    options.case_sensitive = False
    options.log_errors = False   # the message goes to the operator, not to stderr
    return options


@dataclass(frozen=True)
class Query:
    text: str
    regex: bool
    pattern: object = field(compare=False, repr=False)
    per_entry: bool = False   # not searched in a segment's buffer at once (see _WHOLE_TEXT)

    @classmethod
    def parse(cls, text: str | None, regex: bool) -> "Query":
        """Raises ValueError with a sentence for the operator (the engine's own words
        for an invalid regular expression)."""
        if not text:
            raise ValueError("q is empty: give the text to search for")
        if len(text) > MAX_QUERY:
            raise ValueError(f"q is too long ({len(text)} characters; at most {MAX_QUERY})")
        if not text.isprintable():
            raise ValueError("q holds control characters")
        try:
            re2.compile(text, _options(not regex))
            # ^ and $ at each line of an entry, not only at the ends of a batch
            pattern = re2.compile("(?m)" + text if regex else text, _options(not regex))
        except re2.error as err:
            message = err.args[0] if err.args else err
            if isinstance(message, bytes):
                message = message.decode("utf-8", "replace")
            raise ValueError(f"invalid regular expression: {message}") from None
        return cls(text, regex, pattern, regex and _WHOLE_TEXT.search(text) is not None)


@dataclass
class Match:
    offset: int            # the byte offset of the entry's record: log?at= opens there
    line: int              # entries of that record before this one (a record holds several)
    next_offset: int | None  # where the next record begins (or the end searched to)
    kind: str
    text: str              # the entry's text, clipped around its first hit when long
    before: str = ""
    after: str = ""
    hits: tuple[tuple[int, int], ...] = ()   # character spans of `text` to highlight

    def to_json(self) -> dict:
        return {"offset": self.offset, "line": self.line, "nextOffset": self.next_offset,
                "kind": self.kind,
                "text": self.text, "before": self.before, "after": self.after,
                "hits": [list(h) for h in self.hits]}

    def parts(self) -> list[tuple[str, bool]]:
        """The text as (piece, is_hit) pieces: the template escapes each piece and
        marks the hits, so agent output is never markup."""
        out, at = [], 0
        for start, end in self.hits:
            out += [(self.text[at:start], False), (self.text[start:end], True)]
            at = end
        return [p for p in out + [(self.text[at:], False)] if p[0]]


@dataclass
class Found:
    query: Query
    matches: list[Match]
    truncated: bool          # more may follow: `cursor` searches further
    cursor: str | None
    scanned_bytes: int
    total_bytes: int
    stopped: str             # end, matches, deadline, early

    def to_json(self) -> dict:
        return {"query": self.query.text, "mode": "regex" if self.query.regex else "text",
                "matches": [m.to_json() for m in self.matches], "truncated": self.truncated,
                "cursor": self.cursor, "stopped": self.stopped,
                "scannedBytes": self.scanned_bytes, "totalBytes": self.total_bytes}


def parse_from(value: str) -> tuple[str, int]:
    """A `cursor` of an earlier answer: <log cursor>_<entries of that read to skip>."""
    found = _FROM.fullmatch(value) if isinstance(value, str) else None
    if not found:
        raise ValueError(f"invalid search cursor {value[:80]!r}: expected the cursor of an"
                         " earlier answer")
    Cursor.parse(found.group(1))
    return found.group(1), int(found.group(2))


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0][:CONTEXT_CHARS]


def _last_line(text: str) -> str:
    return text.rstrip("\n").rsplit("\n", 1)[-1][-CONTEXT_CHARS:]


def _clip(query: Query, text: str, start: int, end: int) -> tuple[str, tuple]:
    """The entry's text around its first hit [start, end), with the hits in it (found in
    the whole text, so that a hit longer than the window is still marked, cut)."""
    lo, hi = 0, len(text)
    if hi > TEXT_CHARS:
        room = max(0, (TEXT_CHARS - (end - start)) // 2)
        lo = max(0, start - room)
        hi = min(hi, max(end, start) + room, lo + TEXT_CHARS)
    lead = "…" if lo else ""
    hits = []
    for m in query.pattern.finditer(text, start):
        if m.start() >= hi or len(hits) == HITS_SHOWN:
            break
        if m.end() > m.start():
            hits.append((m.start() - lo + len(lead), min(m.end(), hi) - lo + len(lead)))
    return lead + text[lo:hi] + ("…" if hi < len(text) else ""), tuple(hits)


def scan(segments, query: Query, until: int, *, skip: int = 0, limit: int = MAX_MATCHES,
         seconds: float = SEARCH_SECONDS, early: bool = False,
         clock: Callable[[], float] = time.monotonic) -> Found:
    """Search the Segments of a transcript (search_text.Segment, from RunLogs.reads or a
    store) for `query`, up to byte `until`. skip: entries of the first segment already
    searched (a cursor's). early: answer after the first segment that found something (a
    page shows it at once and asks for more)."""
    deadline = clock() + seconds
    matches: list[Match] = []
    previous = None                # the segment before, for the context of a first entry
    open_after: Match | None = None    # waits for the next segment's first entry
    open_next: list[Match] = []        # wait for a later record's offset
    first = None
    stopped, cursor, read_end = "end", None, until
    for seg in segments:
        start = seg.start_offset
        first = start if first is None else first
        if start >= until:
            break
        n = seg.below(until)
        if n and open_after is not None:
            open_after.after, open_after = _first_line(seg.text(0)), None
        if n and open_next:
            nxt = _next_offset(seg, -1, open_next[-1].offset, n)
            for m in open_next:
                m.next_offset = nxt
            open_next = [] if nxt is not None else open_next
        i = skip
        while len(matches) < limit:
            i, hit = seg.find(query.pattern, query.per_entry, i, n)
            if i is None:
                break
            text = seg.text(i)
            shown, hits = _clip(query, text, hit.start(), hit.end())
            before = seg.text(i - 1) if i else (previous.text(len(previous) - 1) if previous else "")
            match = Match(seg.offsets[i], _line(seg, i, previous), None, seg.kinds[i], shown,
                          _last_line(before), hits=hits)
            matches.append(match)
            if i + 1 < len(seg):
                match.after = _first_line(seg.text(i + 1))
            else:
                open_after = match
            match.next_offset = _next_offset(seg, i, match.offset, len(seg) if len(matches)
                                             == limit else n)
            if match.next_offset is None:
                open_next.append(match)
            i += 1
        skip = 0
        previous = seg if len(seg) else previous
        read_end = min(seg.end_offset, until)
        if len(matches) >= limit:
            stopped, cursor = "matches", seg.cursor_after(i - 1)
            break
        if seg.at_eof:
            until = min(until, read_end)  # the size found beforehand is an upper bound
            break
        if clock() > deadline or (early and matches):
            stopped, cursor = ("early" if early and matches else "deadline"), f"{seg.end}_0"
            break
    reached = until if stopped == "end" else read_end
    for m in matches:
        m.next_offset = reached if m.next_offset is None else m.next_offset
    if stopped == "matches":
        reached = matches[-1].next_offset
    return Found(query, matches, stopped != "end", cursor, max(0, reached - (first or 0)),
                 until, stopped)


def _next_offset(seg, i: int, offset: int, hi: int) -> int | None:
    """Where the next record after `offset` begins, among entries (i, hi) of seg."""
    for j in range(i + 1, hi):
        if seg.offsets[j] > offset:
            return seg.offsets[j]
    return None


def _line(seg, i: int, previous) -> int:
    """Entries of the same record before entry i (a record holds several), counting those
    that ended the segment before."""
    offset, j = seg.offsets[i], i
    while j and seg.offsets[j - 1] == offset:
        j -= 1
    if j == 0 and previous is not None:
        k = len(previous)
        while k and previous.offsets[k - 1] == offset:
            k -= 1
        return i + len(previous) - k
    return i - j
