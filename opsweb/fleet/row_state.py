"""One plain state for a live row, and the operator's next step (issue 25).

Paperclip says three things about a live run — its status (running, queued), its
execution phase ("Recovery needed", "Confirming execution", …) and its last status
message ("Receiving agent output") — and they can contradict each other on a run that
has been silent for hours. The row shows one state in plain words, decided here from
all three plus the output silence and the agent's attention kind (attention.py), and
what to do about it; Paperclip's own words stay as detail. Pure: plain values in, a
`State` out; its sentences are `Said`, shown translated.
"""
from __future__ import annotations

from dataclasses import dataclass

from opsweb.i18n import timefmt
from opsweb.i18n.said import Said

# the states, worst first; each is a word the page translates (LABELS in words.py)
STATES = ("stuck", "quiet", "checking", "waiting", "retrying", "finishing", "running", "queued")

# Paperclip's execution phases (ExecutionProjection.phase) that give a running run a
# state of its own
_PHASE_STATE = {"reconnecting": "checking", "waiting_for_access": "waiting",
                "waiting_for_answer": "waiting", "retry_scheduled": "retrying",
                "finishing": "finishing"}


@dataclass(frozen=True)
class State:
    key: str                     # one of STATES
    next_step: Said | None       # what the operator does about it; None: nothing
    detail: str | None           # Paperclip's own words, when they still hold

    def to_json(self) -> dict:
        return {"state": self.key, "nextStep": self.next_step}


def _silent_for(row) -> timefmt.Duration:
    return timefmt.Duration(row.silence_age_seconds)


def _attention_step(kind: str | None) -> Said | None:
    """What the strip's item asks, said on the row of that agent's run."""
    if kind == "failure_loop":
        return Said("Its last runs failed the same way: Pause it to stop the loop.")
    if kind == "empty_runs":
        return Said("Its runs find nothing to do: Pause it, or wake it less often.")
    if kind == "agent_error":
        return Said("Paperclip has this agent in error: open its card.")
    return None


def of(row, kind: str | None = None) -> State:
    """`row`: a live Row (live.py); `kind`: its agent's attention kind, or None."""
    phase = row.phase
    if row.status == "queued":
        return State("queued", _attention_step(kind), None)
    paperclip = Said("Paperclip: %(phase)s", phase=row.phase_label) if row.shown_phase else None
    if phase == "recovery_needed" or row.silence_level == "critical":
        if row.next_action:  # Paperclip's own advice comes first
            step = Said("Paperclip says: %(advice)s", advice=row.next_action)
        elif row.silence_level == "critical":
            step = Said("No output for %(age)s: read its log, then Stop it if it is stuck.",
                        age=_silent_for(row))
        else:
            step = Said("Paperclip will not recover it by itself: read its log, then Stop it.")
        return State("stuck", step, paperclip)
    if row.silence_level == "suspicious":
        return State("quiet", Said("No output for %(age)s: look at its log.",
                                   age=_silent_for(row)), paperclip)
    state = _PHASE_STATE.get(phase or "", "running")
    step = _attention_step(kind)
    if step is None and state == "waiting":
        step = Said("It waits for an answer on its issue, in Paperclip.")
    # a status message is what the run is doing now: true only while it is heard from
    return State(state, step, paperclip or row.status_message)
