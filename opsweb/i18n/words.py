"""Words the page shows for values (a run's status, an outcome, an entry's kind),
marked for the catalog where they are defined and translated where they are shown.
Pure: no Flask, so the readers of the fleet can build sentences with them."""
from __future__ import annotations

from opsweb.i18n import said


def N_(msgid: str) -> str:
    """Marks a word for the catalog where it is defined; it is translated where shown."""
    return msgid


# Values the page shows as words (a run's status, a silence level, an outcome, a
# transcript entry's kind): the English word, and its translation where shown.
LABELS = {
    "running": N_("running"), "queued": N_("queued"), "succeeded": N_("succeeded"),
    "failed": N_("failed"), "cancelled": N_("cancelled"), "timed_out": N_("timed out"),
    "interrupted": N_("interrupted"),
    "ok": N_("ok"), "suspicious": N_("suspicious"), "critical": N_("critical"),
    "snoozed": N_("snoozed"), "not_applicable": N_("not applicable"),
    "done": N_("done"), "already_finished": N_("already finished"), "unknown": N_("unknown"),
    "completed": N_("completed"), "errored": N_("errored"),
    "thinking": N_("thinking"), "user": N_("user"), "stderr": N_("stderr"),
    "system": N_("system"), "unparsed": N_("unparsed"), "tool_call": N_("tool call"),
    "tool_result": N_("tool result"),
    # an agent's status, and what needs attention
    "active": N_("active"), "idle": N_("idle"), "paused": N_("paused"), "error": N_("error"),
    "pending_approval": N_("pending approval"), "terminated": N_("terminated"),
    "failure_loop": N_("failure loop"), "empty_runs": N_("empty runs"),
    "agent_error": N_("agent error"), "over_cap": N_("over 50 live"),
    "near_budget": N_("near budget"),
    # webhook deliveries (pending: batches' word) and the events they carry
    "delivered": N_("delivered"),
    "incident.opened": N_("incident opened"), "incident.resolved": N_("incident resolved"),
    "rule.acted": N_("rule acted"), "rule.would_act": N_("rule would act"),
    # a live run's one plain state (fleet/row_state.py)
    "stuck": N_("stuck"), "quiet": N_("quiet"), "checking": N_("checking"),
    "waiting": N_("waiting"), "retrying": N_("retrying"), "finishing": N_("finishing"),
    # a batch's action and its items' outcomes (actions/batch*.py); a pending delivery too
    "stop": N_("stop"), "cancel_queued": N_("cancel queued"), "pause": N_("pause"),
    "resume": N_("resume"), "drain": N_("drain"), "pending": N_("waiting to be sent"),
    "draining": N_("draining"), "notSent": N_("not sent"),
    # guard-rail rules: what they watch for, what they do, how it went
    "silent": N_("silent"), "long_run": N_("long run"), "queued_backlog": N_("queued backlog"),
    "spend_rate": N_("spend rate"), "notify": N_("notify"), "pause_agent": N_("pause agent"),
    "stop_run": N_("stop run"), "act": N_("act"),
    "watch": N_("watch"), "would_act": N_("would act"), "notified": N_("notified"),
    "held": N_("held by a brake"),
}


def NP_(context: str, msgid: str) -> str:
    """N_ with a context, for a word that translates differently there."""
    return msgid


# Where an agent's status needs another word than a run's: in Hebrew an agent (סוכן) is
# masculine and a run (ריצה) feminine.
AGENT_LABELS = {"running": NP_("agent", "running")}


# Why Paperclip paused an agent (PAUSE_REASONS in @paperclipai/shared): words, not codes,
# so a Hebrew page does not show "(manual)"; any other value is shown as Paperclip sent it.
PAUSE_REASONS = {"manual": N_("by hand"), "budget": N_("over budget"),
                 "system": N_("by Paperclip"), "company_archived": N_("company archived"),
                 "import": N_("on import")}


def pause_reason(value: str) -> str:
    """Paperclip's pauseReason as a sentence part (a Said when it is a known code)."""
    return said.Said(PAUSE_REASONS[value]) if value in PAUSE_REASONS else value


def said_label(value: str) -> said.Said:
    """`label` for a sentence built in Python: the English word, shown translated."""
    return said.Said(LABELS.get(value, value.replace("_", " ")))
