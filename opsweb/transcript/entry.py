"""One readable transcript entry, its JSON twin, its plain-text form, and the rule that
joins streamed fragments.

The kinds follow Paperclip's own TranscriptEntry (docs/paperclip-notes.md, "Run logs"), plus
`unparsed`: a line no parser could read, kept visible with its raw text.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

from opsweb.runtime.jsonstyle import camel


@dataclass(frozen=True)
class Entry:
    kind: str
    ts: str
    text: str = ""
    name: str | None = None          # tool name (tool_call, and tool_result when its call is known)
    tool_use_id: str | None = None
    input: str | None = None         # tool input as pretty-printed JSON
    is_error: bool = False
    model: str | None = None
    session_id: str | None = None
    subtype: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cached_tokens: int | None = None
    cost_usd: float | None = None
    errors: tuple[str, ...] = ()
    seq: int | None = None           # the envelope's seq: where in the run this came from
    delta: bool = False              # a streamed fragment; consecutive ones are joined
    continues: bool = False          # first fragment of a read that extends the previous read's last entry
    spans: tuple[tuple[str, str], ...] | None = None  # (text, css_class) when the text had colours
    # tool_call: running, completed or errored (its result seen in the same read);
    # tool_result: the state it gives its call, which the page may hold from a poll before
    call_state: str | None = None

    def to_json(self) -> dict:
        """Plain data for the JSON twin: kind, ts, text always; other fields when set."""
        out: dict = {"kind": self.kind, "ts": self.ts, "text": self.text}
        for f in fields(self)[3:]:
            value = getattr(self, f.name)
            if value is None or value is False or value == ():
                continue
            out[camel(f.name)] = [list(s) for s in value] if f.name == "spans" else (
                list(value) if f.name == "errors" else value)
        return out


_new = object.__new__


def entry(kind: str, ts: str, text: str = "", **fields) -> Entry:
    """Entry(kind, ts, text, **fields), about eight times cheaper. A frozen dataclass's
    __init__ sets all 19 fields one by one through object.__setattr__; here only the
    fields that differ from the class defaults are stored. Parsers make one or more
    entries per log line, so this is most of the cost of building a transcript."""
    e = _new(Entry)
    d = e.__dict__
    d["kind"] = kind
    d["ts"] = ts
    d["text"] = text
    if fields:
        d.update(fields)
    return e


def append_entry(entries: list[Entry], entry: Entry) -> None:
    """Append, joining a streamed fragment onto the previous one of the same kind, as
    Paperclip's appendTranscriptEntry does (text concatenated, latest ts kept)."""
    if entry.delta and entries:
        last = entries[-1]
        if last.delta and last.kind == entry.kind:
            entries[-1] = replace(last, text=last.text + entry.text, ts=entry.ts)
            return
    entries.append(entry)


def extend_transcript(entries: list[Entry], more) -> list[Entry]:
    """Join the entries of a later read onto an earlier one (in place, returned)."""
    for entry in more:
        append_entry(entries, replace(entry, continues=False) if entry.continues else entry)
    return entries


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" if line and n else line for n, line in enumerate(text.split("\n")))


def _usage(e: Entry) -> str:
    parts = [f"in {e.input_tokens or 0} / out {e.output_tokens or 0}"]
    if e.cached_tokens:
        parts.append(f"cached {e.cached_tokens}")
    if e.cost_usd:
        parts.append(f"${e.cost_usd:.4f}")
    return " · ".join(parts)


def entry_text(e: Entry) -> str:
    """One entry as readable plain text: a [tag], then the body; later lines indented."""
    if e.kind == "tool_call":
        return f"[tool {e.name or '?'}] {_indent(e.input or '{}')}"
    if e.kind == "tool_result":
        tag = "tool error" if e.is_error else "tool result"
        return f"[{tag}{' ' + e.name if e.name else ''}] {_indent(e.text)}"
    if e.kind == "init":
        session = f" · session {e.session_id}" if e.session_id else ""
        return f"[init] model {e.model or '?'}{session}"
    if e.kind == "result":
        head = f"[result] {'error' if e.is_error else 'ok'} · {_usage(e)}"
        body = "\n".join(x for x in (e.text, *e.errors) if x)
        return f"{head}\n  {_indent(body)}" if body else head
    return f"[{e.kind}] {_indent(e.text.rstrip(chr(10)))}"


def transcript_text(entries) -> str:
    """The whole transcript as plain text (for ?format=text), one entry per block."""
    return "".join(entry_text(e) + "\n" for e in entries)
