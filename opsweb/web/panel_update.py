"""Answers to the panel's poll: nothing (204), changed rows only, or the whole fragment.

The poller sends back the version it shows. Each render is remembered (digests only,
per process) so that the next poll can be answered with out-of-band swaps of what
changed (panel_diff); a version this process never rendered, or forgot, gets the
whole fragment, retargeted at the panel root.
"""
from __future__ import annotations

from flask import Response, current_app, render_template
from markupsafe import Markup

from opsweb.web import panel_diff

ROOT_ID = "ow-agents"
ROWS_ID = "ow-rows"
_MARKS = {"ow_row": Markup(panel_diff.ROW), "ow_part": Markup(panel_diff.PART),
          "ow_viewer": Markup(panel_diff.VIEWER)}


def _versions() -> panel_diff.Versions:
    return current_app.extensions.setdefault("opsweb_panel_versions", panel_diff.Versions())


def render(context: dict) -> panel_diff.Rendered:
    """The agents fragment, remembered under its version."""
    marked = render_template("opsweb/agents.html", **_MARKS, **context)
    rendered = panel_diff.split(marked, ignore=(context["csrf_token"],))
    _versions().remember(context["version"], rendered)
    return rendered


def answer(context: dict, shown: str | None) -> Response:
    if shown == context["version"]:
        return Response(status=204)
    rendered = render(context)
    if shown is None:  # a first load (the page, or a host's hx-trigger="load")
        return Response(rendered.html)
    old = _versions().get(shown)
    changes = panel_diff.plan(old, rendered, ROWS_ID) if old else None
    if changes is not None:
        return Response(changes, headers={"HX-Reswap": "none"})
    return Response(rendered.html, headers={"HX-Retarget": f"#{ROOT_ID}",
                                            "HX-Reswap": "outerHTML"})
