"""Sign a body and POST it to one receiver: the only HTTP notify/ speaks, never to
Paperclip.

Every delivery has a total deadline (runtime/deadline.py: a receiver that trickles its
answer cannot hold the sender), redirects are not followed (a 3xx is the receiver's
answer, and following it could carry the signed event somewhere else), and what is
said about a failure never contains the URL: a webhook URL often carries its
credentials, in the user info, the query or (Slack) the path.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import requests

from opsweb.i18n.said import Said
from opsweb.runtime.deadline import Deadline, WatchedAdapter
from opsweb.runtime.redact import redact_url

DEADLINE_SECONDS = 10.0
CONNECT_SECONDS = 5.0
# the receiver may succeed later: busy, rate-limited, or failing for now
RETRY_STATUSES = {408, 425, 429}


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def shown_url(url: str) -> str:
    """The URL as pages and logs may show it: no user info, query or fragment, and no
    path past its first part (`https://hooks.slack.com/services/…`)."""
    bare = redact_url(url)
    parts = urlsplit(bare)
    segments = [s for s in parts.path.split("/") if s]
    path = "/" + segments[0] + ("/…" if len(segments) > 1 else "") if segments else ""
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


@dataclass(frozen=True)
class Receiver:
    url: str

    @property
    def key(self) -> str:
        """What the outbox stores to name the receiver: the URL itself may carry
        credentials, and the audit database is no place for them."""
        return hashlib.sha256(self.url.encode()).hexdigest()[:32]

    @property
    def shown(self) -> str:
        return shown_url(self.url)


@dataclass(frozen=True)
class Result:
    delivered: bool
    retry: bool            # worth another attempt later
    status: int | None     # the receiver's HTTP status, when it answered
    error: Said | None     # a sentence for the table, without the URL


class Webhooks:
    """POSTs signed bodies; one requests session per sender thread."""

    def __init__(self, secret: str, deadline: float = DEADLINE_SECONDS):
        self.secret = secret
        self.deadline = deadline
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy or .netrc credentials from the environment
        adapter = WatchedAdapter(max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def post(self, receiver: Receiver, event_id: str, body: bytes) -> Result:
        headers = {"Content-Type": "application/json", "User-Agent": "opsweb-webhook",
                   "X-Opsweb-Event-Id": event_id, "X-Opsweb-Signature": sign(body, self.secret)}
        with Deadline(self.deadline) as deadline:
            try:
                answer = self.session.post(receiver.url, data=body, headers=headers,
                                           allow_redirects=False, stream=True,
                                           timeout=(min(CONNECT_SECONDS, self.deadline),
                                                    self.deadline))
                answer.close()  # the status is the answer; its body is not read
            except requests.RequestException as err:
                if deadline.expired or isinstance(err, requests.Timeout):
                    return Result(False, True, None, self._late())
                return Result(False, True, None, _said(err))
        if deadline.expired:  # the answer came, but its body was cut off by the deadline
            return Result(False, True, None, self._late())
        return judged(answer.status_code)

    def _late(self) -> Said:
        return Said("no answer within %(seconds)s s", seconds=format(self.deadline, "g"))


def judged(status: int) -> Result:
    if 200 <= status < 300:
        return Result(True, False, status, None)
    if 300 <= status < 400:
        return Result(False, False, status, Said("answered %(status)s, a redirect: redirects are"
                                                 " not followed (give the final URL)",
                                                 status=status))
    if status >= 500 or status in RETRY_STATUSES:
        return Result(False, True, status, Said("answered %(status)s", status=status))
    return Result(False, False, status, Said("answered %(status)s: refused, not retried",
                                             status=status))


def _said(err: requests.RequestException) -> Said:
    """requests' own messages repeat the URL (credentials included): say the kind only."""
    if isinstance(err, requests.exceptions.SSLError):
        return Said("TLS failed (certificate or protocol)")
    if isinstance(err, requests.ConnectionError):
        return Said("could not connect (refused, unreachable, or the connection broke)")
    return Said("the request failed (%(kind)s)", kind=type(err).__name__)
