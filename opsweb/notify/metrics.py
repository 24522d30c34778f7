"""`opsweb_notifications_total{outcome}` (attempts this process made, by outcome) and
`opsweb_notifications_pending` (rows still to deliver, read from the outbox at scrape
time, so every instance reports the shared backlog)."""
from __future__ import annotations

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from opsweb.actions.audit import AuditUnavailable
from opsweb.notify.sender import OUTCOMES


class NotificationsCollector:
    def __init__(self, notifications):
        self.notifications = notifications

    def describe(self):
        return []

    def collect(self):
        total = CounterMetricFamily("opsweb_notifications", "Webhook delivery attempts by"
                                    " outcome: delivered, retried (will try again), failed"
                                    " (refused or given up)", labels=["outcome"])
        counts = self.notifications.counts()
        for outcome in OUTCOMES:
            total.add_metric([outcome], counts.get(outcome, 0))
        yield total
        try:
            pending = self.notifications.outbox.pending()
        except AuditUnavailable:  # no figure beats a wrong one
            return
        yield GaugeMetricFamily("opsweb_notifications_pending",
                                "Webhook deliveries stored and not yet delivered or given up",
                                value=pending)
