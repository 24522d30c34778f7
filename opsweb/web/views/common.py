"""What every view shares: the Operations object, which family is answering, strict
query parameters, and one `respond` that renders a payload as JSON or a template."""
from __future__ import annotations


from flask import (abort, current_app, jsonify, render_template, request)

from opsweb.fleet.filters import COLLAPSED_CHARS
from opsweb.web.blueprints import api


MAX_PARAM_CHARS = 64
LONG_PARAMS = {"collapsed": COLLAPSED_CHARS}  # a list of company ids
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
        if len(values[0]) > LONG_PARAMS.get(name, MAX_PARAM_CHARS):
            abort(400, f"Query parameter {name} is too long")
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


def respond(template: str, payload: dict, status: int = 200, **context):
    if json_twin():
        return jsonify(payload), status
    return render_template(template, **context), status


