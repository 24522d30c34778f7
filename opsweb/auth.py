"""Who may use the panel, and under which name their actions are audited.

Three modes, chosen once per app:
- host: `init_app(app, operator=callable)`: the host app's own login applies; the
  callable returns the operator's name for the current request, or None to refuse
  (it may also abort(), e.g. to redirect to the host's login page).
- tokens: `OPSWEB_OPERATOR_TOKENS` names operators and their tokens. curl sends
  `Authorization: Bearer <token>`; a browser signs in once with the login form and
  then carries a signed session cookie.
- local (neither): anyone connecting from the loopback interface, as operator
  `local`; other addresses are refused, so binding 0.0.0.0 without tokens exposes
  nothing.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import re
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit

from flask import (current_app, g, jsonify, redirect, render_template, request, session,
                   url_for)

from opsweb.said import Said

OPERATOR_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")
MIN_TOKEN_CHARS = 16  # tokens are secrets, not passwords a person types from memory
MIN_SECRET_KEY_CHARS = 16
LOCAL_OPERATOR = "local"
_SESSION = "opsweb_operator"  # {"key": token fingerprint, "at": sign-in time}


class AuthConfigError(ValueError):
    """A setting that would leave the panel open or unusable; opsweb refuses to start."""


def parse_tokens(value: str | None) -> dict[str, str]:
    """`alice:TOKEN,bob:TOKEN`, or the path of a file with one `name:token` per line
    (blank lines and `#` comments skipped): {token: operator name}."""
    if not value or not value.strip():
        return {}
    value = value.strip()
    if os.path.isfile(value):
        with open(value, encoding="utf-8") as f:
            items = f.read().splitlines()
    else:
        items = value.split(",")
    tokens: dict[str, str] = {}
    for number, item in enumerate(items, 1):
        item = item.strip()
        if not item or item.startswith("#"):
            continue
        name, sep, token = (part.strip() for part in item.partition(":"))
        if not sep or not OPERATOR_NAME.fullmatch(name):
            raise AuthConfigError(f"OPSWEB_OPERATOR_TOKENS entry {number}: expected"
                                  " name:token with a name of letters, digits, . _ @ + -")
        if len(token) < MIN_TOKEN_CHARS or any(c.isspace() or c == "," for c in token):
            raise AuthConfigError(f"OPSWEB_OPERATOR_TOKENS: the token of {name} must be at least"
                                  f" {MIN_TOKEN_CHARS} characters without spaces or commas")
        if token in tokens:
            raise AuthConfigError(f"OPSWEB_OPERATOR_TOKENS: {name} and {tokens[token]} share a token")
        tokens[token] = name
    return tokens


def _fingerprint(token: str) -> str:
    # The session keeps a fingerprint, not the token: a leaked cookie does not leak
    # the curl credential, and removing a token signs its browsers out.
    return hashlib.sha256(b"opsweb-session:" + token.encode()).hexdigest()[:32]


def _is_loopback(addr: str | None) -> bool:
    try:
        ip = ipaddress.ip_address((addr or "").split("%")[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


@dataclass
class Gate:
    tokens: dict[str, str] = field(default_factory=dict)  # token → operator
    hook: Callable[[], str | None] | None = None
    session_seconds: float = 12 * 3600

    def __post_init__(self):
        self._by_fingerprint = {_fingerprint(t): n for t, n in self.tokens.items()}

    @property
    def mode(self) -> str:
        return "host" if self.hook else "tokens" if self.tokens else "local"

    def name_for_token(self, token: str) -> str | None:
        """Constant time over every known token, so timing says nothing about them."""
        found = None
        for known, name in self.tokens.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                found = name
        return found

    # -- per request -----------------------------------------------------------

    def identify(self) -> tuple[str, str] | None:
        """(operator, how) for this request, or None when nobody is signed in.
        Raises Refused for a token that names nobody."""
        if self.hook:
            name = self.hook()
            return (str(name), "host") if name else None
        if not self.tokens:
            return (LOCAL_OPERATOR, "local") if _is_loopback(request.remote_addr) else None
        auth = request.headers.get("Authorization", "")
        if auth[:7].lower() == "bearer ":
            name = self.name_for_token(auth[7:].strip())
            if name is None:
                raise Refused(Said("Unknown operator token"))
            return name, "bearer"
        signed = session.get(_SESSION)
        if isinstance(signed, dict):
            name = self._by_fingerprint.get(str(signed.get("key")))
            at = signed.get("at")
            if name and isinstance(at, (int, float)) and time.time() - at < self.session_seconds:
                return name, "session"
        return None

    def sign_in(self, token: str) -> str | None:
        name = self.name_for_token(token)
        if name:
            session.clear()  # a fresh session (and CSRF token) for the signed-in operator
            session[_SESSION] = {"key": _fingerprint(token), "at": time.time()}
        return name


class Refused(Exception):
    pass


def _gate() -> Gate:
    return current_app.extensions["opsweb"].gate


def why_refused() -> str:
    mode = _gate().mode
    if mode == "host":
        return Said("Not signed in: the host application did not name an operator")
    if mode == "local":
        return Said("opsweb has no operators configured, so only 127.0.0.1 may use it"
                    " (set OPSWEB_OPERATOR_TOKENS)")
    return Said("Sign in first: a browser uses the login page, curl sends Authorization:"
                " Bearer <token>")


def require_operator(json_twin: bool):
    """before_request for every opsweb route: sets g.opsweb_operator and g.opsweb_via,
    or answers 401 (a redirect to the login page for a browser's page load)."""
    if request.endpoint in ("opsweb_panel.static", "opsweb_panel.login"):
        return None
    gate = _gate()
    try:
        who = gate.identify()
    except Refused as err:
        current_app.logger.warning("refused %s %s from %s: %s", request.method, request.path,
                                   request.remote_addr, err)
        return _refuse(err.args[0], json_twin, gate)
    if who is None:
        return _refuse(why_refused(), json_twin, gate)
    g.opsweb_operator, g.opsweb_via = who
    return None


def _refuse(message: str, json_twin: bool, gate: Gate):
    status = 403 if gate.mode == "local" else 401
    if json_twin or gate.mode != "tokens":
        if json_twin:
            resp = jsonify({"error": message})
        else:
            resp = current_app.response_class(
                render_template("opsweb/error.html", message=message, status=status))
        resp.status_code = status
        if status == 401 and gate.mode == "tokens":
            resp.headers["WWW-Authenticate"] = 'Bearer realm="opsweb"'
        return resp
    login = url_for("opsweb_panel.login", next=request.full_path.rstrip("?"))
    if request.headers.get("HX-Request") or request.method != "GET":
        # htmx follows HX-Redirect whatever the status: a panel whose sign-in expired
        # goes to the login page instead of swapping an error in place of the table.
        resp = current_app.response_class(
            render_template("opsweb/error.html", message=message, status=401), 401)
        resp.headers["HX-Redirect"] = login
        return resp
    return redirect(login)


def safe_next(target: str | None) -> str:
    """Only a path on this server: never an open redirect to another site."""
    default = url_for("opsweb_panel.page")
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    return default if parts.scheme or parts.netloc else target


def login():
    """GET: the sign-in form; POST: a token from it. Only in tokens mode."""
    from opsweb import csrf
    gate = _gate()
    if gate.mode != "tokens":
        return render_template("opsweb/error.html", message=Said("Sign-in is not used here"),
                               status=404), 404
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("opsweb/login.html", csrf_token=csrf.csrf_token(),
                               next=target, problem=None)
    why = csrf.refusal(json_twin=False, allow_form=True)
    if why:
        return render_template("opsweb/login.html", csrf_token=csrf.csrf_token(), next=target,
                               problem=why), 403
    name = gate.sign_in(request.form.get("token", "").strip())
    if not name:
        current_app.logger.warning("failed sign-in from %s", request.remote_addr)
        return render_template("opsweb/login.html", csrf_token=csrf.csrf_token(), next=target,
                               problem=Said("That token names no operator.")), 401
    current_app.logger.info("operator %s signed in from %s", name, request.remote_addr)
    return redirect(target)


def logout():
    from opsweb import csrf
    why = csrf.refusal(json_twin=False, allow_form=True)
    if why:
        return render_template("opsweb/error.html", message=why, status=403), 403
    session.clear()
    return redirect(url_for("opsweb_panel.login"))
