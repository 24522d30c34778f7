"""The outbox: every event is stored in the audit database before anything is sent,
one row per receiver, and stays until it is delivered or given up.

A kill -9 or a restart loses nothing: the next sender finds the rows still pending.
An attempt is claimed in the row before the POST goes out (attempts + 1, the next try
moved out by the backoff), so a sender that dies mid-POST leaves a row that is tried
again later, and two instances that briefly both believe they act never send the
same attempt twice. Delivery is at-least-once: a crash between a receiver's 2xx and
the row's mark sends that event to it again, with the same X-Opsweb-Event-Id.
"""
from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass

from opsweb.actions.audit import Store
from opsweb.i18n.said import Said
from opsweb.notify import events
from opsweb.notify.webhook import Receiver, Result
from opsweb.runtime.clock import Clock

MAX_ATTEMPTS = 20         # 1 s, 2 s, 4 s … then every 10 min: about 2.5 h of trying
MAX_DELAY = 600.0
MAX_AGE = 24 * 3600.0     # an event older than a day is news no longer
KEEP_SECONDS = 30 * 24 * 3600.0  # delivered and given-up rows are kept this long
STATUSES = ("pending", "delivered", "failed")
_TABLE = """CREATE TABLE IF NOT EXISTS opsweb_notifications (
    id {id},
    event_id TEXT NOT NULL,
    event TEXT NOT NULL,
    created DOUBLE PRECISION NOT NULL,
    created_at TEXT NOT NULL,
    receiver TEXT NOT NULL,
    shown TEXT NOT NULL,
    text TEXT NOT NULL,
    document TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_at DOUBLE PRECISION NOT NULL,
    last_at TEXT,
    last_status INTEGER,
    last_error TEXT,
    last_said TEXT)"""
_INDEX = ("CREATE INDEX IF NOT EXISTS opsweb_notifications_due"
          " ON opsweb_notifications (status, receiver, next_at)")
_COLUMNS = "event_id, event, created_at, shown, text, status, attempts, next_at, last_at," \
           " last_status, last_error, last_said"


def _stored(said: Said | None) -> str | None:
    """A sentence kept with its message id, so the page can show it translated."""
    def plain(s):
        return {"msgid": s.msgid, "params": {k: plain(v) if isinstance(v, Said) else v
                                             for k, v in s.params.items()}}
    return json.dumps(plain(said)) if isinstance(said, Said) else None


def _read(english: str | None, stored: str | None) -> str | None:
    def said(d):
        return Said(d["msgid"], **{k: said(v) if isinstance(v, dict) else v
                                   for k, v in d["params"].items()})
    return said(json.loads(stored)) if stored else english


def backoff(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th attempt failed."""
    return min(2.0 ** (max(attempts, 1) - 1), MAX_DELAY)


@dataclass(frozen=True)
class Due:
    """A pending row whose time has come."""
    row_id: int
    event_id: str
    document: str
    attempts: int
    created: float


@dataclass(frozen=True)
class Delivery:
    """A row as the notifications table shows it."""
    event_id: str
    event: str
    at: str
    receiver: str
    text: str
    status: str
    attempts: int
    next_at: float
    last_at: str | None
    last_status: int | None
    last_error: str | None

    def to_json(self) -> dict:
        return {"eventId": self.event_id, "event": self.event, "at": self.at,
                "receiver": self.receiver, "text": self.text, "status": self.status,
                "attempts": self.attempts, "lastAt": self.last_at,
                "lastStatus": self.last_status, "lastError": self.last_error,
                "nextAt": events.at_text(self.next_at) if self.status == "pending" else None}


class Outbox:
    def __init__(self, store: Store, receivers: tuple[Receiver, ...], clock: Clock | None = None):
        self.store = store
        self.receivers = receivers
        self.clock = clock or Clock()
        self._listeners: list[threading.Event] = []
        self._ready = False

    def _table(self) -> None:
        if not self._ready:
            self.store.run(_TABLE.format(id=self.store.id_column), ())
            self.store.run(_INDEX, ())
            self._ready = True

    def listen(self, wake: threading.Event) -> None:
        """`wake` is set whenever this process publishes, so a sender need not wait
        for its next poll."""
        self._listeners.append(wake)

    def publish(self, event: str, *, incident: dict | None = None, action: dict | None = None,
                text: str) -> None:
        """Stores the event for every receiver before returning (one statement, so
        all receivers or none); nothing when no receiver is configured. Raises
        ValueError for an unknown event, AuditUnavailable when it cannot be stored."""
        event_id = str(uuid.uuid4())
        now = self.clock.now()
        doc = events.document(event_id, event, now, incident=incident, action=action, text=text)
        if not self.receivers:
            return
        self._table()
        self.store.run("DELETE FROM opsweb_notifications WHERE status <> 'pending' AND created < ?",
                       (now - KEEP_SECONDS,))
        row = "(?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?)"
        values: list = []
        for receiver in self.receivers:
            values += [event_id, event, now, events.at_text(now), receiver.key, receiver.shown,
                       events.one_line(text), doc, now]
        self.store.run("INSERT INTO opsweb_notifications (event_id, event, created, created_at,"
                       " receiver, shown, text, document, status, attempts, next_at) VALUES "
                       + ", ".join([row] * len(self.receivers)), tuple(values))
        for wake in self._listeners:
            wake.set()

    def expire(self) -> None:
        """Rows past the age bound are given up, whoever they were for: a receiver
        taken out of OPSWEB_WEBHOOK_URLS has no sender left to give them up."""
        self._table()
        said = Said("older than %(hours)s hours: given up", hours=int(MAX_AGE // 3600))
        self.store.run("UPDATE opsweb_notifications SET status = 'failed', last_error = ?,"
                       " last_said = ? WHERE status = 'pending' AND created < ?",
                       (str(said), _stored(said), self.clock.now() - MAX_AGE))

    def due(self, receiver: Receiver, limit: int = 20) -> list[Due]:
        self._table()
        rows = self.store.run("SELECT id, event_id, document, attempts, created"
                              " FROM opsweb_notifications WHERE status = 'pending'"
                              " AND receiver = ? AND next_at <= ? ORDER BY id LIMIT ?",
                              (receiver.key, self.clock.now(), limit), fetch=True)
        return [Due(int(r[0]), r[1], r[2], int(r[3]), float(r[4])) for r in rows]

    def claim(self, due: Due) -> bool:
        """This attempt is ours (False: another sender took it first)."""
        now = self.clock.now()
        rows = self.store.run("UPDATE opsweb_notifications SET attempts = attempts + 1,"
                              " next_at = ?, last_at = ? WHERE id = ? AND attempts = ?"
                              " AND status = 'pending' RETURNING id",
                              (now + backoff(due.attempts + 1), events.at_text(now), due.row_id,
                               due.attempts), fetch=True)
        return bool(rows)

    def settle(self, due: Due, result: Result) -> str:
        """Records a claimed attempt's result: delivered, retried (still pending) or failed."""
        attempts = due.attempts + 1
        if result.delivered:
            outcome, error = "delivered", None
        elif result.retry and attempts < MAX_ATTEMPTS and self.clock.now() - due.created < MAX_AGE:
            outcome, error = "retried", result.error
        else:
            outcome = "failed"
            error = Said("%(error)s; gave up after %(attempts)s attempts", error=result.error,
                         attempts=attempts) if result.retry else result.error
        self.store.run("UPDATE opsweb_notifications SET status = ?, last_status = ?,"
                       " last_error = ?, last_said = ? WHERE id = ?",
                       ("pending" if outcome == "retried" else outcome, result.status,
                        error and str(error), _stored(error), due.row_id))
        return outcome

    def recent(self, limit: int = 50) -> list[Delivery]:
        self._table()
        rows = self.store.run(f"SELECT {_COLUMNS} FROM opsweb_notifications"
                              " ORDER BY id DESC LIMIT ?", (limit,), fetch=True)
        return [Delivery(*r[:6], int(r[6]), float(r[7]), r[8], r[9], _read(r[10], r[11]))
                for r in rows]

    def pending(self) -> int:
        self._table()
        return int(self.store.run("SELECT COUNT(*) FROM opsweb_notifications"
                                  " WHERE status = 'pending'", (), fetch=True)[0][0])
