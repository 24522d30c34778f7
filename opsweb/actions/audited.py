"""Stop, Reset, Pause and Resume with their audit record around them: record, act,
complete.

No record, no action: when the audit store cannot take the record, the action is refused
before Paperclip hears of it (AuditUnavailable propagates). A record that cannot be
completed stays "started", which reads as unknown.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from opsweb.actions import perform as actions
from opsweb import platform_port as port
from opsweb.actions.audit import AuditUnavailable, Store

# (agent id, company id) → (agent name, company name). Asked once the action is done,
# so that looking names up never delays what the operator asked for.
Names = Callable[[str | None, str | None], tuple[str | None, str | None]]


@dataclass(frozen=True)
class Request:
    """Who asks, from where, why, and which Paperclip (without credentials) hears it."""
    operator: str
    remote_addr: str | None
    reason: str | None = None
    paperclip_url: str | None = None
    batch_id: str | None = None  # when the action is one item of a batch


def _act(platform: port.Platform, action: str, target: str, note) -> actions.Outcome:
    if action == "cancel":
        return actions.stop_run(platform, target, on_known=note)
    if action == "reset-session":
        return actions.reset_session(platform, target)
    return actions.agent_action(platform, action, target)


def perform(store: Store, logger: logging.Logger, platform: port.Platform, action: str,
            who: Request, *, run_id: str | None = None, agent_id: str | None = None,
            names: Names = lambda *_: (None, None)) -> actions.Outcome:
    record = store.begin(action, who.operator, who.remote_addr, run_id=run_id,
                         agent_id=agent_id, reason=who.reason, paperclip_url=who.paperclip_url,
                         batch_id=who.batch_id)

    def note(agent: str | None, company: str | None) -> None:
        try:
            store.note(record, agent, company)
        except AuditUnavailable as err:
            logger.warning("audit record %s: ids not noted: %s", record, err)

    try:
        outcome = _act(platform, action, run_id or agent_id, note)
    except Exception:  # a bug of ours: the record still says what is known
        _complete(store, logger, record, "unknown",
                  "opsweb hit an unexpected error during the action.")
        raise
    _complete(store, logger, record, outcome.result, outcome.message, outcome, names)
    level = logging.INFO if outcome.result in ("done", "already_finished") else logging.WARNING
    logger.log(level, "%s %s by %s from %s: %s (%s)", action, run_id or agent_id, who.operator,
               who.remote_addr, outcome.result, outcome.message)
    return outcome


def _complete(store: Store, logger: logging.Logger, record: int, result: str, message: str,
              outcome: actions.Outcome | None = None, names: Names | None = None) -> None:
    answer = {}
    if outcome is not None:
        agent_name, company_name = names(outcome.agent_id, outcome.company_id) if names \
            else (None, None)
        answer = dict(upstream_status=outcome.upstream_status,
                      upstream_message=outcome.upstream_message,
                      agent_id=outcome.agent_id, company_id=outcome.company_id,
                      agent_name=outcome.agent_name or agent_name, company_name=company_name)
    try:
        store.finish(record, result, message, **answer)
    except AuditUnavailable as err:
        logger.error("audit record %s not completed: %s", record, err)
