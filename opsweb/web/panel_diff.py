"""Changed rows only: what a viewer needs to turn the panel it shows into the new one.

The panel template marks its swappable pieces with comment marks (never in the sent
HTML): ROW around each table row, PART around an element that is swapped alone by its
id (the count, the poller that carries the version, the recent actions), VIEWER
around what differs from one viewer to the next (who is signed in), which is neither
diffed nor part of the frame. Everything else is the frame.

Against the snapshot of the version the viewer sent back, `plan` writes htmx
out-of-band swaps: changed parts and rows replaced by id, removed rows deleted, new
rows inserted after their predecessor. Rows whose order changed are deleted and
inserted again (the longest run that kept its order stays put). When the frame
changed, the version is unknown, or the update would not be smaller than the
fragment, `plan` answers None: send the whole fragment. Pure: no Flask, no I/O.
"""
from __future__ import annotations

import re
import secrets
import threading
from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass

# A per-process nonce: agent text is HTML-escaped, so it can never forge a mark.
_NONCE = secrets.token_hex(6)
ROW = f"<!--ow-row-{_NONCE}-->"
PART = f"<!--ow-part-{_NONCE}-->"
VIEWER = f"<!--ow-viewer-{_NONCE}-->"
_MARKS = re.compile("(" + "|".join(re.escape(m) for m in (ROW, PART, VIEWER)) + ")")
_FIRST_TAG = re.compile(r'^(\s*<[a-zA-Z][a-zA-Z0-9]*)\b([^>]*?)\sid="([^"]+)"')


@dataclass(frozen=True)
class Snapshot:
    """What is kept of a version: digests, not HTML (per process, so `hash` will do)."""
    frame: int
    parts: dict[str, int]
    rows: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Rendered:
    html: str                    # the fragment as sent, marks removed
    frame: int
    parts: dict[str, str]        # id -> element
    rows: list[tuple[str, str]]  # (id, row) in table order

    def snapshot(self) -> Snapshot:
        return Snapshot(self.frame, {k: hash(v) for k, v in self.parts.items()},
                        tuple((k, hash(v)) for k, v in self.rows))


def element_id(html: str) -> str:
    found = _FIRST_TAG.match(html)
    if not found:
        raise ValueError(f"a marked piece of the panel has no id: {html[:80]!r}")
    return found.group(3)


def split(marked: str, ignore: tuple[str, ...] = ()) -> Rendered:
    """The fragment without its marks, and its pieces. `ignore`: per-viewer strings
    in the frame (the session's CSRF token) that must not make it differ."""
    sent, frame, parts, rows = [], [], {}, []
    inside = None
    for i, piece in enumerate(_MARKS.split(marked)):
        if i % 2:  # a mark: opens, or closes the one that is open
            inside = None if inside == piece else piece
            continue
        sent.append(piece)
        if inside == ROW:
            rows.append((element_id(piece), piece))
        elif inside == PART:
            parts[element_id(piece)] = piece
        elif inside is None:
            frame.append(piece)
    frame_text = "".join(frame)
    for text in ignore:
        frame_text = frame_text.replace(text, "")
    return Rendered("".join(sent), hash(frame_text), parts, rows)


def _oob(html: str, how: str = "true") -> str:
    return _FIRST_TAG.sub(rf'\1 hx-swap-oob="{how}"\2 id="\3"', html, count=1)


def _in_template(html: str) -> str:
    """A table row cannot stand beside a <span> in HTML: parsed at the top of an answer
    it would lose its tags. Inside its own <template> it parses as a row; htmx 2 swaps
    out-of-band elements from templates."""
    return f"<template>{html}</template>"


def _staying(old_positions: list[int]) -> set[int]:
    """The longest increasing run of old positions (in new order): those rows keep
    their place; every other kept row moves."""
    tails, tail_at, before = [], [], [-1] * len(old_positions)
    for i, pos in enumerate(old_positions):
        j = bisect_left(tails, pos)
        if j == len(tails):
            tails.append(pos)
            tail_at.append(i)
        else:
            tails[j], tail_at[j] = pos, i
        before[i] = tail_at[j - 1] if j else -1
    keep, i = set(), tail_at[-1] if tail_at else -1
    while i >= 0:
        keep.add(old_positions[i])
        i = before[i]
    return keep


def plan(old: Snapshot, new: Rendered, rows_id: str) -> str | None:
    """Out-of-band swaps that turn `old` into `new` (rows live in `#rows_id`), or
    None when only the whole fragment will do."""
    if old.frame != new.frame or old.parts.keys() != new.parts.keys():
        return None
    new_ids = [k for k, _ in new.rows]
    if len(set(new_ids)) != len(new_ids):
        return None
    old_hash = dict(old.rows)
    old_pos = {k: i for i, (k, _) in enumerate(old.rows)}
    staying = _staying([old_pos[k] for k in new_ids if k in old_pos])
    out = [_oob(html) for k, html in new.parts.items() if hash(html) != old.parts[k]]
    out += [_in_template(f'<tr id="{k}" hx-swap-oob="delete"></tr>')
            for i, (k, _) in enumerate(old.rows) if i not in staying]
    after = None
    for k, html in new.rows:
        if old_pos.get(k) in staying:
            if hash(html) != old_hash[k]:
                out.append(_in_template(_oob(html)))
        else:
            where = f"afterend:#{after}" if after else f"afterbegin:#{rows_id}"
            out.append(_in_template(f'<tbody hx-swap-oob="{where}">{html}</tbody>'))
        after = k
    body = "".join(out)
    return body if len(body) < len(new.html) else None


class Versions:
    """The snapshots of the last few versions rendered, by version (bounded: a viewer
    further behind gets the whole fragment)."""

    def __init__(self, size: int = 64):
        self.size = size
        self._kept: OrderedDict[str, Snapshot] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, version: str, rendered: Rendered) -> None:
        snap = rendered.snapshot()
        with self._lock:
            self._kept[version] = snap
            self._kept.move_to_end(version)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def get(self, version: str) -> Snapshot | None:
        with self._lock:
            return self._kept.get(version)
