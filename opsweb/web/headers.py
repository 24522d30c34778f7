"""The security headers of every opsweb answer, standalone or embedded: scripts and
styles only from the app (htmx runs without eval), no framing by other sites, no
sniffing, no referrer beyond this origin. `setdefault`, so a host's own stricter
header, set after ours, wins."""
from __future__ import annotations

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
       " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")


def secure(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
