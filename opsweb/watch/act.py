"""Carrying out one rule's findings: the cool-down, the brakes, then the action through
the audited action path (operator `rule:<name>`, the evidence as its reason), recorded
in the ledger and published. Never retried: a call whose outcome is unknown stays in
the ledger and its cool-down holds it like any other."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from opsweb import platform_port as port
from opsweb.actions import audited
from opsweb.actions.audit import AuditUnavailable, Store
from opsweb.watch.evaluate import Finding
from opsweb.watch.incidents import Incidents
from opsweb.watch.ledger import Ledger
from opsweb.watch.rules import Rule

# the rule's `do` → the audited action(s) it sends
CALLS = {"pause_agent": "pause", "stop_run": "cancel", "cancel_queued": "cancel"}
Publish = Callable[..., None]


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Actor:
    """What acting needs; one per Watch."""
    store: Store
    ledger: Ledger
    incidents: Incidents
    platform: port.Platform
    logger: logging.Logger
    names: audited.Names
    changed: Callable[[str | None], None]
    publish: Publish
    counted: Callable[[str, str, str], None]  # (rule, action, outcome): the metric
    still_holds: Callable[[], bool]  # the lease's fence, asked right before each call
    paperclip_url: str | None = None

    def cooling(self, rule: Rule, finding: Finding, now: datetime) -> bool:
        last = self.ledger.last_at(rule.name, finding.target)
        return bool(last) and last > iso(now - timedelta(minutes=rule.cooldown_minutes))

    def handle(self, rule: Rule, finding: Finding, now: datetime, held: str | None) -> dict:
        """`held`: why a brake holds this action back (then it is only recorded and
        notified), or None to act as the rule's mode says."""
        incident = self.incidents.for_agent(finding.company_id, finding.agent_id, finding.kind)
        base = dict(agent_id=finding.agent_id, agent_name=finding.agent_name,
                    company_id=finding.company_id,
                    run_id=finding.run_ids[0] if finding.run_ids else None,
                    incident_id=incident)
        if not rule.acts or held:
            detail = finding.evidence if not held else f"{finding.evidence} — {held}"
            outcome = "held" if held else ("notified" if rule.do == "notify" else "would_act")
            action = self.ledger.record(iso(now), rule.name, rule.do,
                                        "act" if rule.mode == "act" and rule.do == "notify"
                                        else "watch", finding.target, outcome=outcome,
                                        detail=detail, **base)
            self.counted(rule.name, rule.do, outcome)
            event = "rule.acted" if rule.do == "notify" and rule.mode == "act" \
                else "rule.would_act"
            self.publish(event, action=action, text=f"{rule.name}: {detail}")
            return action
        if not self.still_holds():
            raise LostLease()
        outcome, detail = self._call(rule, finding)
        action = self.ledger.record(iso(now), rule.name, rule.do, "act", finding.target,
                                    outcome=outcome, detail=detail, **base)
        self.counted(rule.name, rule.do, outcome)
        self.changed(finding.company_id)
        self.publish("rule.acted", action=action,
                     text=f"{rule.name}: {rule.do} {finding.agent_name}: {outcome} — {detail}")
        return action

    def _call(self, rule: Rule, finding: Finding) -> tuple[str, str]:
        who = audited.Request(f"rule:{rule.name}", None, finding.evidence, self.paperclip_url)
        call = CALLS[rule.do]
        targets = finding.run_ids if rule.do in ("stop_run", "cancel_queued") \
            else (finding.agent_id,)
        results = []
        for target in targets:
            try:
                outcome = audited.perform(
                    self.store, self.logger, self.platform, call, who,
                    run_id=target if call == "cancel" else None,
                    agent_id=target if call != "cancel" else None, names=self.names)
            except AuditUnavailable as err:  # no record, no action: this one was not sent
                results.append(("failed", f"not sent: {err}"))
                break
            results.append((outcome.result, str(outcome.message)))
        outcomes = {result for result, _ in results}
        worst = "unknown" if "unknown" in outcomes else "failed" if "failed" in outcomes \
            else "done"  # done or already finished: what the rule asked for holds
        said = "; ".join(dict.fromkeys(message for _, message in results))
        return worst, f"{finding.evidence} — {said}"


class LostLease(Exception):
    """Another instance holds the lease now: this one must not act."""
