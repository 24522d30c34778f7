"""How opsweb says what went wrong: `{"error": …}` for a JSON twin, a small fragment
for the panel — a sentence for a person, never a traceback or a bare 500."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from opsweb import platform_port as port
from opsweb.i18n.said import Said

# Flask prefers a host app's handler for a status code over a blueprint's handler for
# an exception class, so the codes opsweb answers with are registered one by one too.
_CODES = (HTTPException, 400, 401, 403, 404, 405, 413, 415, 429, 503)

# What a platform failure means to opsweb's own caller: a malformed id is the
# caller's mistake, an unknown one is a 404 as Paperclip said, a platform that did not
# answer in time is a gateway timeout, and anything else is a bad gateway.
_STATUS = ((port.InvalidId, 400), (port.NotFound, 404), (port.Timeout, 504))


def status_for(err: port.PlatformError) -> int:
    return next((status for kind, status in _STATUS if isinstance(err, kind)), 502)


def error_html(message: str, status: int) -> str:
    """The panel's error: a fragment where htmx swaps it in, else a styled page of its
    own with the way back (a URL opened in the address bar, a sign-in refusal)."""
    template = "opsweb/error.html" if request.headers.get("HX-Request") else "opsweb/error_page.html"
    return render_template(template, message=message, status=status)


def _named(err: port.PlatformError) -> str:
    """Paperclip's 404 says "Run not found", not which: the answer names the id."""
    args = request.view_args or {}
    if isinstance(err, port.NotFound) and "run_id" in args:
        return Said("%(message)s (run %(id)s)", message=err.message, id=str(args["run_id"])[:64])
    if isinstance(err, port.NotFound) and "agent_id" in args:
        return Said("%(message)s (agent %(id)s)", message=err.message,
                    id=str(args["agent_id"])[:64])
    return err.message


def register(panel: Blueprint, api: Blueprint) -> None:
    def answer(status: int, message: str):
        if request.blueprint == api.name:
            return jsonify({"error": message}), status
        return error_html(message, status), status

    def platform_error(err: port.PlatformError):
        current_app.logger.warning("%s %s: %s", request.method, request.path, err.message)
        return answer(status_for(err), _named(err))

    def http_error(err: HTTPException):
        message = err.description
        if err.code == 413:  # werkzeug's own sentence does not say what to send instead
            message = Said("The request body is too large: Stop and Reset take an empty object, {}")
        resp = current_app.make_response(answer(err.code, message))
        said = err.get_response().headers  # a 405 names the allowed methods, a 429 when
        for name in ("Allow", "Retry-After"):  # to come back
            if said.get(name):
                resp.headers[name] = said[name]
        return resp

    def unexpected(err: Exception):
        current_app.logger.exception("unexpected error on %s %s", request.method, request.path)
        return answer(500, Said("opsweb hit an unexpected error; it has been logged."))

    for bp in (panel, api):
        bp.register_error_handler(port.PlatformError, platform_error)
        for code in _CODES:
            bp.register_error_handler(code, http_error)
        bp.register_error_handler(Exception, unexpected)
