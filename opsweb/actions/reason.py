"""The optional reason an operator gives for Stop, Reset, Pause or Resume: one line of
plain text, kept in the audit trail and shown in the panel (always escaped there)."""
from __future__ import annotations

import re
import unicodedata

from opsweb.i18n.said import Said

MAX_CHARS = 300
# Paperclip's POST /api/agents/:id/pause ignores its body (upstream issue, open), so its
# pauseReason says "manual" for every opsweb pause. One sentence, said where the reason
# is typed (the confirm prompt or dialog) and in the agent card.
PAUSE_REASON_NOT_KEPT = Said("Paperclip does not keep a pause's reason (it shows"
                             " \u201cmanual\u201d): the reason is kept in opsweb's audit trail.")
_MARKUP = re.compile(r"<\s*[A-Za-z/!?]")


def parse(value: object) -> str | None:
    """The reason, stripped, or None when absent or blank. Raises ValueError with a
    sentence for the operator (a Said, shown in the page's language): a reason is refused rather than silently cut or cleaned,
    so the trail holds exactly what was typed."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(Said("reason must be a string"))
    text = value.strip()
    if len(text) > MAX_CHARS:
        raise ValueError(Said("reason is too long (%(length)s characters; at most %(limit)s)",
                              length=len(text), limit=MAX_CHARS))
    if any(unicodedata.category(ch) in ("Cc", "Cf") and ch != "\u200d" for ch in text):
        raise ValueError(Said("reason must be one line of text without control characters"))
    if _MARKUP.search(text):
        raise ValueError(Said("reason must be plain text, not markup"))
    return text or None
