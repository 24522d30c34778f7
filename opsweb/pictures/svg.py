"""What every picture shares: the root element, escaping, time ticks, mirroring."""
from __future__ import annotations

from html import escape

HOUR = 3600.0


def esc(text: object) -> str:
    """Text inside SVG is agent-controlled at times (names): escaped like HTML."""
    return escape(str(text), quote=True)


def root(kind: str, width: int, height: int, title: str, body: str, stretch: bool = False) -> str:
    """An SVG that scales to its box's width. `direction="ltr"` keeps numbers and the
    coordinates' meaning left to right in a right-to-left page: mirroring is done on
    the x positions (`Axis.x`), where it is a choice, not by the page's direction.
    `stretch`: the box's shape is the stylesheet's (marks of vertical strokes only)."""
    fit = ' preserveAspectRatio="none"' if stretch else ""
    return (f'<svg class="ow-pic ow-pic-{kind}" role="img" viewBox="0 0 {width} {height}"'
            f' direction="ltr"{fit}><title>{esc(title)}</title>{body}</svg>')


def num(value: float) -> str:
    """Coordinates with at most one decimal and no trailing zeros: bytes count."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


class Axis:
    """Time from `start` to `end` (epoch seconds) onto 0…width; in a right-to-left page
    time runs from right to left, as Hebrew reads."""

    def __init__(self, start: float, end: float, width: float, rtl: bool = False, left: float = 0):
        self.start, self.end, self.width, self.rtl, self.left = start, end, width, rtl, left

    def x(self, t: float) -> float:
        share = (min(max(t, self.start), self.end) - self.start) / (self.end - self.start)
        return self.left + self.width * (1 - share if self.rtl else share)

    def span(self, t0: float, t1: float) -> tuple[float, float]:
        """The leftmost x and the width of [t0, t1], whichever way time runs."""
        a, b = self.x(t0), self.x(t1)
        return min(a, b), abs(b - a)

    def ticks(self, every_hours: int, y0: float, y1: float, label_y: float) -> str:
        """Grid lines on the UTC hours that are multiples of `every_hours`, labelled HH:00."""
        step = every_hours * HOUR
        t = (self.start // step + 1) * step
        lines, labels = [], []
        while t < self.end:
            x = num(self.x(t))
            lines.append(f"M{x} {num(y0)}V{num(y1)}")
            labels.append(f'<text x="{x}" y="{num(label_y)}">{int(t // HOUR % 24):02d}:00</text>')
            t += step
        grid = f'<path class="ow-grid" d="{"".join(lines)}"/>' if lines else ""
        return grid + "".join(labels)
