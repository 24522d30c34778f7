"""The OpenAPI entries of the twins that keep watch (rules, incidents, webhook
deliveries), kept beside openapi.py so that neither grows past its size;
openapi.document() merges them."""
from __future__ import annotations

TEXT = {"type": "string"}
MAYBE_TEXT = {"type": "string", "nullable": True}

ACTION = {"type": "object", "required": ["at", "rule", "action", "mode", "outcome"],
          "properties": {"at": TEXT, "rule": TEXT, "action": TEXT,
                         "mode": {"type": "string", "enum": ["act", "watch"]},
                         "agentId": MAYBE_TEXT, "agentName": MAYBE_TEXT,
                         "companyId": MAYBE_TEXT, "runId": MAYBE_TEXT,
                         "outcome": {"type": "string", "enum": [
                             "done", "failed", "unknown", "would_act", "notified", "held"]},
                         "detail": MAYBE_TEXT,
                         "incidentId": {"type": "integer", "nullable": True}}}
SCHEMAS = {
    "RuleAction": ACTION,
    "Rules": {"type": "object", "required": ["rules", "evaluator", "brakes"], "properties": {
        "rules": {"type": "array", "items": {"type": "object", "properties": {
            "name": TEXT, "when": TEXT, "do": TEXT, "mode": TEXT,
            "scope": {"type": "object"}, "lastEvaluatedAt": MAYBE_TEXT,
            "lastFiredAt": MAYBE_TEXT, "state": MAYBE_TEXT,
            "actions": {"type": "array", "items": ACTION}}}},
        "evaluator": {"type": "object", "properties": {
            "acting": {"type": "boolean"}, "instance": MAYBE_TEXT, "since": MAYBE_TEXT}},
        "brakes": {"type": "object", "properties": {
            "maxActionsPerHour": {"type": "integer"}, "actionsThisHour": {"type": "integer"}}},
        "configured": {"type": "boolean"}}},
    "Notifications": {"type": "object", "required": ["receivers", "pending", "deliveries"],
                      "properties": {"receivers": {"type": "array", "items": TEXT},
                                     "pending": {"type": "integer"}, "deliveries": {
        "type": "array", "items": {"type": "object", "required": [
            "eventId", "event", "at", "receiver", "status", "attempts"], "properties": {
            "eventId": TEXT, "event": TEXT, "at": TEXT, "receiver": TEXT, "text": TEXT,
            "status": {"type": "string", "enum": ["pending", "delivered", "failed"]},
            "attempts": {"type": "integer"}, "lastAt": MAYBE_TEXT,
            "lastStatus": {"type": "integer", "nullable": True}, "lastError": MAYBE_TEXT,
            "nextAt": MAYBE_TEXT}}}}},
    "Incidents": {"type": "object", "required": ["incidents"], "properties": {
        "incidents": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "kind": TEXT, "companyId": TEXT,
            "companyName": MAYBE_TEXT, "agentId": MAYBE_TEXT, "agentName": MAYBE_TEXT,
            "openedAt": TEXT, "resolvedAt": MAYBE_TEXT, "detail": MAYBE_TEXT,
            "actions": {"type": "array", "items": ACTION}}}},
        "since": TEXT, "tracking": {"type": "boolean"}}},
}


def paths(json, ref, query, common: dict, error) -> dict:
    """With openapi.py's own helpers, so both files describe answers alike."""
    unavailable = {"503": error("The audit database cannot be read")}
    return {
        "/rules": {"get": {
            "operationId": "rules",
            "summary": "The guard-rail rules, what each did or would do, who evaluates them",
            "responses": {"200": json("Rules", ref("Rules")), **common, **unavailable}}},
        "/incidents": {"get": {
            "operationId": "incidents",
            "summary": "Incidents (attention items kept with opened and resolved times and the"
                       " rules' actions), newest first; by default those of the last 24 h",
            "parameters": [
                query("open", "1: only those still open", {"type": "string", "enum": ["0", "1"]}),
                query("since", "ISO 8601 time: those open at some moment since then",
                      {"type": "string", "format": "date-time"}),
                query("limit", "how many (1-500, default 200)",
                      {"type": "integer", "minimum": 1, "maximum": 500})],
            "responses": {"200": json("Incidents", ref("Incidents")), **common,
                          **unavailable}}},
        "/notifications": {"get": {
            "operationId": "notifications",
            "summary": "The last webhook deliveries, newest first (receivers without credentials)",
            "parameters": [query("limit", "how many (1-200, default 50)",
                                 {"type": "integer", "minimum": 1, "maximum": 200})],
            "responses": {"200": json("Deliveries", ref("Notifications")), **common,
                          "503": error("The audit database is unavailable")}}},
    }
