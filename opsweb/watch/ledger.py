"""What the rules did and would have done, one row per action (or held action), in
the audit database: the rules twin's `actions`, the incidents' actions, the cool-downs
and the hourly brake all read it, so an instance that takes over the lease knows what
the previous one did and does not repeat it."""
from __future__ import annotations

from opsweb.actions.audit import Store

_TABLE = """CREATE TABLE IF NOT EXISTS opsweb_rule_actions (
    id {id},
    at TEXT NOT NULL,
    rule TEXT NOT NULL,
    action TEXT NOT NULL,
    mode TEXT NOT NULL,
    target TEXT NOT NULL,
    agent_id TEXT,
    agent_name TEXT,
    company_id TEXT,
    run_id TEXT,
    outcome TEXT NOT NULL,
    detail TEXT,
    incident_id BIGINT)"""
_COLUMNS = ("at", "rule", "action", "mode", "agent_id", "agent_name", "company_id", "run_id",
            "outcome", "detail", "incident_id")
DETAIL_CHARS = 500


def to_json(row: tuple) -> dict:
    at, rule, action, mode, agent_id, agent_name, company_id, run_id, outcome, detail, \
        incident_id = row
    return {"at": at, "rule": rule, "action": action, "mode": mode, "agentId": agent_id,
            "agentName": agent_name, "companyId": company_id, "runId": run_id,
            "outcome": outcome, "detail": detail, "incidentId": incident_id}


class Ledger:
    def __init__(self, store: Store):
        self.store = store
        self._ready = False

    def _table(self) -> None:
        if not self._ready:
            self.store.run(_TABLE.format(id=self.store.id_column), ())
            self._ready = True

    def record(self, at: str, rule: str, action: str, mode: str, target: str, *,
               agent_id: str | None, agent_name: str | None, company_id: str | None,
               run_id: str | None, outcome: str, detail: str,
               incident_id: int | None = None) -> dict:
        self._table()
        self.store.run(
            "INSERT INTO opsweb_rule_actions (at, rule, action, mode, target, agent_id,"
            " agent_name, company_id, run_id, outcome, detail, incident_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (at, rule, action, mode, target, agent_id, (agent_name or "")[:200] or None,
             company_id, run_id, outcome, detail[:DETAIL_CHARS], incident_id))
        return to_json((at, rule, action, mode, agent_id, agent_name, company_id, run_id,
                        outcome, detail[:DETAIL_CHARS], incident_id))

    def last_at(self, rule: str, target: str) -> str | None:
        """When this rule last acted (or recorded) on this target: the cool-down."""
        self._table()
        rows = self.store.run("SELECT MAX(at) FROM opsweb_rule_actions WHERE rule = ?"
                              " AND target = ?", (rule, target), fetch=True)
        return rows[0][0] if rows else None

    def called_since(self, at: str) -> int:
        """Calls made to Paperclip by every rule since `at`: the hourly brake."""
        self._table()
        rows = self.store.run("SELECT COUNT(*) FROM opsweb_rule_actions WHERE mode = 'act'"
                              " AND outcome IN ('done', 'failed', 'unknown') AND at >= ?",
                              (at,), fetch=True)
        return int(rows[0][0]) if rows else 0

    def recent(self, rule: str | None = None, incident_ids: list[int] | None = None,
               limit: int = 20) -> list[dict]:
        self._table()
        where, params = [], []
        if rule is not None:
            where.append("rule = ?")
            params.append(rule)
        if incident_ids is not None:
            if not incident_ids:
                return []
            where.append(f"incident_id IN ({', '.join('?' * len(incident_ids))})")
            params += incident_ids
        sql = f"SELECT {', '.join(_COLUMNS)} FROM opsweb_rule_actions"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self.store.run(sql + " ORDER BY id DESC LIMIT ?", (*params, limit), fetch=True)
        return [to_json(tuple(r)) for r in rows]
