"""Pictures: the panel's charts as SVG markup, drawn by the server from plain data.

strips.py draws one agent's runs (the card's 24 h strip, the compact strip of its last
runs beside a row or an attention item); fleet.py the overview's charts (runs per hour
by outcome, success rate, live runs over the day); svg.py what they share (the root
with its role and title, escaping, the time axis and its mirroring for right-to-left).

Pure functions of data → markup string: no I/O, no Flask, no port, no translations of
their own (titles and labels come in as text, already in the page's language). Colours
are class names that opsweb.css maps to its variables, so dark mode and the
colour-blind shapes live in one stylesheet. May import the standard library only.
"""
