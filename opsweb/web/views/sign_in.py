"""Sign-in and sign-out pages (tokens mode): a token from the form becomes a
server-side session (web/sessions.py); `next` only ever leads back to this server."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request, session, url_for

from opsweb.actions.audit import AuditUnavailable
from opsweb.i18n.said import Said
from opsweb.web import csrf, errors


def safe_next(target: str | None) -> str:
    """Only a path on this server: never an open redirect to another site."""
    default = url_for("opsweb_panel.page")
    # printable ASCII only: a CR/LF would split the Location header (a 500 in werkzeug)
    if (not target or not target.startswith("/") or target.startswith("//") or "\\" in target
            or not (target.isascii() and target.isprintable())):
        return default
    try:
        parts = urlsplit(target)
    except ValueError:
        return default
    return default if parts.scheme or parts.netloc else target


def login():
    """GET: the sign-in form; POST: a token from it. Only in tokens mode."""
    gate = current_app.extensions["opsweb"].gate
    if gate.mode != "tokens":
        return errors.error_html(Said("Sign-in is not used here"), 404), 404
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("opsweb/login.html", csrf_token=csrf.csrf_token(),
                               next=target, problem=None)
    why = csrf.refusal(json_twin=False, allow_form=True)
    if why:
        return render_template("opsweb/login.html", csrf_token=csrf.csrf_token(), next=target,
                               problem=why), 403
    try:
        name = gate.sign_in(request.form.get("token", "").strip())
    except AuditUnavailable as err:
        current_app.logger.error("sign-in refused, sessions cannot be recorded: %s", err)
        return render_template("opsweb/login.html", csrf_token=csrf.csrf_token(), next=target,
                               problem="Sign-in is unavailable right now (the audit database"
                                       " cannot record it). Try again shortly."), 503
    if not name:
        current_app.logger.warning("failed sign-in from %s", request.remote_addr)
        return render_template("opsweb/login.html", csrf_token=csrf.csrf_token(), next=target,
                               problem=Said("That token names no operator.")), 401
    current_app.logger.info("operator %s signed in from %s", name, request.remote_addr)
    return redirect(target)


def logout():
    why = csrf.refusal(json_twin=False, allow_form=True)
    if why:
        return errors.error_html(why, 403), 403
    try:
        current_app.extensions["opsweb"].gate.sign_out()
    except AuditUnavailable as err:
        current_app.logger.error("sign-out not recorded: %s", err)
        session.clear()
        return errors.error_html("The sign-out could not be recorded, so this session may still"
                                 " be valid elsewhere. Try again shortly.", 503), 503
    return redirect(url_for("opsweb_panel.login"))
