"""The pictures (opsweb/pictures/) in the page: what the templates call to draw a strip
or a chart, in the request's direction, from the fleet's own objects.

The drawing stays pure; here runs become marks, the clock is the app's, and titles
come from the templates, already translated."""
from __future__ import annotations

from flask import Blueprint, current_app
from markupsafe import Markup

from opsweb.i18n import language, timefmt
from opsweb.pictures import fleet as fleet_pictures
from opsweb.pictures import strips
from opsweb.pictures.strips import Mark


def _rtl() -> bool:
    return language.page_attributes()["ow_dir"] == "rtl"


def _text(title) -> str:
    """A title built in a template arrives escaped (Markup): drawn, it is escaped once."""
    return title.unescape() if isinstance(title, Markup) else str(title)


def _epoch(value: str | None) -> float | None:
    when = timefmt.parse(value)
    return when.timestamp() if when else None


def day_marks(card) -> list[Mark]:
    """The card's finished runs of the day and its running runs (open-ended)."""
    marks = []
    for run in card.day:
        start, end = _epoch(run.started_at), _epoch(run.finished_at)
        if end is not None:
            marks.append(Mark(start if start is not None else end, end, run.outcome))
    for row in card.live:
        start = _epoch(row.started_at) if row.status == "running" else None
        if start is not None:
            marks.append(Mark(start, None, "live"))
    return marks


def day_strip(card, title) -> Markup:
    now = current_app.extensions["opsweb"].agents.clock.now()
    return Markup(strips.day_strip(day_marks(card), now, _text(title), rtl=_rtl()))


def compact_strip(outcomes: list[str], title) -> Markup:
    return Markup(strips.compact_strip(outcomes, _text(title), rtl=_rtl()))


def chart(kind: str, overview, title, names: dict | None = None) -> Markup:
    """One of the overview's charts ("hours", "rate", "live") from its data."""
    start, rtl = overview.start.timestamp(), _rtl()
    if kind == "hours":
        words = {k: _text(v) for k, v in (names or {}).items()}
        svg = fleet_pictures.runs_per_hour([h.counts for h in overview.hours], start,
                                           _text(title), words, rtl)
    elif kind == "rate":
        svg = fleet_pictures.success_rate([h.success_rate for h in overview.hours], start,
                                          _text(title), rtl)
    else:
        svg = fleet_pictures.live_runs([(s.at, s.running) for s in overview.samples], start,
                                       overview.end.timestamp(), _text(title), rtl)
    return Markup(svg)


def spend_chart(rates: list[dict], title, windows: list) -> Markup:
    """The overview's spend per hour per company, from the twin's `spendPerHour`."""
    rows = [(r["companyName"], [w["usdPerHour"] for w in r["windows"]]) for r in rates]
    return Markup(fleet_pictures.spend_per_hour(rows, [_text(w) for w in windows], _text(title),
                                                _rtl()))


def register(blueprint: Blueprint) -> None:
    for name, function in (("ow_day_strip", day_strip), ("ow_compact_strip", compact_strip),
                           ("ow_outcome_counts", strips.counts), ("ow_chart", chart),
                           ("ow_spend_chart", spend_chart)):
        blueprint.add_app_template_global(function, name)
