"""What a batch asks for, checked, and the targets it will act on, resolved once.

A batch names its targets three ways: run ids, agent ids, or a filter over what the
panel shows (company, agent, status, silent). Everything is checked before anything is
sent: a malformed id, an unknown field, an empty selection or more than the batch limit
is a `Refused` (400). A filter is resolved here, when the batch starts, so that it does
not grow while it runs.

Agent actions over a filter skip what needs no act: Pause takes the agents not already
paused (so that an undo resumes exactly those), Resume the paused ones.
"""
from __future__ import annotations

from dataclasses import dataclass

from opsweb import platform_port as port
from opsweb.actions import reason as reasons
from opsweb.fleet.filters import Filters
from opsweb.fleet.live import Fleet
from opsweb.i18n.said import Said

RUN_ACTIONS = ("stop", "cancel_queued")
AGENT_ACTIONS = ("pause", "resume", "drain")
ACTIONS = RUN_ACTIONS + AGENT_ACTIONS
_FIELDS = {"action", "runIds", "agentIds", "filter", "reason"}
_FILTER_FIELDS = {"company", "agent", "status", "silent"}


class Refused(ValueError):
    """A batch that is not started; args[0] is a sentence (a Said) for the operator."""


@dataclass(frozen=True)
class Target:
    kind: str  # what is sent for it: "cancel" | "pause" | "resume" | "drain"
    target: str  # run id or agent id
    name: str | None  # the agent's name, for the preview and the progress
    company_id: str | None

    def as_row(self) -> tuple[str, str, str | None, str | None]:
        return (self.kind, self.target, self.name, self.company_id)


@dataclass(frozen=True)
class Ask:
    action: str
    run_ids: tuple[str, ...] = ()
    agent_ids: tuple[str, ...] = ()
    filter: Filters | None = None
    reason: str | None = None


def parse(body: object, limit: int, need_reason: bool = True) -> Ask:
    """The body of POST /batches (a JSON object, or the panel's form as a dict of
    lists). Raises Refused."""
    if not isinstance(body, dict):
        raise Refused(Said("The body must be a JSON object."))
    unknown = sorted(set(body) - _FIELDS)
    if unknown:
        raise Refused(Said("Unknown field: %(names)s", names=", ".join(unknown)[:100]))
    action = body.get("action")
    if action not in ACTIONS:
        raise Refused(Said("action must be one of %(actions)s", actions=", ".join(ACTIONS)))
    try:
        why = reasons.parse(body.get("reason"))
    except ValueError as err:
        raise Refused(err.args[0]) from None
    if need_reason and not why:
        raise Refused(Said("A batch needs a reason: it is kept in the audit trail."))
    # an empty list is an empty selection; an empty filter is everything shown
    given = [k for k in ("runIds", "agentIds", "filter") if body.get(k) not in (None, [])]
    if len(given) != 1:
        raise Refused(Said("Give exactly one of runIds, agentIds or filter."))
    if given[0] == "filter":
        return Ask(action, filter=_filter(body["filter"], action), reason=why)
    wanted = "runIds" if action in RUN_ACTIONS else "agentIds"
    if given[0] != wanted:
        raise Refused(Said("%(action)s takes %(field)s.", action=action, field=wanted))
    ids = _ids(body[wanted], "run id" if wanted == "runIds" else "agent id", limit)
    return Ask(action, **{"run_ids" if wanted == "runIds" else "agent_ids": ids}, reason=why)


def _ids(value: object, what: str, limit: int) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Refused(Said("The ids must be a list of strings."))
    if len(value) > limit:
        raise Refused(Said("At most %(limit)s targets per batch (%(count)s given).",
                           limit=limit, count=len(value)))
    try:
        checked = [port.check_uuid(v, what) for v in value]
    except port.InvalidId as err:
        raise Refused(Said("%(problem)s: nothing was sent.", problem=err.message)) from None
    return tuple(dict.fromkeys(checked))  # once each, in the order given


def _filter(value: object, action: str) -> Filters:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise Refused(Said("filter must be an object of strings."))
    unknown = sorted(set(value) - _FILTER_FIELDS)
    if unknown:
        raise Refused(Said("Unknown filter field: %(names)s", names=", ".join(unknown)[:100]))
    if action == "cancel_queued":
        value = {**value, "status": "queued"}
    try:
        return Filters.from_args(value)
    except ValueError as err:
        raise Refused(str(err)) from None


def resolve(ask: Ask, platform: port.Platform, fleet: Fleet, limit: int) -> list[Target]:
    """The targets, once. Reads Paperclip for agent actions over a filter (the company's
    agents) and for drains (whose queued runs to cancel). Raises Refused when nothing
    or too much matches."""
    names = {r.agent_id: r.agent_name for r in fleet.rows}
    run_agent = {r.run_id: r for r in fleet.rows}
    if ask.action in RUN_ACTIONS:
        if ask.filter is not None:
            rows = ask.filter.apply(fleet).rows
            if ask.action == "cancel_queued":
                rows = [r for r in rows if r.status == "queued"]
            targets = [Target("cancel", r.run_id, r.agent_name, r.company_id) for r in rows
                       if r.run_ok]
        else:
            targets = [Target("cancel", rid, getattr(run_agent.get(rid), "agent_name", None),
                              getattr(run_agent.get(rid), "company_id", None))
                       for rid in ask.run_ids]
    else:
        agents = _agents(ask, platform, fleet, names)
        targets = _drain(agents, fleet) if ask.action == "drain" else \
            [Target(ask.action, a, n, c) for a, n, c in agents]
    if not targets:
        raise Refused(Said("Nothing to act on: the selection is empty."))
    if len(targets) > limit:
        raise Refused(Said("At most %(limit)s targets per batch (%(count)s match).",
                           limit=limit, count=len(targets)))
    return targets


def _agents(ask: Ask, platform: port.Platform, fleet: Fleet, names: dict):
    """(agent id, name, company id) of the agents asked for."""
    if ask.filter is None:
        return [(a, names.get(a), None) for a in ask.agent_ids]
    f = ask.filter
    companies = [f.company] if f.company else [c["id"] for c in fleet.companies]
    found = []
    for company in companies:
        try:
            agents = port.pc_list_agents(platform, company)
        except port.PlatformError as err:
            raise Refused(Said("The agents of a company could not be read (%(problem)s):"
                               " nothing was sent.", problem=err.message)) from None
        for agent in agents:
            aid, name, status = str(agent.get("id")), str(agent.get("name") or ""), agent.get("status")
            if not _is_uuid(aid):
                continue
            if f.agent and f.agent.casefold() not in name.casefold() and f.agent != aid:
                continue
            if ask.action == "resume" and status != "paused":
                continue
            if ask.action in ("pause", "drain") and status == "paused":
                continue
            found.append((aid, name or None, company))
    return found


def _is_uuid(value: str) -> bool:
    try:
        port.check_uuid(value, "agent id")
    except port.InvalidId:
        return False
    return True


def _drain(agents, fleet: Fleet) -> list[Target]:
    """Per agent: its queued runs cancelled now, then the agent itself, paused once its
    running run has ended (batch_runner.py watches it)."""
    out = []
    for aid, name, company in agents:
        out += [Target("cancel", r.run_id, r.agent_name, r.company_id) for r in fleet.rows
                if r.agent_id == aid and r.status == "queued" and r.run_ok]
        out.append(Target("drain", aid, name, company))
    return out
