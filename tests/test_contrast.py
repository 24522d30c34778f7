"""The light and the dark palette of opsweb.css, read from the stylesheet itself: every
text colour on every surface it sits on reaches WCAG AA (4.5:1), and the charts' marks
reach 3:1 (non-text contrast) on the panel, in both. The browser's computed colours are
checked in tests/browser/test_dark_in_browser.py."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[1] / "opsweb" / "static" / "opsweb.css"
_VAR = re.compile(r"--ow-([a-z-]+): (#[0-9a-f]{6}|#[0-9a-f]{3})\b")

# text colour → the surfaces it is drawn on
TEXT_ON = {
    "ink": ("panel", "bg", "hover", "quiet-bg", "hit"),  # hit: a search match, marked
    "muted": ("panel", "bg", "hover", "quiet-bg"),
    "faint": ("panel", "bg", "hover", "quiet-bg"),
    "ok": ("ok-bg", "panel"), "warn": ("warn-bg", "panel"), "bad": ("bad-bg", "panel"),
    "info": ("info-bg", "panel"), "quiet": ("quiet-bg", "panel"), "on-bad": ("bad",),
}
MARKS = ("mark-ok", "mark-bad", "mark-late", "mark-off", "mark-live")


def palettes() -> dict[str, dict[str, str]]:
    """The first block's variables (light), and the dark block's over them."""
    css = CSS.read_text()
    light_block = css[:css.index("}")]
    dark_at = css.index("@media (prefers-color-scheme: dark)")
    dark_block = css[dark_at:css.index("}", dark_at)]
    light = dict(_VAR.findall(light_block))
    return {"light": light, "dark": {**light, **dict(_VAR.findall(dark_block))}}


def luminance(colour: str) -> float:
    if len(colour) == 4:  # #fff
        colour = "#" + "".join(c * 2 for c in colour[1:])
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ratio(a: str, b: str) -> float:
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


@pytest.mark.parametrize("name", ["light", "dark"])
def test_every_text_colour_reads_at_4_5_to_1_on_its_surfaces(name):
    colours = palettes()[name]
    low = {(text, surface): round(ratio(colours[text], colours[surface]), 2)
           for text, surfaces in TEXT_ON.items() for surface in surfaces
           if ratio(colours[text], colours[surface]) < 4.5}
    assert not low, low


@pytest.mark.parametrize("name", ["light", "dark"])
def test_chart_marks_stand_out_at_3_to_1_on_the_panel(name):
    colours = palettes()[name]
    low = {m: round(ratio(colours[m], colours["panel"]), 2) for m in MARKS
           if ratio(colours[m], colours["panel"]) < 3}
    assert not low, low


def test_the_dark_palette_redefines_every_surface_and_text_colour():
    light, dark = palettes()["light"], palettes()["dark"]
    names = set(TEXT_ON) | {s for v in TEXT_ON.values() for s in v} | set(MARKS)
    same = sorted(n for n in names if light[n] == dark[n])
    assert not same, same
