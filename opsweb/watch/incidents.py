"""Incidents: every attention item (fleet/attention.py) kept with the time it was
first seen and the time it went away, in the audit database, so whoever arrives in
the morning reads what happened at night.

An incident is resolved only when its company was read and the item is gone: a
company whose read failed says nothing about whether its incidents are over.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from opsweb.actions.audit import Store
from opsweb.fleet.attention import Item
from opsweb.watch.ledger import Ledger

_TABLE = """CREATE TABLE IF NOT EXISTS opsweb_incidents (
    id {id},
    incident_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    company_id TEXT NOT NULL,
    company_name TEXT,
    agent_id TEXT,
    agent_name TEXT,
    opened_at TEXT NOT NULL,
    resolved_at TEXT,
    detail TEXT)"""
_COLUMNS = ("id", "kind", "company_id", "company_name", "agent_id", "agent_name", "opened_at",
            "resolved_at", "detail")
MAX_LIMIT = 500


def key_of(kind: str, company_id: str, agent_id: str | None) -> str:
    return f"{kind}:{company_id}:{agent_id or ''}"


@dataclass(frozen=True)
class Incident:
    id: int
    kind: str
    company_id: str
    company_name: str | None
    agent_id: str | None
    agent_name: str | None
    opened_at: str
    resolved_at: str | None
    detail: str | None
    actions: tuple = ()

    @property
    def key(self) -> str:
        return key_of(self.kind, self.company_id, self.agent_id)

    def to_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "companyId": self.company_id,
                "companyName": self.company_name, "agentId": self.agent_id,
                "agentName": self.agent_name, "openedAt": self.opened_at,
                "resolvedAt": self.resolved_at, "detail": self.detail,
                "actions": list(self.actions)}


class Incidents:
    def __init__(self, store: Store, ledger: Ledger):
        self.store, self.ledger = store, ledger
        self._ready = False

    def _table(self) -> None:
        if not self._ready:
            self.store.run(_TABLE.format(id=self.store.id_column), ())
            self._ready = True

    def _rows(self, where: str, params: tuple, limit: int) -> list[Incident]:
        self._table()
        rows = self.store.run(f"SELECT {', '.join(_COLUMNS)} FROM opsweb_incidents {where}"
                              " ORDER BY opened_at DESC, id DESC LIMIT ?", (*params, limit),
                              fetch=True)
        return [Incident(*row) for row in rows]

    def open(self) -> list[Incident]:
        return self._rows("WHERE resolved_at IS NULL", (), MAX_LIMIT)

    def open_count(self) -> int:
        self._table()
        return int(self.store.run("SELECT COUNT(*) FROM opsweb_incidents"
                                  " WHERE resolved_at IS NULL", (), fetch=True)[0][0])

    def open_by_kind(self) -> dict[str, int]:
        self._table()
        rows = self.store.run("SELECT kind, COUNT(*) FROM opsweb_incidents"
                              " WHERE resolved_at IS NULL GROUP BY kind", (), fetch=True)
        return {kind: int(n) for kind, n in rows}

    def listed(self, open_only: bool = False, since: str | None = None,
               limit: int = 200) -> list[Incident]:
        """Newest first, with their actions. `since`: every incident that was open at
        some moment after it (opened after it, resolved after it, or still open)."""
        where, params = [], []
        if open_only:
            where.append("resolved_at IS NULL")
        if since:
            where.append("(opened_at >= ? OR resolved_at >= ? OR resolved_at IS NULL)")
            params += [since, since]
        found = self._rows(("WHERE " + " AND ".join(where)) if where else "", tuple(params),
                           max(1, min(limit, MAX_LIMIT)))
        actions: dict[int, list[dict]] = {}
        for action in self.ledger.recent(incident_ids=[i.id for i in found], limit=2000):
            actions.setdefault(action["incidentId"], []).append(action)
        return [replace(i, actions=tuple(actions.get(i.id, []))) for i in found]

    def track(self, items: list[Item], read: set[str], now: str
              ) -> tuple[list[Incident], list[Incident]]:
        """Open an incident for each new item and resolve the open ones whose item is
        gone from a company that was read (`read`: company ids read this time).
        Returns (opened, resolved)."""
        current = {key_of(i.kind, i.company_id, i.agent_id): i for i in items}
        held = {i.key: i for i in self.open()}
        opened, resolved = [], []
        for key, item in current.items():
            if key in held:
                continue
            self.store.run("INSERT INTO opsweb_incidents (incident_key, kind, company_id,"
                           " company_name, agent_id, agent_name, opened_at, detail)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (key, item.kind, item.company_id, item.company_name, item.agent_id,
                            item.agent_name, now, str(item.detail)[:500]))
            opened.append(self._newest(key))
        for key, incident in held.items():
            if key not in current and incident.company_id in read:
                self.store.run("UPDATE opsweb_incidents SET resolved_at = ? WHERE id = ?",
                               (now, incident.id))
                resolved.append(replace(incident, resolved_at=now))
        return opened, resolved

    def _newest(self, key: str) -> Incident:
        return self._rows("WHERE incident_key = ? AND resolved_at IS NULL", (key,), 1)[0]

    def for_agent(self, company_id: str, agent_id: str | None, kind: str) -> int | None:
        """The open incident a rule's action belongs to: the same kind, else any open
        incident of that agent."""
        held = [i for i in self.open() if i.company_id == company_id and i.agent_id == agent_id]
        same = [i for i in held if i.kind == kind]
        return (same or held)[0].id if held else None
