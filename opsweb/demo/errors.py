"""Errors the world raises; the HTTP layer turns them into status codes."""


class NotFound(Exception):
    """A 404 carrying Paperclip's own message."""


class Conflict(Exception):
    """A control-API request that does not fit the run's state (409)."""


class NotInvokable(Exception):
    """A wake of a paused agent: Paperclip answers 409 with the agent's state."""

    def __init__(self, agent_id: str):
        super().__init__("Agent is not invokable in its current state")
        self.agent_id = agent_id
