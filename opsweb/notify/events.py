"""An event as receivers get it, and its body in each webhook format. Pure.

The document is built once, when the event is published, and stored as the exact
text that is sent: every retry carries the same bytes, so the same signature and the
same event id.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

EVENTS = ("incident.opened", "incident.resolved", "rule.acted", "rule.would_act")
TEXT_CHARS = 1000       # one line a person reads in a chat message
DOCUMENT_CHARS = 64_000  # what one event may weigh, its incident and action included
_BLANKS = re.compile(r"[\s\x00-\x1f\x7f]+")


def one_line(text: str) -> str:
    """Chat receivers show `text` as it is: no line breaks, no control characters."""
    line = _BLANKS.sub(" ", str(text)).strip()
    return line if len(line) <= TEXT_CHARS else line[:TEXT_CHARS - 1] + "…"


def at_text(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")


def document(event_id: str, event: str, at: float, *, incident: dict | None,
             action: dict | None, text: str) -> str:
    """The event as JSON text; ValueError for an unknown event or one too big to send."""
    if event not in EVENTS:
        raise ValueError(f"event must be one of {', '.join(EVENTS)}; got {event[:40]!r}")
    doc = json.dumps({"id": event_id, "event": event, "at": at_text(at), "incident": incident,
                      "action": action, "text": one_line(text)},
                     ensure_ascii=False, separators=(",", ":"), default=str)
    if len(doc) > DOCUMENT_CHARS:
        raise ValueError(f"event {event} is {len(doc)} characters; at most {DOCUMENT_CHARS}")
    return doc


def body(doc: str, fmt: str) -> bytes:
    """What is POSTed: the document itself, or `{"text"}` alone for Slack-style
    incoming webhooks that refuse other fields."""
    if fmt == "slack":
        return json.dumps({"text": json.loads(doc)["text"]}, ensure_ascii=False).encode()
    return doc.encode()
