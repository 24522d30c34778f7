"""One actor across instances: only the instance holding the lease evaluates rules,
acts, tracks incidents and sends the webhooks (notify/ asks `acting()`).

PostgreSQL: a lease row renewed on the database's own clock (no instance trusts its
wall clock), taken over only once it has expired; every takeover bumps a fencing
token, and the holder checks that its token still holds right before each action, so
an instance that stalled past its lease cannot act after another took over.
SQLite: the instance holding an exclusive file lock beside the database acts; the
kernel releases it when that process dies, however it dies.
"""
from __future__ import annotations

import fcntl
import logging
import os
import threading
import uuid
from dataclasses import dataclass

from opsweb.actions.audit import AuditUnavailable, Store, now_text

NAME = "rules"
_TABLE = """CREATE TABLE IF NOT EXISTS opsweb_lease (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    token BIGINT NOT NULL,
    since TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL)"""
# take the row when it is ours or has expired; a new holder gets a new token and `since`
_CLAIM = """INSERT INTO opsweb_lease AS l (name, holder, token, since, expires_at)
    VALUES (%s, %s, 1, now(), now() + make_interval(secs => %s))
    ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder,
        token = CASE WHEN l.holder = EXCLUDED.holder THEN l.token ELSE l.token + 1 END,
        since = CASE WHEN l.holder = EXCLUDED.holder THEN l.since ELSE now() END,
        expires_at = EXCLUDED.expires_at
    WHERE l.holder = EXCLUDED.holder OR l.expires_at < now()
    RETURNING holder, token, since"""
_HOLDS = """SELECT holder, token, since FROM opsweb_lease
    WHERE name = %s AND holder = %s AND token = %s
      AND expires_at > now() + make_interval(secs => %s)"""


def instance_name() -> str:
    return f"{os.uname().nodename}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class Holder:
    acting: bool
    instance: str | None  # who acts (this instance or another), when known
    since: str | None

    def to_json(self) -> dict:
        return {"acting": self.acting, "instance": self.instance, "since": self.since}


def _iso(value) -> str | None:
    if value is None:
        return None
    text = value.isoformat(timespec="milliseconds") if hasattr(value, "isoformat") else str(value)
    return text.replace("+00:00", "Z")


class PostgresLease:
    def __init__(self, store: Store, seconds: float, instance: str | None = None):
        self.store, self.seconds = store, float(seconds)
        self.instance = instance or instance_name()
        self._token: int | None = None
        self._state = Holder(False, None, None)
        self._ready = False

    def claim(self) -> Holder:
        """Take or renew the lease; on a database failure this instance stops acting."""
        try:
            if not self._ready:
                self.store.run(_TABLE, ())
                self._ready = True
            rows = self.store.run(_CLAIM, (NAME, self.instance, self.seconds), fetch=True)
            if rows:
                holder, self._token, since = rows[0]
                self._state = Holder(True, holder, _iso(since))
            else:
                self._token = None
                other = self.store.run("SELECT holder, since FROM opsweb_lease WHERE name = %s",
                                       (NAME,), fetch=True)
                holder, since = other[0] if other else (None, None)
                self._state = Holder(False, holder, _iso(since))
        except AuditUnavailable as err:
            logging.getLogger("opsweb.watch").warning("rules lease not claimed: %s", err)
            self._token, self._state = None, Holder(False, None, None)
        return self._state

    def still_holds(self, margin: float) -> bool:
        """The fence: our token is current and has at least `margin` seconds left."""
        if self._token is None:
            return False
        try:
            return bool(self.store.run(_HOLDS, (NAME, self.instance, self._token, margin),
                                       fetch=True))
        except AuditUnavailable:
            return False

    def acting(self) -> bool:
        return self._state.acting

    def holder(self) -> Holder:
        return self._state

    def release(self) -> None:
        if self._token is not None:
            try:
                self.store.run("DELETE FROM opsweb_lease WHERE name = %s AND holder = %s"
                               " AND token = %s", (NAME, self.instance, self._token))
            except AuditUnavailable:
                pass
        self._token, self._state = None, Holder(False, None, None)


class FileLease:
    """`path` None (an in-memory audit trail, as the demo's): this process is alone."""

    def __init__(self, path: str | None, instance: str | None = None):
        self.path = path
        self.instance = instance or instance_name()
        self._file = None
        self._lock = threading.Lock()
        self._state = Holder(False, None, None)

    def claim(self) -> Holder:
        with self._lock:
            if self._state.acting:
                return self._state
            if self.path is None:
                self._state = Holder(True, self.instance, now_text())
                return self._state
            handle = open(self.path, "a+")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.seek(0)
                who = handle.read(200).split("\n")
                handle.close()
                self._state = Holder(False, who[0] or None, who[1] if len(who) > 1 else None)
                return self._state
            since = now_text()
            handle.seek(0)
            handle.truncate()
            handle.write(f"{self.instance}\n{since}\n")
            handle.flush()
            self._file, self._state = handle, Holder(True, self.instance, since)
            return self._state

    def still_holds(self, margin: float) -> bool:
        return self._state.acting  # the kernel holds the lock for as long as we live

    def acting(self) -> bool:
        return self._state.acting

    def holder(self) -> Holder:
        return self._state

    def release(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()  # closing drops the flock
                self._file = None
            self._state = Holder(False, None, None)


def for_store(store: Store, seconds: float):
    """The lease that fits the audit database."""
    if getattr(store, "kind", "sqlite") == "postgresql":
        return PostgresLease(store, seconds)
    path = getattr(store, "path", None)
    return FileLease(None if path in (None, ":memory:") else path + ".rules-lock")
