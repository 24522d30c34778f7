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
import secrets
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit

from flask import (current_app, g, jsonify, redirect, render_template, request, session,
                   url_for)

from opsweb.web import errors, hosts
from opsweb.actions.audit import AuditUnavailable
from opsweb.web.sessions import Sessions
from opsweb.i18n.said import Said

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
    allowed_hosts: tuple[str, ...] = ()  # Host names served with operators; () = any
    sessions: Sessions | None = None  # sign-ins, revocable on every instance
    clock: Callable[[], float] = time.time  # epoch seconds: when a sign-in expires

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
            if (name and isinstance(at, (int, float)) and self.clock() - at < self.session_seconds
                    and self._live(signed.get("sid"), name)):
                return name, "session"
        return None

    def _live(self, sid, name: str) -> bool:
        """Not signed out: the session id is still open in the shared store."""
        if not isinstance(sid, str) or self.sessions is None:
            return False
        try:
            return self.sessions.operator(sid) == name
        except AuditUnavailable as err:
            raise Refused(f"Sessions cannot be checked right now: {err}") from None

    def sign_in(self, token: str) -> str | None:
        """Raises AuditUnavailable when the session cannot be recorded."""
        name = self.name_for_token(token)
        if name:
            sid = secrets.token_urlsafe(24)
            self.sessions.open(sid, name, self.session_seconds)
            session.clear()  # a fresh session (and CSRF token) for the signed-in operator
            session[_SESSION] = {"key": _fingerprint(token), "at": self.clock(), "sid": sid}
        return name

    def sign_out(self) -> None:
        signed = session.get(_SESSION)
        if isinstance(signed, dict) and isinstance(signed.get("sid"), str):
            self.sessions.revoke(signed["sid"])
        session.clear()


class Refused(Exception):
    pass


def _gate() -> Gate:
    return current_app.extensions["opsweb"].gate


def why_refused() -> str:
    mode = _gate().mode
    if mode == "host":
        return Said("Sign in to see the operations panel: the host application names no operator")
    if mode == "local":
        return Said("opsweb has no operators configured, so only 127.0.0.1 may use it"
                    " (set OPSWEB_OPERATOR_TOKENS)")
    return Said("Sign in first: a browser uses the login page, curl sends Authorization:"
                " Bearer <token>")


def require_operator(json_twin: bool):
    """before_request for every opsweb route: sets g.opsweb_operator and g.opsweb_via,
    or answers 401 (a redirect to the login page for a browser's page load). A request
    for another Host, or a proxied one in local mode, is refused first (hosts.py)."""
    gate = _gate()
    misdirected = hosts.refusal(request.headers.get("Host"), request.headers,
                                gate.mode == "local", gate.allowed_hosts)
    if misdirected:
        return _answer(*misdirected, json_twin)
    if request.endpoint in ("opsweb_panel.static", "opsweb_panel.login"):
        return None
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


def _answer(status: int, message: str, json_twin: bool):
    if json_twin:
        resp = jsonify({"error": message})
    else:
        resp = current_app.response_class(errors.error_html(message, status))
    resp.status_code = status
    return resp


def _refuse(message: str, json_twin: bool, gate: Gate):
    status = 403 if gate.mode == "local" else 401
    if json_twin or gate.mode != "tokens":
        resp = _answer(status, message, json_twin)
        if status == 401 and gate.mode == "tokens":
            resp.headers["WWW-Authenticate"] = 'Bearer realm="opsweb"'
        return resp
    login = url_for("opsweb_panel.login", next=_back_to())
    if request.headers.get("HX-Request") or request.method != "GET":
        # htmx follows HX-Redirect whatever the status: a panel whose sign-in expired
        # goes to the login page instead of swapping an error in place of the table.
        resp = current_app.response_class(
            render_template("opsweb/error.html", message=message, status=401), 401)
        resp.headers["HX-Redirect"] = login
        return resp
    return redirect(login)


def _back_to() -> str:
    """Where to return after signing in: for an htmx request the page that holds the
    panel (a host's page when embedded), not the fragment it asked for."""
    page = urlsplit(request.headers.get("HX-Current-URL", "")) \
        if request.headers.get("HX-Request") else None
    if page and page.path:
        return page.path + (f"?{page.query}" if page.query else "")
    return request.full_path.rstrip("?")
