"""What the port and the shell both hold to, in a module both import (so the shell
never imports the port): the typed errors a platform call raises, the id check made
before any URL is built, and the bounds of one log page.
"""
from __future__ import annotations

import uuid

# The most one log page may hold (Paperclip clamps limitBytes to 1 MiB), and what a
# page holds when the caller does not say (Paperclip's own default).
MAX_LOG_PAGE_BYTES = 1024 * 1024
DEFAULT_LOG_PAGE_BYTES = 256_000


class PlatformError(Exception):
    """A platform call that did not give the answer asked for.

    `message` is a sentence for a person; `upstream_status` and `upstream_message`
    are the platform's own HTTP status and `error` text when it sent them.
    """

    def __init__(self, message: str, *, upstream_status: int | None = None,
                 upstream_message: str | None = None):
        super().__init__(message)
        self.message = message
        self.upstream_status = upstream_status
        self.upstream_message = upstream_message

    @property
    def may_have_arrived(self) -> bool:
        """Whether a request that failed this way may still have been received and
        acted on: what makes a failed action's outcome "unknown" rather than "failed".
        A gateway's 502/504 may have lost the platform's answer."""
        return self.upstream_status in (502, 504)


class InvalidId(PlatformError):
    """An id that is malformed; nothing was sent."""


class Unreachable(PlatformError):
    """No answer could be read. `request_sent` is False when the connection was
    refused (nothing left opsweb), True when it broke after the request went out."""

    def __init__(self, message: str, *, request_sent: bool, **kw):
        super().__init__(message, **kw)
        self.request_sent = request_sent

    @property
    def may_have_arrived(self) -> bool:
        return self.request_sent


class Timeout(PlatformError):
    """No answer within the call's deadline."""

    may_have_arrived = True


class NotFound(PlatformError):
    """The platform does not know that run, agent, company or issue."""


class Unauthorized(PlatformError):
    """The platform rejected opsweb's credentials."""


class Forbidden(PlatformError):
    """The credentials are valid but may not do this."""


class Rejected(PlatformError):
    """The platform refused the request as invalid (400/409/422)."""


class UpstreamError(PlatformError):
    """The platform failed (5xx)."""


class BadResponse(PlatformError):
    """An answer came that could not be read (malformed, too large, wrong shape)."""

    may_have_arrived = True


def check_uuid(value: str, what: str) -> str:
    """Paperclip answers a malformed id with a 500 (a Postgres cast error), so ids
    are checked before any URL is built; the canonical lower-case form is returned."""
    try:
        parsed = uuid.UUID(str(value))
    except (ValueError, AttributeError, TypeError):
        raise InvalidId(f"{what} must be a UUID, got {str(value)[:80]!r}") from None
    if str(parsed) != str(value).lower():
        raise InvalidId(f"{what} must be a UUID in canonical form, got {str(value)[:80]!r}")
    return str(parsed)

