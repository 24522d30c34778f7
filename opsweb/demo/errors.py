"""Errors the world raises; the HTTP layer turns them into status codes."""


class NotFound(Exception):
    """A 404 carrying Paperclip's own message."""


class Conflict(Exception):
    """A control-API request that does not fit the run's state (409)."""
