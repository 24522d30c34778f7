"""The searchable text of a stretch of transcript: the entries of one or more reads as
one UTF-8 buffer, each entry's text followed by a line break, with where each entry
begins in it, its record's byte offset in the log and its kind.

Why one buffer: RE2 scans bytes it is handed without copying them (3 GB/s and more),
while matching Python strings one entry at a time re-encodes each of them first. A
match found in the buffer is checked again in its own entry's text, which is what a
search promises (a regular expression may run across the line break between two
entries; a literal query cannot, it holds no line breaks), and which gives the hit's
position in characters.
"""
from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from opsweb.transcript.cursor import Cursor
from opsweb.transcript.entry import entry_text

_CODEC = ("utf-8", "surrogatepass")   # any str comes back as it went in


@dataclass(frozen=True)
class Segment:
    blob: bytes
    starts: array            # entry i is blob[starts[i]:starts[i + 1] - 1]; one more than entries
    offsets: array           # the byte offset of entry i's record in the log
    kinds: tuple[str, ...]
    reads: tuple[tuple[int, str], ...]   # (first entry, start cursor) of each read in it
    end: str                 # the cursor after its last read
    at_eof: bool

    @classmethod
    def of(cls, read) -> "Segment":
        """One Read of RunLogs.reads: its entries converted once, as the dialog shows them."""
        parts = [entry_text(e).encode(*_CODEC) for e in read.entries]
        starts, at = array("q", [0]), 0
        for part in parts:
            at += len(part) + 1
            starts.append(at)
        blob = b"\n".join(parts) + b"\n" if parts else b""
        return cls(blob, starts, array("q", read.offsets), tuple(e.kind for e in read.entries),
                   ((0, read.start),), read.end, read.at_eof)

    @classmethod
    def join(cls, segments: list["Segment"]) -> "Segment":
        """Consecutive segments as one (a whole finished log, kept to be searched again)."""
        blob = b"".join(s.blob[s.starts[0]:s.starts[-1]] for s in segments)
        starts, offsets, kinds, reads = array("q", [0]), array("q"), [], []
        for s in segments:
            base, first = starts[-1] - s.starts[0], len(offsets)
            starts.extend(x + base for x in s.starts[1:])
            offsets.extend(s.offsets)
            kinds.extend(s.kinds)
            reads.extend((i + first, cursor) for i, cursor in s.reads)
        return cls(blob, starts, offsets, tuple(kinds), tuple(reads), segments[-1].end,
                   segments[-1].at_eof)

    def from_read(self, index: int) -> "Segment":
        """This segment from its `index`th read on, sharing the buffer."""
        if index == 0:
            return self
        first = self.reads[index][0]
        return Segment(self.blob, self.starts[first:], self.offsets[first:], self.kinds[first:],
                       tuple((i - first, c) for i, c in self.reads[index:]), self.end, self.at_eof)

    def __len__(self) -> int:
        return len(self.offsets)

    @property
    def start(self) -> str:
        return self.reads[0][1]

    @property
    def start_offset(self) -> int:
        return Cursor.parse(self.start).offset

    @property
    def end_offset(self) -> int:
        return Cursor.parse(self.end).offset

    @property
    def size(self) -> int:
        """Bytes it holds (its buffer and tables), for a store's budget."""
        return len(self.blob) + 24 * len(self.offsets) + 64 * len(self.reads)

    def text(self, i: int) -> str:
        return self.blob[self.starts[i]:self.starts[i + 1] - 1].decode(*_CODEC)

    def below(self, until: int) -> int:
        """How many entries come from records before byte `until`."""
        return bisect_left(self.offsets, until)

    def cursor_after(self, i: int) -> str:
        """A search cursor that goes on after entry i: its read's start and the entries of
        that read already searched."""
        first, cursor = self.reads[bisect_right(self.reads, (i, "\uffff")) - 1]
        return f"{cursor}_{i - first + 1}"

    def find(self, pattern, per_entry: bool, lo: int, hi: int):
        """The first entry in [lo, hi) whose text `pattern` matches, and that match (in
        the entry's text), or (None, None)."""
        while lo < hi:
            if per_entry:
                i = lo
            else:
                found = pattern.search(self.blob, self.starts[lo], self.starts[hi])
                if found is None:
                    return None, None
                i = bisect_right(self.starts, found.start(), lo, hi) - 1
            hit = pattern.search(self.text(i))
            if hit is not None:
                return i, hit
            lo = i + 1
        return None, None
