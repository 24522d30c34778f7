"""What every view shares: the Operations object, which family is answering, strict
query parameters, and one `respond` that renders a payload as JSON or a template."""
from __future__ import annotations


from flask import (abort, current_app, jsonify, render_template, request)
from markupsafe import Markup

from opsweb.fleet.filters import COLLAPSED_CHARS
from opsweb.fleet.search import MAX_QUERY
from opsweb.i18n.said import Said
from opsweb.web import csrf
from opsweb.web.blueprints import api


MAX_PARAM_CHARS = 64
LONG_PARAMS = {"collapsed": COLLAPSED_CHARS,  # a list of company ids
               "q": MAX_QUERY}  # a search's text
PANEL_VERSION_HEADER = "X-Opsweb-Panel-Version"


def ops():
    return current_app.extensions["opsweb"]


def json_twin() -> bool:
    return request.blueprint == api.name


def params(*allowed: str) -> dict[str, str]:
    """Query parameters, refusing ones this route does not know and oversized values,
    so that a typo is an error rather than a silently ignored filter."""
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        abort(400, f"Unknown query parameter: {', '.join(unknown)[:100]}")
    for name, values in request.args.lists():
        if len(values) > 1:  # which one would count is a guess; say so instead
            abort(400, f"Query parameter {name} is given {len(values)} times; give it once")
        limit = LONG_PARAMS.get(name, MAX_PARAM_CHARS)
        if len(values[0]) > limit:
            abort(400, f"Query parameter {name} is too long (at most {limit} characters)")
    return request.args.to_dict()


def whole_number(args: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    """ASCII digits only: int() would also take "１", "١", "+5", " 5" and "5_0"."""
    value = args.get(name)
    if value is None:
        return default
    if not (value.isascii() and value.isdigit()):
        abort(400, f"{name} must be a whole number (digits 0-9)")
    number = int(value)
    if not low <= number <= high:
        abort(400, f"{name} must be between {low} and {high}")
    return number


def known_company(company_id: str | None, companies: list[dict], listed: bool = True) -> None:
    """A `company=` filter naming no company this panel reads is a 404 that names it,
    not a 200 with nothing in it. Unless the company list itself could not be read
    (`listed` False): then nobody can tell, and the filter just finds nothing."""
    if company_id and listed and company_id not in {c.get("id") for c in companies}:
        abort(404, Said("Unknown company %(id)s: it is not among the companies this panel"
                        " reads", id=company_id))


def respond(template: str, payload: dict, status: int = 200, title: str | None = None,
            **context):
    """The JSON twin, the fragment htmx asked for, or — the fragment's URL opened on its
    own — the fragment inside a page of its own (`title`), so that it is styled and
    its buttons work (the dialog they open, the CSRF header they send)."""
    if json_twin():
        return jsonify(payload), status
    html = render_template(template, **context)
    if title is None or request.headers.get("HX-Request"):
        return html, status
    return render_template("opsweb/fragment_page.html", title=title, body=Markup(html),
                           csrf_token=csrf.csrf_token()), status


