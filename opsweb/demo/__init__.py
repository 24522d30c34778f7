"""A Paperclip-compatible demo server: live-looking agents with nothing else running.

`opsweb demo` runs it next to the panel; the tests drive opsweb against it over HTTP.
world.py simulates, server.py speaks Paperclip's /api, control.py the /__demo knobs,
runner.py serves it all on 127.0.0.1.
"""

from .clock import Clock
from .runner import DemoServer
from .seed import ACME, GLOBEX, RUN_ROLES
from .server import create_demo_app
from .world import World

__all__ = ["ACME", "GLOBEX", "RUN_ROLES", "Clock", "DemoServer", "World", "create_demo_app"]
