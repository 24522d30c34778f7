"""Terminal text made safe to show: ANSI colours become (text, css_class) spans, every
other escape sequence and control character goes.

Agent output is written for a terminal. Colour is worth keeping (red stderr says
something), cursor movement, window titles and bells are not, and a stray control
character or bidi override can garble or spoof what an operator reads. No markup is
produced here: the template escapes the text.
"""
from __future__ import annotations

import re

# Anything that needs work; text without it passes through untouched (the common case).
_DIRTY = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_ASCII_CONTROLS = bytes([*range(0x00, 0x09), *range(0x0b, 0x20), 0x7f])


def dirty(text: str) -> bool:
    """Whether clean()/render() would change the text. Cheap for the usual cases:
    printable text is checked in one C pass, ASCII text by deleting its control bytes
    (a regex character class is several times slower)."""
    if text.isprintable():
        return False
    if text.isascii():
        return len(text.encode("ascii").translate(None, _ASCII_CONTROLS)) != len(text)
    return _DIRTY.search(text) is not None

# Escape sequences, longest forms first. OSC/DCS stop at a newline when unterminated so
# that a broken sequence cannot swallow the rest of a chunk.
_ESCAPE = re.compile(
    r"\x1b\[([0-?]*)[ -/]*([@-~])"          # CSI, e.g. colours (final "m") or cursor moves
    r"|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?"  # OSC: window title, hyperlinks
    r"|\x1b[PX^_][^\x1b\n]*(?:\x1b\\)?"     # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]"                     # two-character escapes (charset, keypad...)
    r"|\x1b"                                # a lone ESC
)
# C0/C1 controls except \t \n (\r is handled first), DEL, bidi embeddings/overrides/isolates.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_SURROGATE = re.compile("[\ud800-\udfff]")

_COLOURS = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")


def _controls_out(text: str) -> str:
    # A lone \r is a terminal overwrite (progress bars); a line break keeps each state readable.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    # A lone surrogate (JSON "\\ud800" without its pair) cannot be encoded for the page.
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def clean(text: str) -> str:
    """The text with every escape sequence and control character (but \\n, \\t) removed."""
    if not dirty(text):
        return text
    return _controls_out(_ESCAPE.sub("", text))


class _Style:
    __slots__ = ("fg", "bg", "bold", "dim", "italic", "underline")

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.fg = self.bg = None
        self.bold = self.dim = self.italic = self.underline = False

    def css(self) -> str:
        parts = []
        if self.fg:
            parts.append("ow-ansi-" + self.fg)
        if self.bg:
            parts.append("ow-ansi-bg-" + self.bg)
        for flag in ("bold", "dim", "italic", "underline"):
            if getattr(self, flag):
                parts.append("ow-ansi-" + flag)
        return " ".join(parts)

    def apply(self, params: str) -> None:
        codes = [int(p) if p.isdigit() else 0 for p in params.replace(":", ";").split(";")]
        i = 0
        while i < len(codes):
            code = codes[i]
            i += 1
            if code == 0:
                self.reset()
            elif code in (38, 48):
                # Extended colour: 5;n (palette) or 2;r;g;b. Only the 16 basic ones map to a class.
                colour = None
                if i < len(codes) and codes[i] == 5 and i + 1 < len(codes):
                    n = codes[i + 1]
                    colour = _COLOURS[n] if n < 8 else "bright-" + _COLOURS[n - 8] if n < 16 else None
                    i += 2
                elif i < len(codes) and codes[i] == 2:
                    i += 4
                if code == 38:
                    self.fg = colour
                else:
                    self.bg = colour
            elif 30 <= code <= 37:
                self.fg = _COLOURS[code - 30]
            elif 90 <= code <= 97:
                self.fg = "bright-" + _COLOURS[code - 90]
            elif 40 <= code <= 47:
                self.bg = _COLOURS[code - 40]
            elif 100 <= code <= 107:
                self.bg = "bright-" + _COLOURS[code - 100]
            elif code == 39:
                self.fg = None
            elif code == 49:
                self.bg = None
            elif code == 1:
                self.bold = True
            elif code == 2:
                self.dim = True
            elif code == 22:
                self.bold = self.dim = False
            elif code == 3:
                self.italic = True
            elif code == 23:
                self.italic = False
            elif code == 4:
                self.underline = True
            elif code == 24:
                self.underline = False


def render(text: str) -> tuple[str, tuple[tuple[str, str], ...] | None]:
    """(plain text, spans). spans is None when no colour survives, else a tuple of
    (text, css_class) whose texts join to the plain text; css_class "" means unstyled."""
    if not dirty(text):
        return text, None
    if "\x1b[" not in text:
        return clean(text), None
    style = _Style()
    spans: list[list[str]] = []
    styled = False
    pos = 0

    def add(segment: str) -> None:
        segment = _controls_out(segment)
        if not segment:
            return
        css = style.css()
        if spans and spans[-1][1] == css:
            spans[-1][0] += segment
        else:
            spans.append([segment, css])

    for match in _ESCAPE.finditer(text):
        add(text[pos:match.start()])
        pos = match.end()
        params, final = match.group(1), match.group(2)
        if final == "m" and params is not None and not params.strip("0123456789;:"):
            style.apply(params)
            styled = styled or bool(style.css())
    add(text[pos:])
    plain = "".join(s for s, _ in spans)
    if not styled or all(not css for _, css in spans):
        return plain, None
    return plain, tuple((s, css) for s, css in spans)
