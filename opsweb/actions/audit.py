"""The audit trail of Stop, Reset, Pause and Resume: when, which operator, from where,
why (an optional reason), on which run / agent / company — with the agent's and the
company's names at the time, so the trail reads on its own after the run is gone —,
which Paperclip it went to, Paperclip's answer and the outcome.

A record is committed *before* opsweb calls Paperclip and completed after the answer,
so a process killed in between leaves a record that was never completed; such a record
reads as outcome `unknown` (the operator must look at the run again).

Stored in SQLite by default (WAL, one file, committed with synchronous=FULL); a
`postgresql://` URL lets several opsweb instances share one trail. The SQL is the same
for both but for the id column and the parameter style.
"""
from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit

OUTCOMES = ("done", "already_finished", "failed", "unknown")
MAX_LIMIT = 500
_COLUMNS = ("id", "started_at", "finished_at", "action", "operator", "remote_addr", "run_id",
            "agent_id", "company_id", "outcome", "upstream_status", "upstream_message", "message",
            "reason", "agent_name", "company_name", "paperclip_url", "batch_id")
# columns added after the first release: existing databases gain them on open
_ADDED = ("reason", "agent_name", "company_name", "paperclip_url", "batch_id")
_TABLE = """CREATE TABLE IF NOT EXISTS opsweb_audit (
    id {id},
    started_at TEXT NOT NULL,
    finished_at TEXT,
    action TEXT NOT NULL,
    operator TEXT NOT NULL,
    remote_addr TEXT,
    run_id TEXT,
    agent_id TEXT,
    company_id TEXT,
    outcome TEXT,
    upstream_status INTEGER,
    upstream_message TEXT,
    message TEXT)"""
INCOMPLETE = ("No answer recorded: Paperclip had not answered when opsweb stopped (or it is"
              " still waiting). Look at the run again.")


_INSERTED = ("started_at, action, operator, remote_addr, run_id, agent_id, company_id,"
             " reason, paperclip_url, batch_id")
_MARKS = ", ".join("?" * len(_INSERTED.split(",")))
NAME_CHARS = 200


def _cap(value: str | None) -> str | None:
    return value[:NAME_CHARS] if value else None


class AuditUnavailable(Exception):
    """The store could not be written or read; Stop and Reset are refused without it."""


def now_text() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Record:
    id: int
    started_at: str
    finished_at: str | None
    action: str
    operator: str
    remote_addr: str | None
    run_id: str | None
    agent_id: str | None
    company_id: str | None
    outcome: str | None
    upstream_status: int | None
    upstream_message: str | None
    message: str | None
    reason: str | None = None
    agent_name: str | None = None
    company_name: str | None = None
    paperclip_url: str | None = None
    batch_id: str | None = None  # one item of a batch (actions/batch.py)

    @property
    def completed(self) -> bool:
        return self.finished_at is not None

    @property
    def result(self) -> str:
        """A record that was started and never completed reads as unknown."""
        return self.outcome if self.completed and self.outcome else "unknown"

    def to_json(self) -> dict:
        return {"id": self.id, "at": self.started_at, "finishedAt": self.finished_at,
                "action": self.action, "operator": self.operator, "remoteAddr": self.remote_addr,
                "runId": self.run_id, "agentId": self.agent_id, "companyId": self.company_id,
                "outcome": self.result, "completed": self.completed,
                "paperclip": {"status": self.upstream_status, "message": self.upstream_message},
                "message": self.message if self.completed else INCOMPLETE,
                "reason": self.reason, "agentName": self.agent_name,
                "companyName": self.company_name, "paperclipUrl": self.paperclip_url,
                "batchId": self.batch_id}


class Store:
    """One table, four statements. Subclasses provide `run(sql, params, fetch)`."""
    mark = "?"
    id_column = "INTEGER PRIMARY KEY AUTOINCREMENT"

    def _sql(self, sql: str) -> str:
        return sql.replace("?", self.mark)

    def begin(self, action: str, operator: str, remote_addr: str | None, *,
              run_id: str | None = None, agent_id: str | None = None,
              company_id: str | None = None, reason: str | None = None,
              paperclip_url: str | None = None, batch_id: str | None = None) -> int:
        return self._insert((now_text(), action, operator, remote_addr, run_id, agent_id, company_id,
                             reason, paperclip_url, batch_id))

    def note(self, record_id: int, agent_id: str | None, company_id: str | None,
             agent_name: str | None = None, company_name: str | None = None) -> None:
        """What was learnt before the state-changing call (the run's agent and company,
        their names)."""
        self.run("UPDATE opsweb_audit SET agent_id = COALESCE(?, agent_id),"
                  " company_id = COALESCE(?, company_id), agent_name = COALESCE(?, agent_name),"
                  " company_name = COALESCE(?, company_name) WHERE id = ?",
                  (agent_id, company_id, _cap(agent_name), _cap(company_name), record_id))

    def finish(self, record_id: int, outcome: str, message: str, *,
               upstream_status: int | None = None, upstream_message: str | None = None,
               agent_id: str | None = None, company_id: str | None = None,
               agent_name: str | None = None, company_name: str | None = None) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}")
        self.run("UPDATE opsweb_audit SET finished_at = ?, outcome = ?, message = ?,"
                  " upstream_status = ?, upstream_message = ?,"
                  " agent_id = COALESCE(?, agent_id), company_id = COALESCE(?, company_id),"
                  " agent_name = COALESCE(?, agent_name),"
                  " company_name = COALESCE(?, company_name) WHERE id = ?",
                  (now_text(), outcome, message[:1000], upstream_status,
                   (upstream_message or None) and upstream_message[:1000],
                   agent_id, company_id, _cap(agent_name), _cap(company_name), record_id))

    def last_pauses(self, limit: int = MAX_LIMIT) -> dict[str, dict]:
        """Per agent, who paused it last through opsweb and why (for the attention strip)."""
        rows = self.run("SELECT agent_id, operator, reason, started_at FROM opsweb_audit"
                         " WHERE action = 'pause' AND outcome = 'done'"
                         " ORDER BY id DESC LIMIT ?", (limit,), fetch=True)
        pauses: dict[str, dict] = {}
        for agent_id, operator, reason, at in rows:
            pauses.setdefault(agent_id, {"operator": operator, "reason": reason, "at": at})
        return pauses

    def _migrate(self) -> None:
        have = self._column_names()
        for column in _ADDED:
            if column not in have:
                self.run(f"ALTER TABLE opsweb_audit ADD COLUMN {column} TEXT", ())

    def recent(self, limit: int = 50) -> list[Record]:
        limit = max(1, min(int(limit), MAX_LIMIT))
        rows = self.run(f"SELECT {', '.join(_COLUMNS)} FROM opsweb_audit"
                         " ORDER BY id DESC LIMIT ?", (limit,), fetch=True)
        return [Record(*row) for row in rows]

    def _insert(self, values: tuple) -> int:
        raise NotImplementedError

    def _column_names(self) -> set[str]:
        raise NotImplementedError

    def run(self, sql: str, params: tuple, fetch: bool = False):
        raise NotImplementedError

    def close(self) -> None:
        pass


class SqliteStore(Store):
    def __init__(self, path: str):
        self.path = path
        if path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self._lock = threading.Lock()
        try:
            # autocommit: every statement is its own transaction, durable when it returns
            self._db = sqlite3.connect(path, timeout=5, isolation_level=None,
                                       check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(_TABLE.format(id=self.id_column))
        except sqlite3.Error as err:
            raise AuditUnavailable(f"audit store {path}: {err}") from None
        self._migrate()

    def _column_names(self) -> set[str]:
        return {row[1] for row in self.run("PRAGMA table_info(opsweb_audit)", (), fetch=True)}

    def _insert(self, values: tuple) -> int:
        with self._lock:
            try:
                cur = self._db.execute(
                    f"INSERT INTO opsweb_audit ({_INSERTED}) VALUES ({_MARKS})", values)
            except sqlite3.Error as err:
                raise AuditUnavailable(f"audit store {self.path}: {err}") from None
            return int(cur.lastrowid)

    def run(self, sql: str, params: tuple, fetch: bool = False):
        with self._lock:
            try:
                cur = self._db.execute(sql, params)
                return cur.fetchall() if fetch else None
            except sqlite3.Error as err:
                raise AuditUnavailable(f"audit store {self.path}: {err}") from None

    def close(self) -> None:
        self._db.close()


_SCHEMA_LOCK = 0x6F707377  # "opsw": the advisory lock opsweb's schema changes take turns on


class PostgresStore(Store):
    """One connection, reconnected on the next call after a failure. A failed
    statement is never retried: a retried INSERT could record one Stop twice."""
    kind = "postgresql"
    mark = "%s"
    id_column = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"

    def __init__(self, url: str):
        try:
            import psycopg
        except ImportError:
            raise AuditUnavailable("a postgresql:// audit URL needs psycopg"
                                   " (pip install 'psycopg[binary]')") from None
        self._psycopg = psycopg
        self.url = url
        self.where = urlsplit(url)._replace(netloc=urlsplit(url).hostname or "").geturl()
        self._lock = threading.Lock()
        self._db = None
        self.run(_TABLE.format(id=self.id_column), ())
        self._migrate()

    def _connect(self):
        if self._db is None or self._db.closed:
            self._db = self._psycopg.connect(self.url, autocommit=True, connect_timeout=5)
        return self._db

    def _insert(self, values: tuple) -> int:
        rows = self.run(f"INSERT INTO opsweb_audit ({_INSERTED}) VALUES ({_MARKS})"
                         " RETURNING id", values, fetch=True)
        return int(rows[0][0])

    def _column_names(self) -> set[str]:
        rows = self.run("SELECT column_name FROM information_schema.columns"
                         " WHERE table_name = 'opsweb_audit' AND table_schema = current_schema()",
                         (), fetch=True)
        return {row[0] for row in rows}

    def run(self, sql: str, params: tuple, fetch: bool = False):
        with self._lock:
            try:
                db = self._connect()
                if sql.lstrip().startswith(("CREATE ", "ALTER ")):
                    # two instances starting at once on a fresh database: PostgreSQL's
                    # CREATE ... IF NOT EXISTS races (a duplicate-key error in its
                    # catalogue), so schema changes take turns under one advisory lock
                    with db.transaction(), db.cursor() as cur:
                        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                        cur.execute(self._sql(sql), params)
                    return None
                with db.cursor() as cur:
                    cur.execute(self._sql(sql), params)
                    return cur.fetchall() if fetch else None
            except self._psycopg.Error as err:
                if self._db is not None:
                    self._db.close()
                reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
                raise AuditUnavailable(f"audit store {self.where}: {reason}") from None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


def default_url(instance_dir: str) -> str:
    return "sqlite:///" + os.path.join(instance_dir, "opsweb-audit.db")


def open_store(url: str) -> Store:
    """`sqlite:///relative.db`, `sqlite:////absolute.db` (as SQLAlchemy spells them),
    `sqlite:///:memory:`, or `postgresql://user@host:port/db`."""
    if url.startswith("sqlite:///"):
        return SqliteStore(url[len("sqlite:///"):])
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresStore(url)
    raise AuditUnavailable("OPSWEB_AUDIT_URL must start with sqlite:/// or postgresql://")
