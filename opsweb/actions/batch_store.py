"""Batches and their items, kept in the audit database so that a batch outlives the
browser that started it and a restart can say what was never sent.

An item moves pending → sending → done | failed | unknown, or pending → notSent when
the batch is cancelled or its instance stopped. "sending" is written *before* the call
leaves opsweb: an item found "sending" after a restart may have reached Paperclip, so it
reads as unknown and is never sent again. A drain's agent item waits as "draining"
until its running run ends; that state survives a restart.

The instance running a batch writes a heartbeat (`beat_at`); a batch whose heartbeat is
older than STALE_SECONDS has lost its instance, and the next instance that looks claims
it (one UPDATE guarded by the old heartbeat, so two instances cannot both win).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from opsweb.actions.audit import Store, now_text

STALE_SECONDS = 20.0
FINAL = ("done", "failed", "unknown", "notSent")
_TABLES = (
    """CREATE TABLE IF NOT EXISTS opsweb_batches (
    id TEXT PRIMARY KEY,
    action TEXT NOT NULL,
    operator TEXT NOT NULL,
    remote_addr TEXT,
    reason TEXT,
    status TEXT NOT NULL,
    cancel_asked INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    beat_at DOUBLE PRECISION NOT NULL,
    owner TEXT NOT NULL,
    undo_of TEXT,
    paperclip_url TEXT)""",
    """CREATE TABLE IF NOT EXISTS opsweb_batch_items (
    batch_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    name TEXT,
    company_id TEXT,
    outcome TEXT NOT NULL,
    message TEXT,
    PRIMARY KEY (batch_id, seq))""",
)


@dataclass(frozen=True)
class Item:
    seq: int
    kind: str  # "cancel" | "pause" | "resume" | "drain" (pause once the run ends)
    target: str  # a run id or an agent id
    name: str | None
    company_id: str | None
    outcome: str  # pending | sending | draining | done | failed | unknown | notSent
    message: str | None

    def to_json(self) -> dict:
        shown = "unknown" if self.outcome == "sending" else self.outcome
        return {"target": self.target, "kind": self.kind, "name": self.name,
                "outcome": shown, "message": self.message}


@dataclass(frozen=True)
class Batch:
    id: str
    action: str
    operator: str
    remote_addr: str | None
    reason: str | None
    status: str  # running | done | cancelled
    cancel_asked: bool
    created_at: str
    finished_at: str | None
    undo_of: str | None
    paperclip_url: str | None
    items: tuple[Item, ...]

    def count(self, outcome: str) -> int:
        return sum(1 for i in self.items if i.outcome == outcome)

    @property
    def running(self) -> bool:
        return self.status == "running"

    def to_json(self) -> dict:
        return {"id": self.id, "action": self.action, "status": self.status,
                "operator": self.operator, "reason": self.reason, "at": self.created_at,
                "finishedAt": self.finished_at, "undoOf": self.undo_of,
                "total": len(self.items), "done": self.count("done"),
                "failed": self.count("failed"),
                "unknown": self.count("unknown") + self.count("sending"),
                "notSent": self.count("notSent"),
                "pending": self.count("pending"), "draining": self.count("draining"),
                "items": [i.to_json() for i in self.items]}


_BATCH_COLUMNS = ("id, action, operator, remote_addr, reason, status, cancel_asked,"
                  " created_at, finished_at, undo_of, paperclip_url")


class BatchStore:
    """The two tables over an audit Store's connection (see web/sessions.py)."""

    def __init__(self, store: Store, now):
        self.store = store
        self.now = now  # epoch seconds (the injected clock)
        for table in _TABLES:
            store.run(table, ())

    def create(self, action: str, operator: str, remote_addr: str | None,
               reason: str | None, paperclip_url: str | None, owner: str,
               items: list[tuple[str, str, str | None, str | None]],
               undo_of: str | None = None) -> str:
        """`items`: (kind, target, name, company id), in the order they are sent."""
        batch_id = secrets.token_hex(8)
        self.store.run("INSERT INTO opsweb_batches (id, action, operator, remote_addr, reason,"
                       " status, created_at, beat_at, owner, undo_of, paperclip_url)"
                       " VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?)",
                       (batch_id, action, operator, remote_addr, reason, now_text(),
                        self.now(), owner, undo_of, paperclip_url))
        for seq, (kind, target, name, company) in enumerate(items):
            self.store.run("INSERT INTO opsweb_batch_items (batch_id, seq, kind, target, name,"
                           " company_id, outcome) VALUES (?, ?, ?, ?, ?, ?, 'pending')",
                           (batch_id, seq, kind, target, (name or None) and name[:200],
                            company))
        return batch_id

    def get(self, batch_id: str) -> Batch | None:
        rows = self.store.run(f"SELECT {_BATCH_COLUMNS} FROM opsweb_batches WHERE id = ?",
                              (batch_id,), fetch=True)
        if not rows:
            return None
        items = self.store.run("SELECT seq, kind, target, name, company_id, outcome, message"
                               " FROM opsweb_batch_items WHERE batch_id = ? ORDER BY seq",
                               (batch_id,), fetch=True)
        row = list(rows[0])
        row[6] = bool(row[6])
        return Batch(*row, items=tuple(Item(*i) for i in items))

    def set_item(self, batch_id: str, seq: int, outcome: str, message: str | None = None,
                 kind: str | None = None) -> None:
        self.store.run("UPDATE opsweb_batch_items SET outcome = ?, message = ?,"
                       " kind = COALESCE(?, kind) WHERE batch_id = ? AND seq = ?",
                       (outcome, message and message[:1000], kind, batch_id, seq))

    def not_sent(self, batch_id: str, message: str) -> None:
        self.store.run("UPDATE opsweb_batch_items SET outcome = 'notSent', message = ?"
                       " WHERE batch_id = ? AND outcome = 'pending'", (message, batch_id))

    def ask_cancel(self, batch_id: str) -> None:
        self.store.run("UPDATE opsweb_batches SET cancel_asked = 1 WHERE id = ?", (batch_id,))

    def cancel_asked(self, batch_id: str) -> bool:
        rows = self.store.run("SELECT cancel_asked FROM opsweb_batches WHERE id = ?",
                              (batch_id,), fetch=True)
        return bool(rows and rows[0][0])

    def beat(self, batch_id: str) -> None:
        self.store.run("UPDATE opsweb_batches SET beat_at = ? WHERE id = ?",
                       (self.now(), batch_id))

    def finish(self, batch_id: str, status: str) -> None:
        self.store.run("UPDATE opsweb_batches SET status = ?, finished_at = ? WHERE id = ?",
                       (status, now_text(), batch_id))

    def running_of(self, operator: str) -> int:
        rows = self.store.run("SELECT COUNT(*) FROM opsweb_batches WHERE operator = ?"
                              " AND status = 'running' AND beat_at >= ?",
                              (operator, self.now() - STALE_SECONDS), fetch=True)
        return int(rows[0][0])

    def claim_orphans(self, owner: str) -> list[str]:
        """Running batches whose instance stopped beating: claimed for `owner`, one
        guarded UPDATE each, and returned (the caller settles them)."""
        cutoff = self.now() - STALE_SECONDS
        rows = self.store.run("SELECT id, owner FROM opsweb_batches WHERE status = 'running'"
                              " AND beat_at < ?", (cutoff,), fetch=True)
        claimed = []
        for batch_id, old_owner in rows:
            self.store.run("UPDATE opsweb_batches SET owner = ?, beat_at = ? WHERE id = ?"
                           " AND owner = ? AND beat_at < ?",
                           (owner, self.now(), batch_id, old_owner, cutoff))
            mine = self.store.run("SELECT owner FROM opsweb_batches WHERE id = ?",
                                  (batch_id,), fetch=True)
            if mine and mine[0][0] == owner:
                claimed.append(batch_id)
        return claimed

    def recent(self, limit: int = 20) -> list[str]:
        rows = self.store.run("SELECT id FROM opsweb_batches ORDER BY created_at DESC"
                              " LIMIT ?", (limit,), fetch=True)
        return [r[0] for r in rows]
