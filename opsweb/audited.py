"""Stop and Reset with their audit record around them: record, act, complete.

No record, no action: when the audit store cannot take the record, the action is refused
before Paperclip hears of it (AuditUnavailable propagates). A record that cannot be
completed stays "started", which reads as unknown.
"""
from __future__ import annotations

import logging

from opsweb import actions
from opsweb import platform_port as port
from opsweb.audit import AuditUnavailable, Store


def perform(store: Store, logger: logging.Logger, platform: port.Platform, action: str, *,
            operator: str, remote_addr: str | None, run_id: str | None = None,
            agent_id: str | None = None) -> actions.Outcome:
    record = store.begin(action, operator, remote_addr, run_id=run_id, agent_id=agent_id)

    def note(agent: str | None, company: str | None) -> None:
        try:
            store.note(record, agent, company)
        except AuditUnavailable as err:
            logger.warning("audit record %s: ids not noted: %s", record, err)

    try:
        if action == "cancel":
            outcome = actions.stop_run(platform, run_id, on_known=note)
        else:
            outcome = actions.reset_session(platform, agent_id)
    except Exception:  # a bug of ours: the record still says what is known
        _complete(store, logger, record, "unknown",
                  "opsweb hit an unexpected error during the action.")
        raise
    _complete(store, logger, record, outcome.result, outcome.message, outcome)
    level = logging.INFO if outcome.result in ("done", "already_finished") else logging.WARNING
    logger.log(level, "%s %s by %s from %s: %s (%s)", action, run_id or agent_id, operator,
               remote_addr, outcome.result, outcome.message)
    return outcome


def _complete(store: Store, logger: logging.Logger, record: int, result: str, message: str,
              outcome: actions.Outcome | None = None) -> None:
    answer = {}
    if outcome is not None:
        answer = dict(upstream_status=outcome.upstream_status,
                      upstream_message=outcome.upstream_message,
                      agent_id=outcome.agent_id, company_id=outcome.company_id)
    try:
        store.finish(record, result, message, **answer)
    except AuditUnavailable as err:
        logger.error("audit record %s not completed: %s", record, err)
