"""Signed-in browser sessions, server-side, in the audit database.

Kept next to the trail so that every instance sharing the audit database sees a
sign-out at once (no sticky sessions). A session cookie names a row here; signing
out revokes the row, so a copied cookie stops working everywhere.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from opsweb.actions.audit import Store, now_text

_SESSIONS_TABLE = """CREATE TABLE IF NOT EXISTS opsweb_sessions (
    id TEXT PRIMARY KEY,
    operator TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT)"""


class Sessions:
    """Server-side session ids over an audit Store's connection."""

    def __init__(self, store: Store):
        self.store = store
        self._ready = False

    def _table(self) -> None:
        # created on first use: opening the panel never needs the sessions table
        if not self._ready:
            self.store.run(_SESSIONS_TABLE, ())
            self._ready = True

    def open(self, session_id: str, operator: str, lifetime_seconds: float) -> None:
        """A new signed-in session; sessions older than `lifetime_seconds` (expired
        anyway) are dropped on the way."""
        self._table()
        cutoff = datetime.now(timezone.utc) - timedelta(seconds=lifetime_seconds)
        self.store.run("DELETE FROM opsweb_sessions WHERE created_at < ?",
                        (cutoff.isoformat(timespec="milliseconds").replace("+00:00", "Z"),))
        self.store.run("INSERT INTO opsweb_sessions (id, operator, created_at) VALUES (?, ?, ?)",
                        (session_id, operator, now_text()))

    def operator(self, session_id: str) -> str | None:
        """Who a live session belongs to; None when unknown or revoked."""
        self._table()
        rows = self.store.run("SELECT operator FROM opsweb_sessions WHERE id = ?"
                               " AND revoked_at IS NULL", (session_id,), fetch=True)
        return rows[0][0] if rows else None

    def revoke(self, session_id: str) -> None:
        self._table()
        self.store.run("UPDATE opsweb_sessions SET revoked_at = ? WHERE id = ?",
                        (now_text(), session_id))
