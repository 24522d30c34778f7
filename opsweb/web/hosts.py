"""Whether a request is addressed to this panel, and whether it came through a proxy.

DNS rebinding: a page on `rebind.attacker.example:8700` whose name resolves to 127.0.0.1
makes the victim's browser send `Host: rebind.attacker.example:8700` and a matching
Origin, which passes any same-origin check and comes from the loopback address. So in
local mode (no operators) only loopback names are accepted as Host; with operators,
OPSWEB_ALLOWED_HOSTS (when set) lists the names the panel answers to.

A reverse proxy on the same host makes every visitor a loopback peer. A request that
carries forwarding headers is therefore not a local user, and local mode refuses it.
"""
from __future__ import annotations

import ipaddress

# Besides these, any X-Forwarded-… (-For, -Host, -Proto, -Port, -By, -Prefix, -Server):
# proxies differ in which they add, and none is sent by a browser of its own accord.
FORWARDING_HEADERS = ("Forwarded", "X-Real-IP", "X-Client-IP", "True-Client-IP", "Via")
FORWARDED_PREFIX = "x-forwarded-"
LOOPBACK_NAMES = frozenset({"localhost"})


def host_name(host: str | None) -> str | None:
    """The name (or address) part of a Host header, lower-case, without the port;
    None when the header is missing or malformed."""
    host = (host or "").strip().lower()
    if host.startswith("["):  # [v6]:port
        name, bracket, rest = host[1:].partition("]")
        if not bracket or (rest and not (rest[0] == ":" and rest[1:].isascii()
                                         and rest[1:].isdigit())):
            return None
        return name or None
    name, _, port = host.partition(":")
    if port and not (port.isascii() and port.isdigit()):
        return None
    return name or None


def is_loopback(name: str) -> bool:
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def proxied(headers) -> bool:
    """Whether the request carries a header a proxy adds."""
    return any(h in headers for h in FORWARDING_HEADERS) or any(
        name.lower().startswith(FORWARDED_PREFIX) for name in headers.keys())


def refusal(host: str | None, headers, local_mode: bool,
            allowed: tuple[str, ...]) -> tuple[int, str] | None:
    """(status, why) when this request must be refused, else None: 400 for a Host
    this panel does not answer to, 403 for a proxied request in local mode."""
    name = host_name(host)
    if local_mode:
        if name is None or not is_loopback(name):
            return 400, (f"Host {str(host)[:80]!r} is not a loopback name: without operators"
                    " configured, opsweb answers only to 127.0.0.1, ::1 and localhost"
                    " (this refuses DNS-rebinding pages). To serve other names, set"
                    " OPSWEB_OPERATOR_TOKENS and OPSWEB_ALLOWED_HOSTS")
        if proxied(headers):
            return 403, ("This request came through a proxy, so it is not a local user: without"
                    " operators configured opsweb serves only direct loopback requests. Set"
                    " OPSWEB_OPERATOR_TOKENS (and OPSWEB_TRUSTED_PROXIES) to serve it"
                    " behind a proxy")
        return None
    if allowed and name not in allowed:
        return 400, f"Host {str(host)[:80]!r} is not in OPSWEB_ALLOWED_HOSTS"
    return None
