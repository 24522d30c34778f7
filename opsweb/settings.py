"""Every setting opsweb reads, in one table: the README, `--help` and the app
factory all read it from here so they cannot disagree."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, Mapping


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Setting:
    env: str
    flag: str | None
    default: object
    help: str
    parse: Callable[[str], object] = str

    @property
    def key(self) -> str:  # the app.config key
        return self.env


SETTINGS = (
    Setting("OPSWEB_PAPERCLIP_URL", "--paperclip-url", "http://127.0.0.1:3100",
            "Paperclip base URL (without /api)"),
    Setting("OPSWEB_PAPERCLIP_TOKEN", None, None,
            "board API key, sent as `Authorization: Bearer` only when set; never shown to browsers"),
    Setting("OPSWEB_COMPANIES", "--companies", (),
            "comma-separated company ids; unset = every company the key can see", _csv),
    Setting("OPSWEB_HOST", "--host", "127.0.0.1", "where the standalone panel listens"),
    Setting("OPSWEB_PORT", "--port", 8700, "port of the standalone panel", int),
    Setting("OPSWEB_TIMEOUT", "--timeout", 3.0,
            "seconds opsweb waits for one Paperclip read (shorter than the 4 s refresh)", float),
    Setting("OPSWEB_ACTION_TIMEOUT", None, 15.0,
            "seconds opsweb waits for Paperclip to answer Stop or Reset", float),
    Setting("OPSWEB_FRESHNESS", None, 1.5,
            "seconds one live-runs answer is shared by all viewers (per process)", float),
    Setting("OPSWEB_HISTORY_FRESHNESS", None, 15.0,
            "seconds one company's agents and finished runs are shared by all viewers of the"
            " recent and attention fragments (refreshed in the background)", float),
    Setting("OPSWEB_LOOP_RUNS", None, 3,
            "attention: an agent whose last N finished runs all failed the same way", int),
    Setting("OPSWEB_EMPTY_RUNS", None, 5,
            "attention: an agent whose last N finished runs were all short and quiet", int),
    Setting("OPSWEB_EMPTY_MAX_SECONDS", None, 60.0,
            "attention: a run this short (seconds) counts as empty", float),
    Setting("OPSWEB_EMPTY_MAX_BYTES", None, 2048,
            "attention: a run with at most this much output (bytes) counts as empty", int),
    Setting("OPSWEB_SECRET_KEY", None, None,
            "signs the session cookie (CSRF token, signed-in operator); required with"
            " OPSWEB_OPERATOR_TOKENS, else random per process"),
    Setting("OPSWEB_OPERATOR_TOKENS", None, None,
            "who may use the panel: `alice:TOKEN,bob:TOKEN` or the path of a file with one"
            " `name:token` per line; unset = anyone on 127.0.0.1, as operator `local`"),
    Setting("OPSWEB_SESSION_HOURS", None, 12.0,
            "hours a browser sign-in lasts", float),
    Setting("OPSWEB_AUDIT_URL", "--audit-url", None,
            "where Stop and Reset are recorded: sqlite:///PATH or postgresql://…;"
            " unset = sqlite file opsweb-audit.db in the instance folder"),
    Setting("OPSWEB_INSTANCE_DIR", None, None,
            "folder for opsweb's own files (the SQLite audit); unset = Flask's instance folder"),
    Setting("OPSWEB_PAPERCLIP_PUBLIC_URL", None, None,
            "Paperclip UI address for links to runs and agents; no links when unset"),
)


def from_env(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    environ = os.environ if environ is None else environ
    config = {}
    for s in SETTINGS:
        raw = environ.get(s.env)
        config[s.key] = s.default if raw in (None, "") else s.parse(raw)
    return config
