"""The panel's two blueprints: HTML (the page and its htmx fragments) and JSON
(the curl twins), with what every answer of theirs shares: an operator first, the
security headers, the page's filters and context."""
from __future__ import annotations

from pathlib import Path

from flask import (Blueprint, current_app, g)

from opsweb.actions import reason
from opsweb.i18n import language, timefmt
from opsweb.web import auth, charts, embed, headers, static_assets


# templates/ and static/ stay at the package's top, beside the translations
ROOT = str(Path(__file__).resolve().parents[1])
panel = Blueprint("opsweb_panel", __name__, root_path=ROOT, template_folder="templates",
                  static_folder="static", static_url_path="/static/opsweb")
api = Blueprint("opsweb_api", __name__)
for _name, _filter in timefmt.filters(language.gettext).items():  # the page's language
    panel.add_app_template_filter(_filter, _name)
embed.register(panel)
# Embedded answers carry the same headers as standalone ones.
panel.after_request(headers.secure)
api.after_request(headers.secure)
panel.add_app_template_filter(language.label_filter, "ow_label")
panel.context_processor(language.page_attributes)
static_assets.register(panel)
charts.register(panel)
panel.add_app_template_global(reason.PAUSE_REASON_NOT_KEPT, "ow_pause_reason_not_kept")


@panel.context_processor
def _paperclip_ui():
    """Where Paperclip's own UI lives, for links to its run and agent pages (its
    unprefixed routes redirect to the company's)."""
    url = current_app.config.get("OPSWEB_PAPERCLIP_PUBLIC_URL")
    return {"paperclip_ui": url.rstrip("/") if url else None}


@panel.context_processor
def _operator():
    return {"operator": g.get("opsweb_operator"), "operator_via": g.get("opsweb_via")}


# Every route needs an operator (auth.py): before anything else, Paperclip included.
panel.before_request(lambda: auth.require_operator(json_twin=False))
api.before_request(lambda: auth.require_operator(json_twin=True))

