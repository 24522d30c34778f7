"""Every setting opsweb reads, in one table: the README, `--help` and the app
factory all read it from here so they cannot disagree.

Each value is checked when opsweb starts: a malformed one is a `SettingError` whose
message is one line naming the setting and what it accepts. Numbers are ASCII digits
only (Python's own parsers would take "nan", "1_000" or other scripts' digits).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Callable, Mapping

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
WEBHOOK_FORMATS = ("opsweb", "slack")


class SettingError(ValueError):
    """A setting that cannot be used; opsweb refuses to start."""


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _seconds(value: str) -> float:
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", value.strip(), re.ASCII) or float(value) <= 0:
        raise ValueError("a number above 0 written in digits, like 3 or 1.5")
    return float(value)


def _whole(low: int, high: int, what: str) -> Callable[[str], int]:
    def parse(value: str) -> int:
        if not re.fullmatch(r"[0-9]{1,6}", value.strip(), re.ASCII) \
                or not low <= int(value) <= high:
            raise ValueError(f"{what} from {low} to {high}, in digits")
        return int(value)
    return parse


def _url(value: str) -> str:
    value = value.strip().rstrip("/")
    if not re.match(r"https?://[^/]", value):
        raise ValueError("an http:// or https:// URL (add http://, e.g. http://127.0.0.1:3100)")
    if value.endswith("/api"):
        raise ValueError("Paperclip's base URL without /api (drop /api)")
    return value


def _webhook_urls(value: str) -> tuple[str, ...]:
    urls = _csv(value)
    for number, url in enumerate(urls, 1):
        if not re.match(r"https?://[^/:@\s]", url):
            raise ValueError("comma-separated http:// or https:// URLs (URL "
                             f"{number} has {'another' if '://' in url else 'no'} scheme)")
    return urls


def _webhook_format(value: str) -> str:
    if value.strip().lower() not in WEBHOOK_FORMATS:
        raise ValueError(f"one of {', '.join(WEBHOOK_FORMATS)}")
    return value.strip().lower()


def _log_level(value: str) -> str:
    if value.strip().upper() not in LOG_LEVELS:
        raise ValueError(f"one of {', '.join(LOG_LEVELS)}")
    return value.strip().upper()


def _switch(value: str) -> bool:
    if value.strip().lower() not in ("0", "1", "true", "false", "on", "off", "yes", "no"):
        raise ValueError("1 or 0 (also on/off, true/false, yes/no)")
    return value.strip().lower() in ("1", "true", "on", "yes")


@dataclass(frozen=True)
class Setting:
    env: str
    flag: str | None
    default: object
    help: str
    parse: Callable[[str], object] = str  # env is also the app.config key
    secret: bool = False  # a refused value is not repeated (it may carry credentials)

    @property
    def name(self) -> str:
        return f"{self.env} ({self.flag})" if self.flag else self.env

    def read(self, raw: str | None) -> object:
        """The default for unset or empty, else the parsed value; SettingError says why not."""
        if raw is None or raw == "":
            return self.default
        try:
            return self.parse(raw)
        except ValueError as err:
            got = "" if self.secret else f"; got {raw[:80]!r}"
            raise SettingError(f"{self.name} must be {err}{got}") from None


SETTINGS = (
    Setting("OPSWEB_PAPERCLIP_URL", "--paperclip-url", "http://127.0.0.1:3100",
            "Paperclip base URL (without /api)", _url),
    Setting("OPSWEB_PAPERCLIP_TOKEN", None, None,
            "board API key, sent as `Authorization: Bearer` only when set; never shown to browsers"),
    Setting("OPSWEB_COMPANIES", "--companies", (),
            "comma-separated company ids; unset = every company the key can see", _csv),
    Setting("OPSWEB_HOST", "--host", "127.0.0.1", "where the standalone panel listens"),
    Setting("OPSWEB_PORT", "--port", 8700, "port of the standalone panel; 0 = a free one",
            _whole(0, 65535, "a port number")),
    Setting("OPSWEB_TIMEOUT", "--timeout", 3.0,
            "seconds opsweb waits for one Paperclip read (shorter than the 4 s refresh)",
            _seconds),
    Setting("OPSWEB_ACTION_TIMEOUT", None, 15.0,
            "seconds opsweb waits for Paperclip to answer Stop or Reset", _seconds),
    Setting("OPSWEB_FRESHNESS", None, 1.5,
            "seconds one live-runs answer is shared by all viewers (per process)", _seconds),
    Setting("OPSWEB_HISTORY_FRESHNESS", None, 15.0,
            "seconds one company's agents and finished runs are shared by all viewers of the"
            " recent and attention fragments (refreshed in the background)", _seconds),
    Setting("OPSWEB_LOOP_RUNS", None, 3,
            "attention: an agent whose last N finished runs all failed the same way",
            _whole(2, 100, "a number of runs")),
    Setting("OPSWEB_EMPTY_RUNS", None, 5,
            "attention: an agent whose last N finished runs were all short and quiet",
            _whole(2, 100, "a number of runs")),
    Setting("OPSWEB_EMPTY_MAX_SECONDS", None, 60.0,
            "attention: a run this short (seconds) counts as empty", _seconds),
    Setting("OPSWEB_EMPTY_MAX_BYTES", None, 2048,
            "attention: a run with at most this much output (bytes) counts as empty",
            _whole(0, 10_000_000, "a number of bytes")),
    Setting("OPSWEB_SECRET_KEY", None, None,
            "signs the session cookie (CSRF token, signed-in operator); required with"
            " OPSWEB_OPERATOR_TOKENS, else random per process"),
    Setting("OPSWEB_OPERATOR_TOKENS", None, None,
            "who may use the panel: `alice:TOKEN,bob:TOKEN` or the path of a file with one"
            " `name:token` per line; unset = anyone on 127.0.0.1, as operator `local`"),
    Setting("OPSWEB_SESSION_HOURS", None, 12.0,
            "hours a browser sign-in lasts", _seconds),
    Setting("OPSWEB_AUDIT_URL", "--audit-url", None,
            "where Stop and Reset are recorded: sqlite:///PATH or postgresql://…;"
            " unset = sqlite file opsweb-audit.db in the instance folder"),
    Setting("OPSWEB_INSTANCE_DIR", None, None,
            "folder for opsweb's own files (the SQLite audit); unset = Flask's instance folder"),
    Setting("OPSWEB_PAPERCLIP_PUBLIC_URL", None, None,
            "Paperclip UI address for links to runs and agents; no links when unset"),
    Setting("OPSWEB_THREADS", "--threads", 16, "worker threads of the production server",
            _whole(1, 1000, "a whole number of threads")),
    Setting("OPSWEB_LOG_LEVEL", "--log-level", "INFO",
            f"the least important log lines printed: {', '.join(LOG_LEVELS)}", _log_level),
    Setting("OPSWEB_ACCESS_LOG", None, False,
            "1 = one log line per request (method, path, status, milliseconds)", _switch),
    Setting("OPSWEB_DEMO_PORT", "--demo-port", 0,
            "`opsweb demo` only: port of the demo Paperclip; 0 = a free one",
            _whole(0, 65535, "a port number")),
    Setting("OPSWEB_ALLOWED_HOSTS", None, (),
            "with operator tokens: the host names (Host header, no port) the panel answers"
            " to, comma-separated; unset = any. Without tokens only loopback names", _csv),
    Setting("OPSWEB_TRUSTED_PROXIES", None, 0,
            "how many reverse proxies in front of the standalone panel set X-Forwarded-For,"
            " -Proto, -Host, -Port (Werkzeug's ProxyFix); needs operator tokens",
            _whole(0, 10, "a whole number of proxy hops")),
    Setting("OPSWEB_LOG_DOM_ENTRIES", None, 5000,
            "entries a followed log keeps in the dialog (also at most ~1 MB of text); older"
            " ones are dropped from the top and come back with \"Load earlier output\"",
            _whole(10, 1_000_000, "a number of entries")),
    Setting("OPSWEB_SEARCH_STORE_MB", None, 128,
            "megabytes of finished runs' transcript text kept in memory after a search, so"
            " that searching them again reads and converts no log; 0 = keep none",
            _whole(0, 100_000, "a number of megabytes")),
    Setting("OPSWEB_BATCH_MAX", None, 500,
            "at most this many runs or agents in one batch (Stop, Cancel queued, Pause,"
            " Resume, Drain many at once); a larger selection is refused with 400",
            _whole(1, 10_000, "a number of targets")),
    Setting("OPSWEB_RULES", None, None,
            "path of the guard-rail rules file (TOML); unset = no rules and no incidents kept"),
    Setting("OPSWEB_RULES_INTERVAL", None, 15.0,
            "seconds between two evaluations of the rules", _seconds),
    Setting("OPSWEB_RULES_LEASE", None, 45.0,
            "seconds one instance's claim to evaluate the rules lasts unless renewed (with"
            " PostgreSQL: how soon another instance takes over from one that died)", _seconds),
    Setting("OPSWEB_LANGUAGE", None, "auto",
            "the panel's language: en, he, or auto (the browser's Accept-Language)"),
    Setting("OPSWEB_WEBHOOK_URLS", None, (),
            "comma-separated http(s) receivers of incident and rule events (signed POSTs,"
            " retried from an outbox in the audit database); unset = no webhooks",
            _webhook_urls, secret=True),
    Setting("OPSWEB_WEBHOOK_SECRET", None, None,
            "HMAC-SHA256 key of each webhook's X-Opsweb-Signature: sha256=<hex>; required"
            " with OPSWEB_WEBHOOK_URLS", secret=True),
    Setting("OPSWEB_WEBHOOK_FORMAT", None, "opsweb",
            "webhook body: opsweb (the event as JSON, with a text line) or slack"
            " ({\"text\"} alone, for incoming webhooks that refuse other fields)",
            _webhook_format),
)


def check_together(values: Mapping[str, object]) -> None:
    """Settings that only make sense together (each one alone was already checked)."""
    if values.get("OPSWEB_WEBHOOK_URLS") and not str(values.get("OPSWEB_WEBHOOK_SECRET") or "").strip():
        raise SettingError("OPSWEB_WEBHOOK_SECRET must be set when OPSWEB_WEBHOOK_URLS is:"
                           " receivers check each event's signature with it")


def resolve(environ: Mapping[str, str], flags: Mapping[str, str] | None = None
            ) -> dict[str, object]:
    """Every setting: a flag's raw text wins over the environment, else the default."""
    flags = flags or {}
    values = {s.env: s.read(flags[s.env] if flags.get(s.env) is not None else environ.get(s.env))
              for s in SETTINGS}
    check_together(values)
    return values


def from_env(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    return resolve(os.environ if environ is None else environ)
