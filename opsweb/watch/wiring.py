"""The guard rails put together from the app's settings (called by init_app): the
rules file (read and checked now, so a bad one stops opsweb before it serves), the
lease that fits the audit database, the incidents store, and the loop."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from opsweb import platform_port as port
from opsweb.actions.audit import Store
from opsweb.fleet import attention
from opsweb.fleet.agents import Agents
from opsweb.runtime.clock import Clock
from opsweb.runtime.redact import redact_url
from opsweb.watch import lease as leases
from opsweb.watch import rules as rulefile
from opsweb.watch.act import Actor
from opsweb.watch.incidents import Incidents
from opsweb.watch.ledger import Ledger
from opsweb.watch.loop import Watch, no_publish

__all__ = ["Guard", "Incidents", "Watch", "build"]


@dataclass
class Guard:
    watch: Watch | None
    incidents: Incidents
    lease: object


def build(cfg, store: Store, platform: port.Platform, agents: Agents,
          thresholds: attention.Thresholds, clock: Clock, logger: logging.Logger,
          counted: Callable[[str, str, str], None]) -> Guard:
    ledger = Ledger(store)
    incidents = Incidents(store, ledger)
    lease = leases.for_store(store, cfg["OPSWEB_RULES_LEASE"])
    if not cfg.get("OPSWEB_RULES"):
        return Guard(None, incidents, lease)
    rules = rulefile.load(cfg["OPSWEB_RULES"])
    # act only with time to spare: the lease must outlast the slowest action
    margin = min(float(cfg["OPSWEB_ACTION_TIMEOUT"]) + 1, cfg["OPSWEB_RULES_LEASE"] / 2)
    actor = Actor(store, ledger, incidents, platform, logger, names=agents.names,
                  changed=agents.changed, publish=no_publish, counted=counted,
                  still_holds=lambda: lease.still_holds(margin),
                  paperclip_url=redact_url(cfg["OPSWEB_PAPERCLIP_URL"]))
    return Guard(Watch(rules, lease, actor, agents, thresholds, cfg["OPSWEB_RULES_INTERVAL"],
                       clock=clock, logger=logger), incidents, lease)
