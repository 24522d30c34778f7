"""One agent's runs as a strip of marks.

The outcome is told by where a mark sits, not only by its colour: a success rises
above the middle line, a failure hangs below it (a timeout too, drawn hollow), a
cancelled or interrupted run is a short tick on the line, and a live run is an open
frame across both. So a failure loop reads as a row of hanging marks, an empty-run
burn as a comb of thin ones, in any palette.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from opsweb.pictures.svg import HOUR, Axis, num, root

# outcome → (class, top, height) in a 0…56 band with the middle line at 28
BANDS = {"succeeded": ("ok", 4, 24), "failed": ("bad", 28, 24), "timed_out": ("late", 28, 24),
         "cancelled": ("off", 22, 12), "interrupted": ("off", 22, 12), "live": ("live", 4, 48)}
MID = 28
DAY_WIDTH, DAY_HEIGHT = 1440, 80  # a unit per minute of the day
COMPACT_SLOT, COMPACT_HEIGHT = 5, 12
# the same bands in whole units of the compact strip (outcome class → top, height)
COMPACT_BANDS = {"ok": (1, 5), "bad": (6, 5), "late": (6, 5), "off": (4, 4), "live": (1, 10)}
COMPACT_RUNS = 20


@dataclass(frozen=True)
class Mark:
    """A run: when it started and ended (epoch seconds; end None while it lives) and
    how it ended ("succeeded", "failed", …; "live" while running)."""
    start: float
    end: float | None
    outcome: str


def _band(outcome: str) -> tuple[str, int, int]:
    return BANDS.get(outcome, BANDS["interrupted"])


def _merged(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Whole units, touching or overlapping ones joined: a day of 2,000 runs costs what
    its 1,440 minutes can show, not a mark per run."""
    out: list[list[float]] = []
    for a, b in sorted((math.floor(a), max(math.floor(a) + 1, math.ceil(b))) for a, b in spans):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def day_strip(marks: list[Mark], now: float, title: str, rtl: bool = False,
              hours: int = 24) -> str:
    """The last `hours` up to `now`: each run from its start to its end (a minute at
    least), the live one open up to now, a grid line and label every 6 h (UTC)."""
    axis = Axis(now - hours * HOUR, now, DAY_WIDTH, rtl)
    spans: dict[str, list[tuple[float, float]]] = {}
    live = []
    for m in marks:
        if (m.end if m.end is not None else now) < axis.start:
            continue
        if m.end is None:
            live.append(axis.span(m.start, now))
            continue
        spans.setdefault(m.outcome, []).append(axis.span(m.start, m.end))
    body = [axis.ticks(6, 0, 2 * MID, 76), f'<path class="ow-mid" d="M0 {MID}H{DAY_WIDTH}"/>']
    for outcome in BANDS:
        if outcome in spans:
            cls, top, height = _band(outcome)
            d = "".join(f"M{a} {top}h{b - a}v{height}h{a - b}z"
                        for a, b in _merged([(x, x + w) for x, w in spans[outcome]]))
            body.append(f'<path class="ow-{cls}" d="{d}"/>')
    for x, w in live:
        cls, top, height = BANDS["live"]
        body.append(f'<rect class="ow-{cls}" x="{num(x)}" y="{top}" width="{num(max(w, 2))}"'
                    f' height="{height}"/>')
    return root("day", DAY_WIDTH, DAY_HEIGHT, title, "".join(body))


def compact_strip(outcomes: list[str], title: str, rtl: bool = False) -> str:
    """The last runs, oldest first, one slot each (at most COMPACT_RUNS): the newest at
    the end of the reading direction. Strokes, one path per outcome: ≈ 7 bytes a run."""
    outcomes = outcomes[-COMPACT_RUNS:]
    width = COMPACT_SLOT * COMPACT_RUNS
    paths: dict[str, list[str]] = {}
    for i, outcome in enumerate(outcomes):
        slot = len(outcomes) - 1 - i if rtl else COMPACT_RUNS - len(outcomes) + i
        cls = _band(outcome)[0]
        top, height = COMPACT_BANDS[cls]
        paths.setdefault(cls, []).append(f"M{slot * COMPACT_SLOT + 2} {top}v{height}")
    body = f'<path class="ow-mid" d="M0 6H{width}"/>' + "".join(
        f'<path class="ow-{cls}" d="{"".join(d)}"/>' for cls, d in paths.items())
    return root("compact", width, COMPACT_HEIGHT, title, body, stretch=True)


def counts(outcomes: list[str]) -> dict[str, int]:
    """How many of each outcome, in the strip's order: for the text beside it."""
    return {o: n for o in BANDS if (n := sum(1 for x in outcomes if x == o))}

