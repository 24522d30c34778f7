"""How much of a followed log the dialog keeps in the page. Following a burst of
megabytes must not leave hundreds of thousands of elements behind: opsweb.js drops the
oldest entries past these bounds (whole records, from the top) and offers "Load
earlier output" to bring them back.

`OPSWEB_LOG_DOM_ENTRIES` (app config, else the environment) sets the entry bound; the
text bound is fixed at about 1 MB, which a few very long entries can reach first.
"""
from __future__ import annotations

import logging
import os
from typing import Mapping

KEY = "OPSWEB_LOG_DOM_ENTRIES"
DEFAULT_ENTRIES = 5000
MAX_TEXT_CHARS = 1_000_000

_log = logging.getLogger(__name__)


def log_dom_bounds(config: Mapping) -> dict[str, int]:
    raw = config.get(KEY)
    raw = os.environ.get(KEY, "") if raw in (None, "") else raw
    entries = DEFAULT_ENTRIES
    if raw not in (None, ""):
        text = str(raw)
        if text.isascii() and text.isdigit() and 10 <= int(text) <= 1_000_000:
            entries = int(text)
        else:
            _log.warning("%s=%r is not a whole number from 10 to 1000000; using %d",
                         KEY, raw, DEFAULT_ENTRIES)
    return {"entries": entries, "chars": MAX_TEXT_CHARS}
