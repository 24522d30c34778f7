"""What a heartbeat run's status says. Both the log (is the run still writing?) and the
actions (is there anything left to Stop?) read it, so it lives apart from either."""
from __future__ import annotations

TERMINAL = frozenset({"succeeded", "failed", "cancelled", "timed_out", "interrupted"})
