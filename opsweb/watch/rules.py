"""The rules file (OPSWEB_RULES, TOML): read with tomllib, checked field by field at
start. A bad file is a RulesError whose message is one line naming the rule and the
field, so `opsweb serve` stops with exit status 2 before anything runs."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

WHENS = ("failure_loop", "empty_runs", "silent", "long_run", "queued_backlog", "spend_rate")
DOS = ("notify", "pause_agent", "stop_run", "cancel_queued")
MODES = ("act", "watch")
# what each action can be done to: an agent-level finding has no run to stop
FITS = {"failure_loop": ("notify", "pause_agent"), "empty_runs": ("notify", "pause_agent"),
        "silent": ("notify", "pause_agent", "stop_run"),
        "long_run": ("notify", "pause_agent", "stop_run"),
        "queued_backlog": ("notify", "pause_agent", "cancel_queued"),
        "spend_rate": ("notify", "pause_agent")}
# the threshold each kind needs (None: the attention settings, `runs` may override them)
NEEDS = {"silent": "minutes", "long_run": "minutes", "queued_backlog": "count",
         "spend_rate": "usd_per_hour"}
RULE_KEYS = {"name", "when", "do", "mode", "companies", "agents", "cooldown_minutes",
             "minutes", "count", "usd_per_hour", "runs"}
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
DEFAULT_MAX_PER_HOUR = 10
DEFAULT_COOLDOWN_MINUTES = 60.0


class RulesError(ValueError):
    """The rules file cannot be used; opsweb refuses to start."""


@dataclass(frozen=True)
class Rule:
    name: str
    when: str
    do: str
    mode: str = "watch"
    companies: tuple[str, ...] = ()
    agents: tuple[str, ...] = ()  # agent names or ids
    cooldown_minutes: float = DEFAULT_COOLDOWN_MINUTES
    minutes: float | None = None
    count: int | None = None
    usd_per_hour: float | None = None
    runs: int | None = None  # failure_loop / empty_runs: overrides the attention setting

    @property
    def acts(self) -> bool:
        return self.mode == "act" and self.do != "notify"

    def scope(self) -> dict:
        return {"companies": list(self.companies), "agents": list(self.agents)}

    def covers(self, company_id: str, agent_id: str | None, agent_name: str | None) -> bool:
        if self.companies and company_id.lower() not in self.companies:
            return False
        return not self.agents or any(a in (agent_id, agent_name) or a == (agent_id or "").lower()
                                      for a in self.agents)


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...] = ()
    max_actions_per_hour: int = DEFAULT_MAX_PER_HOUR
    source: str | None = None


def _number(where: str, key: str, value, whole: bool = False, low: float = 0.0,
            strict: bool = True):
    kinds = (int,) if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or value != value:
        raise RulesError(f"{where}: {key} must be a {'whole ' if whole else ''}number")
    if value < low or (strict and value == low):
        raise RulesError(f"{where}: {key} must be {'above' if strict else 'at least'} {low:g}")
    return value


def _ids(where: str, key: str, value, uuids: bool) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RulesError(f"{where}: {key} must be a list of strings")
    for v in value:
        if uuids and not _UUID.fullmatch(v.strip()):
            raise RulesError(f"{where}: {key} holds {v[:40]!r}, which is not a UUID")
    return tuple(v.strip().lower() if _UUID.fullmatch(v.strip()) else v.strip() for v in value)


def _choice(where: str, key: str, value, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise RulesError(f"{where}: {key} must be one of {', '.join(allowed)};"
                         f" got {str(value)[:40]!r}")
    return value


def _rule(raw, index: int) -> Rule:
    where = f"rule #{index}"
    if not isinstance(raw, dict):
        raise RulesError(f"{where}: must be a table ([[rule]])")
    name = raw.get("name")
    if name is None:
        raise RulesError(f"{where}: name is missing")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise RulesError(f"{where}: name must be 1-64 letters, digits, '-', '_' or '.'")
    where = f"rule {name!r}"
    unknown = sorted(set(raw) - RULE_KEYS)
    if unknown:
        raise RulesError(f"{where}: unknown field {unknown[0]!r}")
    for key in ("when", "do"):
        if key not in raw:
            raise RulesError(f"{where}: {key} is missing")
    when = _choice(where, "when", raw["when"], WHENS)
    do = _choice(where, "do", raw["do"], DOS)
    if do not in FITS[when]:
        raise RulesError(f"{where}: do = {do!r} does not fit when = {when!r}"
                         f" (one of {', '.join(FITS[when])})")
    need = NEEDS.get(when)
    if need and need not in raw:
        raise RulesError(f"{where}: {need} is missing (when = {when!r} needs it)")
    for key in ("minutes", "count", "usd_per_hour", "runs"):
        if key in raw and key != need and not (key == "runs" and when in ("failure_loop",
                                                                           "empty_runs")):
            raise RulesError(f"{where}: {key} does not apply to when = {when!r}")
    return Rule(
        name=name, when=when, do=do, mode=_choice(where, "mode", raw.get("mode", "watch"), MODES),
        companies=_ids(where, "companies", raw.get("companies", []), uuids=True),
        agents=_ids(where, "agents", raw.get("agents", []), uuids=False),
        cooldown_minutes=float(_number(where, "cooldown_minutes",
                                       raw.get("cooldown_minutes", DEFAULT_COOLDOWN_MINUTES),
                                       strict=False)),
        minutes=float(_number(where, "minutes", raw["minutes"])) if "minutes" in raw else None,
        count=_number(where, "count", raw["count"], whole=True) if "count" in raw else None,
        usd_per_hour=float(_number(where, "usd_per_hour", raw["usd_per_hour"]))
        if "usd_per_hour" in raw else None,
        runs=_number(where, "runs", raw["runs"], whole=True, low=2, strict=False)
        if "runs" in raw else None)


def parse(text: str, source: str = "rules") -> Rules:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise RulesError(f"{source}: not TOML: {str(err).splitlines()[0]}") from None
    unknown = sorted(set(data) - {"brakes", "rule"})
    if unknown:
        raise RulesError(f"{source}: unknown section {unknown[0]!r} (brakes, rule)")
    brakes = data.get("brakes", {})
    if not isinstance(brakes, dict) or set(brakes) - {"max_actions_per_hour"}:
        raise RulesError(f"{source}: [brakes] takes only max_actions_per_hour")
    per_hour = _number("[brakes]", "max_actions_per_hour",
                       brakes.get("max_actions_per_hour", DEFAULT_MAX_PER_HOUR), whole=True,
                       strict=False)
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list):
        raise RulesError(f"{source}: rules are [[rule]] tables")
    rules, seen = [], set()
    for index, raw in enumerate(raw_rules, 1):
        rule = _rule(raw, index)
        if rule.name in seen:
            raise RulesError(f"rule {rule.name!r}: name is used twice")
        seen.add(rule.name)
        rules.append(rule)
    return Rules(tuple(rules), per_hour, source)


def load(path: str) -> Rules:
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise RulesError(f"OPSWEB_RULES {path}: cannot be read"
                         f" ({getattr(err, 'strerror', None) or err})") from None
    return parse(text, f"OPSWEB_RULES {path}")
