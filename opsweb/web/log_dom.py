"""How much of a followed log the dialog keeps in the page. Following a burst of
megabytes must not leave hundreds of thousands of elements behind: opsweb.js drops the
oldest entries past these bounds (whole records, from the top) and offers "Load
earlier output" to bring them back.

`OPSWEB_LOG_DOM_ENTRIES` (validated at start with the other settings) sets the entry
bound; the text bound is fixed at about 1 MB, which a few very long entries can reach
first.
"""
from __future__ import annotations

from typing import Mapping

MAX_TEXT_CHARS = 1_000_000


def log_dom_bounds(config: Mapping) -> dict[str, int]:
    return {"entries": int(config["OPSWEB_LOG_DOM_ENTRIES"]), "chars": MAX_TEXT_CHARS}
