"""Big fleets at a glance: an agent with many live runs reads as one row.

Paperclip runs an agent's heartbeats one (or a few) at a time and queues the rest, so
a busy fleet is mostly queues. An agent with GROUP_AT or more live runs becomes one
`AgentRuns` row at the place of its most urgent run, which keeps what needs attention
first; the panel filtered to that agent lists every run (that is how a group expands).
"""
from __future__ import annotations

from dataclasses import dataclass

from opsweb.fleet import Row

GROUP_AT = 4


@dataclass(frozen=True)
class AgentRuns:
    runs: tuple[Row, ...]  # attention order: runs[0] is the most urgent

    @property
    def lead(self) -> Row:
        return self.runs[0]

    @property
    def running(self) -> int:
        return sum(r.status == "running" for r in self.runs)

    @property
    def waiting(self) -> int:
        return len(self.runs) - self.running


def items(rows: list[Row], group: bool = True) -> list[Row | AgentRuns]:
    """`rows` in attention order, an agent's many runs folded into one item."""
    if not group:
        return list(rows)
    by_agent: dict[str, list[Row]] = {}
    for r in rows:
        by_agent.setdefault(r.agent_id, []).append(r)
    out, placed = [], set()
    for r in rows:
        runs = by_agent[r.agent_id]
        if len(runs) < GROUP_AT:
            out.append(r)
        elif r.agent_id not in placed:
            placed.add(r.agent_id)
            out.append(AgentRuns(tuple(runs)))
    return out
