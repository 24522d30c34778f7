"""Big fleets at a glance: an agent with many live runs reads as one row, and so does
a company the operator folded.

Paperclip runs an agent's heartbeats one (or a few) at a time and queues the rest, so
a busy fleet is mostly queues. An agent with GROUP_AT or more live runs becomes one
`AgentRuns` row at the place of its most urgent run, which keeps what needs attention
first; the panel filtered to that agent lists every run (that is how a group expands).
A folded company (the `collapsed` filter) becomes one `CompanyRuns` row the same way:
at its most urgent run's place.
"""
from __future__ import annotations

from dataclasses import dataclass

from opsweb.fleet.live import Row

GROUP_AT = 4


@dataclass(frozen=True)
class Runs:
    """Several live runs shown as one row."""
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


class AgentRuns(Runs):
    """An agent's many runs."""
    kind = "agent"


class CompanyRuns(Runs):
    """Every run of a folded company."""
    kind = "company"

    @property
    def agents(self) -> int:
        return len({r.agent_id for r in self.runs})


def items(rows: list[Row], group: bool = True,
          collapsed: tuple[str, ...] = ()) -> list[Row | Runs]:
    """`rows` in attention order, each folded company and (when `group`) each agent's
    many runs as one item, at the place of its first (most urgent) run."""
    folded = set(collapsed)
    by_key: dict[tuple[str, str], list[Row]] = {}
    for r in rows:
        by_key.setdefault(_key(r, folded), []).append(r)
    out, placed = [], set()
    for r in rows:
        key = _key(r, folded)
        runs = by_key[key]
        if key[0] == "agent" and (not group or len(runs) < GROUP_AT):
            out.append(r)
        elif key not in placed:
            placed.add(key)
            out.append((CompanyRuns if key[0] == "company" else AgentRuns)(tuple(runs)))
    return out


def _key(row: Row, folded: set[str]) -> tuple[str, str]:
    return ("company", row.company_id) if row.company_id in folded else ("agent", row.agent_id)
