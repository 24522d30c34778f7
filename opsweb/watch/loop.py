"""The background evaluator: every OPSWEB_RULES_INTERVAL seconds, while this
instance holds the lease, one look at the fleet through the same coalesced readers
the panel uses (one live-runs read and, at most, one agents-and-history read per
company per interval), incidents kept up to date, then each rule in file order.

Paperclip unreachable or answering garbage for a company: no rule acts there, and
the rule's state says why."""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone
from typing import Callable

from opsweb.actions.audit import AuditUnavailable
from opsweb.fleet import attention
from opsweb.fleet.agents import Agents
from opsweb.fleet.live import EVERY_COMPANY
from opsweb.runtime.clock import Clock
from opsweb.watch import evaluate
from opsweb.watch.act import Actor, LostLease, iso
from opsweb.watch.rules import Rule, Rules


def no_publish(event: str, *, incident: dict | None = None, action: dict | None = None,
               text: str) -> None:
    """The default publish hook: notifications are wired by the composition root."""


class Watch:
    def __init__(self, rules: Rules, lease, actor: Actor, agents: Agents,
                 thresholds: attention.Thresholds, interval: float,
                 clock: Clock | None = None, logger: logging.Logger | None = None):
        self.rules, self.lease, self.actor, self.agents = rules, lease, actor, agents
        self.thresholds, self.interval = thresholds, interval
        self.clock = clock or Clock()
        self.logger = logger or logging.getLogger("opsweb.watch")
        self.state: dict[str, dict] = {r.name: {"lastEvaluatedAt": None, "state": None}
                                       for r in rules.rules}
        self._stop = threading.Event()
        self._ticking = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def incidents(self):
        return self.actor.incidents

    def set_publish(self, publish: Callable[..., None]) -> None:
        self.actor.publish = publish

    # ---- the thread ---------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="opsweb-rules", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.lease.release()

    def _run(self) -> None:
        # the first look one interval after start: the panel's own first reads go first
        while not self._stop.wait(self.interval):
            try:
                self.tick()
            except Exception:  # a bug of ours must not end the watch
                self.logger.exception("rule evaluation failed")

    # ---- one evaluation ---------------------------------------------------------------
    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now(), timezone.utc)

    def tick(self) -> None:
        with self._ticking:  # one evaluation at a time, however it is called
            self._tick()

    def _tick(self) -> None:
        if not self.lease.claim().acting:
            return
        now = self.now()
        fleet = self.agents.fleet.read()
        history = self.agents.history.read(fleet.companies)
        broken = {e.company_id: e.error for e in fleet.errors}
        broken.update({e["companyId"]: e["error"] for e in history.errors})
        read = {c["id"] for c in fleet.companies} - set(broken)
        if EVERY_COMPANY in broken:
            read = set()
        snap = evaluate.Snapshot(fleet.rows, [h for h in history.companies if h.company_id in read],
                                 fleet.capped, self._pauses(), self.thresholds, now)
        try:
            items = attention.items(snap.histories, snap.caps, self.thresholds, snap.pauses, now)
            self._track(items, read, now)
            for rule in self.rules.rules:
                self._evaluate(rule, snap, broken, now)
        except LostLease:
            self.logger.warning("rules: the lease went to another instance mid-evaluation")
        except AuditUnavailable as err:
            self.logger.error("rules: the audit database is unavailable: %s", err)
            for state in self.state.values():
                state["state"] = f"the audit database is unavailable, no action: {err}"

    def _pauses(self) -> dict[str, dict]:
        try:
            return self.actor.store.last_pauses()
        except AuditUnavailable:
            return {}

    def _track(self, items, read: set[str], now: datetime) -> None:
        opened, resolved = self.incidents.track(items, read, iso(now))
        for incident in opened:
            self.actor.publish("incident.opened", incident=incident.to_json(),
                               text=f"{incident.kind}: {incident.agent_name or ''}"
                                    f" ({incident.company_name}): {incident.detail}")
        for incident in resolved:
            self.actor.publish("incident.resolved", incident=incident.to_json(),
                               text=f"resolved {incident.kind}: {incident.agent_name or ''}"
                                    f" ({incident.company_name})")

    def _evaluate(self, rule: Rule, snap: evaluate.Snapshot, broken: dict[str, str],
                  now: datetime) -> None:
        state = self.state[rule.name]
        state["lastEvaluatedAt"] = iso(now)
        mine = {cid: why for cid, why in broken.items()
                if not rule.companies or cid in rule.companies or cid == EVERY_COMPANY}
        state["state"] = ("Paperclip could not be read, no action there: " + "; ".join(
            f"{cid[:8]}: {why}" for cid, why in mine.items())) if mine else None
        found = [f for f in evaluate.findings(rule, snap)
                 if not self.actor.cooling(rule, f, now)]
        wide = evaluate.too_wide(found, snap.histories) if rule.acts else set()
        for finding in found:
            held = None
            if finding.company_id in wide:
                held = "held: this rule would act on more than a third of the company's agents"
            elif rule.acts and self._spent(now) >= self.rules.max_actions_per_hour:
                held = (f"held: {self.rules.max_actions_per_hour} actions in the last hour"
                        " (brakes.max_actions_per_hour)")
            self.actor.handle(rule, finding, now, held)

    def _spent(self, now: datetime) -> int:
        return self.actor.ledger.called_since(iso(now - timedelta(hours=1)))

    # ---- the rules twin -------------------------------------------------------------------
    def twin(self) -> dict:
        now = self.now()
        rules = []
        for rule in self.rules.rules:
            actions = self.actor.ledger.recent(rule=rule.name, limit=10)
            fired = next((a["at"] for a in actions), None)
            rules.append({"name": rule.name, "when": rule.when, "do": rule.do,
                          "mode": rule.mode, "scope": rule.scope(),
                          "cooldownMinutes": rule.cooldown_minutes,
                          "lastEvaluatedAt": self.state[rule.name]["lastEvaluatedAt"],
                          "lastFiredAt": fired, "state": self.state[rule.name]["state"],
                          "actions": actions})
        return {"rules": rules, "evaluator": self.lease.holder().to_json(),
                "brakes": {"maxActionsPerHour": self.rules.max_actions_per_hour,
                           "actionsThisHour": self._spent(now)},
                "intervalSeconds": self.interval}
