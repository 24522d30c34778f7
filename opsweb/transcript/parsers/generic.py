"""Adapters without a dedicated parser: plain text stays text, JSON is pretty-printed
so that an unknown agent's structured output is still readable."""
from __future__ import annotations

import json

from opsweb.transcript.parsers._util import StatelessParser, stdout
from opsweb.transcript.entry import Entry, entry


class GenericParser(StatelessParser):
    def parse(self, line: str, ts: str) -> list[Entry]:
        if line[0] not in "{[":
            return stdout(line, ts)
        try:
            value = json.loads(line)
        except ValueError:
            return stdout(line, ts)
        return [entry("stdout", ts, json.dumps(value, ensure_ascii=False, indent=2))]
