"""`GET /metrics` in Prometheus text format, so a stalled agent can page someone with
no browser open. Fleet gauges are read at scrape time (through the same coalesced
reads the panel uses); upstream call figures are counted as calls happen."""
from __future__ import annotations

from collections import Counter

from flask import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client import Counter as PromCounter
from prometheus_client import Histogram
from prometheus_client.core import GaugeMetricFamily

from opsweb.actions.audit import AuditUnavailable
from opsweb.fleet.attention import KINDS
from opsweb.fleet.live import EVERY_COMPANY, FleetReader

SILENCE_LEVELS = ("ok", "suspicious", "critical", "snoozed", "not_applicable")


class FleetCollector:
    def __init__(self, fleet: FleetReader):
        self.fleet = fleet

    def describe(self):
        return []  # collected at scrape time; nothing to pre-declare

    def collect(self):
        """Companies are labelled by id (two companies may share a name); the name is
        on opsweb_company_info, to join on company_id."""
        fleet = self.fleet.read()
        info = GaugeMetricFamily("opsweb_company_info", "A company's name, by company id",
                                 labels=["company_id", "company"])
        for company in fleet.companies:
            info.add_metric([company["id"], company["name"]], 1)
        runs = GaugeMetricFamily("opsweb_runs", "Running and queued heartbeat runs",
                                 labels=["company_id", "adapter", "status"])
        for (company, adapter, status), n in sorted(Counter(
                (r.company_id, r.adapter_type, r.status) for r in fleet.rows).items()):
            runs.add_metric([company, adapter, status], n)
        silence = GaugeMetricFamily("opsweb_runs_by_silence",
                                    "Runs per Paperclip output-silence level", labels=["level"])
        levels = Counter(r.silence_level for r in fleet.rows)
        for level in SILENCE_LEVELS:
            silence.add_metric([level], levels.get(level, 0))
        oldest = GaugeMetricFamily("opsweb_oldest_silence_seconds",
                                   "Longest output silence of a running run",
                                   labels=["company_id"])
        for company in fleet.companies:
            ages = [r.silence_age_seconds or 0 for r in fleet.rows
                    if r.company_id == company["id"] and r.status == "running"]
            oldest.add_metric([company["id"]], max(ages, default=0))
        failing = GaugeMetricFamily("opsweb_company_up",
                                    "1 when the company's live runs could be read",
                                    labels=["company_id"])
        down = {e.company_id for e in fleet.errors}
        for company in fleet.companies:
            failing.add_metric([company["id"]], 0 if company["id"] in down or EVERY_COMPANY in down else 1)
        yield from (info, runs, silence, oldest, failing)


class AttentionCollector:
    """Attention items by kind (attention.py), read at scrape time through the same
    coalesced history reads the panel uses."""

    def __init__(self, agents):
        self.agents = agents

    def describe(self):
        return []

    def collect(self):
        items, _errors = self.agents.attention()
        gauge = GaugeMetricFamily("opsweb_attention_items",
                                  "What needs an operator, by kind (loops, burns, errors,"
                                  " paused agents, companies over the live-runs cap)",
                                  labels=["kind"])
        counts = Counter(i.kind for i in items)
        for kind in KINDS:
            gauge.add_metric([kind], counts.get(kind, 0))
        yield gauge


class IncidentsCollector:
    """Open incidents by kind, read from the audit database at scrape time."""

    def __init__(self, incidents):
        self.incidents = incidents

    def describe(self):
        return []

    def collect(self):
        gauge = GaugeMetricFamily("opsweb_incidents_open",
                                  "Incidents opened and not yet resolved, by kind",
                                  labels=["kind"])
        try:
            counts = self.incidents.open_by_kind()
        except AuditUnavailable:
            return  # no figure rather than a wrong 0
        for kind in KINDS:
            gauge.add_metric([kind], counts.get(kind, 0))
        yield gauge


class Metrics:
    def __init__(self):
        self.registry = CollectorRegistry()
        self.calls = PromCounter("opsweb_upstream_calls", "Live-runs calls made to Paperclip",
                                 ["company_id"], registry=self.registry)
        self.errors = PromCounter("opsweb_upstream_errors", "Live-runs calls that failed",
                                  ["company_id", "kind"], registry=self.registry)
        self.latency = Histogram("opsweb_upstream_seconds", "Live-runs call latency",
                                 ["company_id"], registry=self.registry,
                                 buckets=(.025, .05, .1, .25, .5, 1, 2.5, 5, 10))
        self.rule_actions = PromCounter("opsweb_rule_actions",
                                        "What the guard-rail rules did or would have done",
                                        ["rule", "action", "outcome"], registry=self.registry)

    def rule_action(self, rule: str, action: str, outcome: str) -> None:
        self.rule_actions.labels(rule, action, outcome).inc()

    def watch_incidents(self, incidents) -> None:
        self.registry.register(IncidentsCollector(incidents))

    def observe(self, company_id: str, seconds: float, error: str | None) -> None:
        self.calls.labels(company_id).inc()
        self.latency.labels(company_id).observe(seconds)
        if error:
            self.errors.labels(company_id, error).inc()

    def watch(self, fleet: FleetReader) -> None:
        self._fleet = fleet
        self.registry.register(FleetCollector(fleet))

    def watch_attention(self, agents) -> None:
        self.registry.register(AttentionCollector(agents))

    def response(self) -> Response:
        # Read first, so the upstream counters include this scrape's own calls (the
        # collector's read right after is served from the coalescing window).
        self._fleet.read()
        return Response(generate_latest(self.registry), mimetype=CONTENT_TYPE_LATEST)
