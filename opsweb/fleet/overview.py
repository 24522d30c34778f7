"""The fleet at a glance, the last 24 h: finished runs per hour by outcome and the
hour's success rate (from the history reader's coalesced pages), and live runs over
the day as this process observed them (observed.py).

Paperclip's list of runs is read a bounded page per company (history.HISTORY_PAGE):
a company with more runs in the day than the page holds is counted from its oldest
run held onward, and the overview says from when (`counted_from`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from opsweb.fleet.history import OUTCOMES, History, HistoryReader
from opsweb.fleet.live import FleetReader
from opsweb.fleet.observed import Sample
from opsweb.i18n import timefmt
from opsweb.runtime.jsonstyle import camel

HOURS = 24
# a day of a busy company: Paperclip's most per call; read each minute at most
DAY_PAGE, DAY_FRESHNESS = 1000, 60.0


def _iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Hour:
    start: datetime
    counts: dict[str, int]  # outcome → finished runs in the hour

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def success_rate(self) -> float | None:
        return self.counts.get("succeeded", 0) / self.total if self.total else None

    def to_json(self) -> dict:
        rate = self.success_rate
        return {"hour": _iso(self.start), **{camel(o): self.counts.get(o, 0) for o in OUTCOMES},
                "total": self.total, "successRate": round(rate, 4) if rate is not None else None}


@dataclass
class Overview:
    start: datetime  # the first hour's start (UTC, on the hour)
    end: datetime  # now
    hours: list[Hour]
    samples: list[Sample]
    observing_since: str | None  # when this process first read the fleet
    counted_from: str | None  # runs finished before this are not in the hours (page limit)
    companies: list[dict]
    errors: list[dict] = field(default_factory=list)

    def live_hours(self) -> list[tuple[datetime, int, int] | None]:
        """Per hour, the most and the fewest runs seen live (None: not observed)."""
        out: list[tuple[datetime, int, int] | None] = []
        for hour in self.hours:
            begin = hour.start.timestamp()
            seen = [s.running for s in self.samples if begin <= s.at < begin + 3600]
            out.append((hour.start, max(seen), min(seen)) if seen else None)
        return out

    def to_json(self) -> dict:
        return {"from": _iso(self.start), "to": _iso(self.end),
                "hours": [h.to_json() for h in self.hours],
                "liveRuns": {"observingSince": self.observing_since,
                             "samples": [s.to_json() for s in self.samples]},
                "countedFrom": self.counted_from, "companies": self.companies,
                "errors": self.errors}


def hours_of(history: History, start: datetime, hours: int = HOURS) -> list[Hour]:
    """Finished runs bucketed by the hour they ended in; pure."""
    counts: list[dict[str, int]] = [{} for _ in range(hours)]
    for run in history.runs():
        finished = timefmt.parse(run.finished_at)
        if finished is None or finished < start:
            continue
        i = int((finished - start).total_seconds() // 3600)
        if i < hours:
            counts[i][run.outcome] = counts[i].get(run.outcome, 0) + 1
    return [Hour(start + timedelta(hours=i), c) for i, c in enumerate(counts)]


def read(fleet_reader: FleetReader, history_reader: HistoryReader, now: float) -> Overview:
    """One coalesced live read and one coalesced history read: no call of its own."""
    fleet = fleet_reader.read()
    history = history_reader.read(fleet.companies)
    end = datetime.fromtimestamp(now, timezone.utc)
    start = end.replace(minute=0, second=0, microsecond=0) - timedelta(hours=HOURS - 1)
    known = [k for h in history.companies if (k := h.known_from())]
    counted = max(known, default=None)
    errors = {e.company_id: e.to_json() for e in fleet.errors}
    errors.update({e["companyId"]: e for e in history.errors if e["companyId"] not in errors})
    first = fleet_reader.samples.first
    return Overview(start, end, hours_of(history, start),
                    fleet_reader.samples.since(start.timestamp()),
                    _iso(datetime.fromtimestamp(first, timezone.utc)) if first else None,
                    counted if (timefmt.parse(counted) or start) > start else None,
                    fleet.companies, list(errors.values()))
