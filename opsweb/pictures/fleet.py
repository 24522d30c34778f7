"""The overview's charts: runs per hour by outcome (stacked), the success rate per
hour, and live runs over the day as opsweb observed them.

Failures are hatched and timeouts dotted, so the stack reads without telling red from
green; the rate's points are marks of their own; a gap in what was observed is a gap
in the line, not a fall to zero.
"""
from __future__ import annotations

from opsweb.pictures.svg import HOUR, Axis, esc, num, root

WIDTH, HEIGHT = 720, 196
TOP, BOTTOM, SIDE = 26, 166, 40  # the plot's box; labels below it and on its start side
# bottom to top: what went well at the base, failures on top where the eye lands
STACK = (("succeeded", "ok"), ("cancelled", "off"), ("interrupted", "off"),
         ("timed_out", "late"), ("failed", "bad"))
# failures and timeouts fill with their patterns (opsweb.css: .ow-bar-bad, .ow-bar-late)
FILLS = {"ok": "ow-ok", "off": "ow-off", "late": "ow-bar-late", "bad": "ow-bar-bad"}
PATTERNS = (
    '<defs><pattern id="ow-pat-bad" width="6" height="6" patternUnits="userSpaceOnUse"'
    ' patternTransform="rotate(45)"><rect class="ow-bad" width="6" height="6"/>'
    '<path class="ow-hatch" d="M0 0V6"/></pattern>'
    '<pattern id="ow-pat-late" width="5" height="5" patternUnits="userSpaceOnUse">'
    '<rect class="ow-late" width="5" height="5"/><circle class="ow-dot" cx="2.5" cy="2.5" r="1.1"/>'
    '</pattern></defs>')


def nice_top(value: float) -> int:
    """The smallest 1, 2 or 5 × 10ⁿ at or above `value` (at least 1): round axis labels."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def _frame(axis: Axis, top_value: float, label: str, rtl: bool) -> str:
    """Grid at 0, half and the top, labelled on the start side; hour ticks every 6 h."""
    y_label_x = WIDTH - SIDE + 6 if rtl else SIDE - 6
    anchor = "start" if rtl else "end"
    rows = []
    for share in (0, .5, 1):
        y = num(BOTTOM - (BOTTOM - TOP) * share)
        rows.append(f'<text x="{y_label_x}" y="{y}" dy="4" text-anchor="{anchor}">'
                    f'{esc(label.format(num(top_value * share)))}</text>')
    grid = "".join(f"M{SIDE} {num(BOTTOM - (BOTTOM - TOP) * s)}H{WIDTH - SIDE}" for s in (.5, 1))
    return (f'<path class="ow-grid" d="{grid}"/><path class="ow-axis" d="M{SIDE} {BOTTOM}'
            f'H{WIDTH - SIDE}"/>' + "".join(rows) + axis.ticks(6, TOP, BOTTOM, BOTTOM + 20))


def _axis(start: float, hours: int, rtl: bool) -> Axis:
    return Axis(start, start + hours * HOUR, WIDTH - 2 * SIDE, rtl, left=SIDE)


def _legend(names: dict[str, str], rtl: bool) -> str:
    """Swatches with their words along the top, from the start side."""
    out, x = [], SIDE
    for outcome, cls in STACK:
        if outcome == "interrupted":  # drawn alike with cancelled: one entry
            continue
        word = names.get(outcome, outcome)
        left = WIDTH - x - 12 if rtl else x
        text_x = left - 4 if rtl else left + 16
        out.append(f'<rect class="{FILLS[cls]}" x="{left}" y="6" width="12" height="12"/>'
                   f'<text x="{text_x}" y="16"'
                   f' text-anchor="{"end" if rtl else "start"}">{esc(word)}</text>')
        x += 28 + 7 * len(word)
    return "".join(out)


def runs_per_hour(hours: list[dict[str, int]], start: float, title: str,
                  names: dict[str, str], rtl: bool = False) -> str:
    """`hours[i]`: the runs that finished in hour i after `start`, by outcome."""
    axis = _axis(start, len(hours), rtl)
    top = nice_top(max((sum(h.values()) for h in hours), default=0))
    scale = (BOTTOM - TOP) / top
    bars: dict[str, list[str]] = {}
    for i, hour in enumerate(hours):
        x, w = axis.span(start + i * HOUR, start + (i + 1) * HOUR)
        y = float(BOTTOM)
        for outcome, cls in STACK:
            n = hour.get(outcome, 0)
            if n:
                h = n * scale
                y -= h
                bars.setdefault(cls, []).append(f"M{num(x + 1)} {num(y)}h{num(w - 2)}v{num(h)}"
                                                f"h{num(2 - w)}z")
    body = "".join(f'<path class="{FILLS[cls]}" d="{"".join(d)}"/>' for cls, d in bars.items())
    return root("hours", WIDTH, HEIGHT, title,
                PATTERNS + _frame(axis, top, "{}", rtl) + body + _legend(names, rtl))


def success_rate(rates: list[float | None], start: float, title: str, rtl: bool = False) -> str:
    """`rates[i]`: the share of hour i's finished runs that succeeded (None: none ended)."""
    axis = _axis(start, len(rates), rtl)
    points = [(axis.x(start + (i + .5) * HOUR), BOTTOM - (BOTTOM - TOP) * r)
              for i, r in enumerate(rates) if r is not None]
    hours = [i for i, r in enumerate(rates) if r is not None]
    line = "".join(("L" if i and hours[i - 1] == hours[i] - 1 else "M") + f"{num(x)} {num(y)}"
                   for i, (x, y) in enumerate(points))
    dots = "".join(f'<circle cx="{num(x)}" cy="{num(y)}" r="3.5"/>' for x, y in points)
    body = (f'<path class="ow-line" d="{line}"/><g class="ow-points">{dots}</g>'
            if points else "")
    return root("rate", WIDTH, HEIGHT, title, _frame(axis, 100, "{}%", rtl) + body)


def live_runs(samples: list[tuple[float, int]], start: float, end: float, title: str,
              rtl: bool = False, gap: float = 180) -> str:
    """`samples`: (epoch seconds, live runs) as observed, oldest first; a silence of more
    than `gap` seconds between two of them breaks the line (nobody was reading)."""
    axis = Axis(start, end, WIDTH - 2 * SIDE, rtl, left=SIDE)
    top = nice_top(max((n for _, n in samples), default=0))
    scale = (BOTTOM - TOP) / top
    d, last = [], None
    for t, n in samples:
        if t < start:
            continue
        x, y = num(axis.x(t)), num(BOTTOM - n * scale)
        d.append(f"M{x} {y}" if last is None or t - last > gap else f"H{x}V{y}")
        last = t
    seen = [(t, n) for t, n in samples if t >= start]
    if not seen:
        return root("live", WIDTH, HEIGHT, title, _frame(axis, top, "{}", rtl))
    since = f'<path class="ow-since" d="M{num(axis.x(seen[0][0]))} {TOP}V{BOTTOM}"/>'
    last = (f'<g class="ow-points"><circle cx="{num(axis.x(seen[-1][0]))}"'
            f' cy="{num(BOTTOM - seen[-1][1] * scale)}" r="3.5"/></g>')  # the latest count
    return root("live", WIDTH, HEIGHT, title, _frame(axis, top, "{}", rtl) + since
                + f'<path class="ow-line" d="{"".join(d)}"/>' + last)


SPEND_ROW, SPEND_NAME, SPEND_WINDOW = 44, 150, 150  # a company's band; its two word columns


def _words(x: float, y: float, text: str, rtl: bool) -> str:
    """Words that may be Hebrew, from `x` towards the page's end: `direction` makes the
    bidi order right inside the picture's left-to-right coordinates."""
    bidi = ' direction="rtl"' if rtl else ""
    return f'<text x="{num(x)}" y="{num(y)}"{bidi} text-anchor="start">{esc(text)}</text>'


def spend_per_hour(companies: list[tuple[str, list[float]]], windows: list[str], title: str,
                   rtl: bool = False) -> str:
    """`companies`: (name, dollars per hour in each of `windows`, oldest first) — Paperclip
    gives three windows ending now, not an hourly series. One band per company, one bar
    per window on one shared scale, each named by its window in words beside it and its
    value at its end, so no colour has to be told apart."""
    top = max((r for _, rates in companies for r in rates), default=0) or 1
    left = SPEND_NAME + SPEND_WINDOW
    span = WIDTH - left - 70
    body = []
    for i, (name, rates) in enumerate(companies):
        y0 = 8 + i * SPEND_ROW
        body.append(_words(WIDTH - 4 if rtl else 4, y0 + 20, name[:22], rtl))
        for j, (window, rate) in enumerate(zip(windows, rates)):
            y, w = y0 + j * 12, max(rate / top * span, 1)
            x = WIDTH - left - w if rtl else left
            value_x = x - 6 if rtl else x + w + 6
            body.append(_words(WIDTH - SPEND_NAME if rtl else SPEND_NAME, y + 8, window, rtl)
                        + f'<rect class="ow-spend-bar ow-spend-{j}" x="{num(x)}" y="{y}"'
                        f' width="{num(w)}" height="9"/><text x="{num(value_x)}" y="{y + 8}"'
                        f' text-anchor="{"end" if rtl else "start"}">${rate:.2f}</text>')
    return root("spend", WIDTH, 10 + SPEND_ROW * max(len(companies), 1), title, "".join(body))
