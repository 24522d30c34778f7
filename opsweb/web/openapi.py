"""The OpenAPI document of the JSON twins, served at `<api prefix>/openapi.json`.

Written by hand next to the views it describes (the twins are few) and checked by
fuzzing them with schemathesis (tests/test_fuzz.py): every documented parameter,
status and body shape is what the server really does.
"""
from __future__ import annotations

from opsweb.fleet import row_state
from opsweb.fleet.attention import KINDS
from opsweb.fleet.filters import COLLAPSED_CHARS, MAX_COLLAPSED
from opsweb.web import openapi_batches, openapi_pictures, openapi_search, openapi_spend
from opsweb.web import openapi_watch

# the twins each described beside this file (their SCHEMAS merge into the document's)
PARTS = (openapi_batches, openapi_watch, openapi_spend, openapi_pictures, openapi_search)

UUID = {"type": "string", "format": "uuid",
        "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"}
TEXT = {"type": "string"}
MAYBE_TEXT = {"type": "string", "nullable": True}
MAYBE_NUMBER = {"type": "number", "nullable": True}
_ONE_ID = UUID["pattern"][1:-1]
COMPANY_IDS = {"type": "string", "maxLength": COLLAPSED_CHARS,
               "pattern": f"^{_ONE_ID}(,{_ONE_ID}){{0,{MAX_COLLAPSED - 1}}}$"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": _ref("Error")}}}


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _query(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"maxLength": 64, **schema} if schema.get("type") == "string" else schema}


def _path(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": UUID}


COMMON = {"400": _error("A malformed id or parameter, or a Host this panel does not answer"
                        " to; Paperclip was not called"),
          "401": _error("No operator: send Authorization: Bearer <operator token>"),
          "403": _error("Refused (CSRF, origin, or without operators: not from 127.0.0.1,"
                        " or through a proxy)")}
UPSTREAM = {"404": _error("Paperclip does not know this run or agent (the error names the id)"),
            "502": _error("Paperclip failed or sent a broken answer"),
            "504": _error("Paperclip did not answer in time")}
UNKNOWN_COMPANY = _error("company= names no company this panel reads (the error names it)")
CURSOR = {"type": "string", "pattern": r"^[0-9]{1,15}(\.[0-9]{1,15}\.[0-9]{1,15})?(-[a-z]{1,8})?$"}
OFFSET = {"type": "string", "pattern": r"^[0-9]{1,15}$"}
ACTION_BODY = {"required": False, "content": {"application/json": {"schema": {
    "type": "object", "description": "{} or {\"reason\": …}; other fields are ignored",
    "properties": {"reason": {"type": "string", "maxLength": 300, "description":
                              "why, for the audit trail: one line of plain text"}}}}}}
FINISHED_RUN = {"type": "object", "required": ["runId", "companyId", "agentId", "outcome"],
                "properties": {
                    "runId": TEXT, "companyId": TEXT, "companyName": TEXT, "agentId": TEXT,
                    "agentName": TEXT, "outcome": {"type": "string", "enum": [
                        "succeeded", "failed", "cancelled", "timed_out", "interrupted"]},
                    "error": MAYBE_TEXT, "errorCode": MAYBE_TEXT,
                    "exitCode": {"type": "integer", "nullable": True},
                    "invocationSource": MAYBE_TEXT, "startedAt": MAYBE_TEXT,
                    "finishedAt": MAYBE_TEXT, "durationSeconds": MAYBE_NUMBER,
                    "outputBytes": {"type": "integer", "nullable": True},
                    "costUsd": MAYBE_NUMBER,
                    "inputTokens": {"type": "integer", "nullable": True},
                    "outputTokens": {"type": "integer", "nullable": True},
                    "cancelledBy": MAYBE_TEXT}}
COMPANY_ERRORS = {"type": "array", "items": {"type": "object", "required": ["companyId", "error"],
    "properties": {"companyId": TEXT, "companyName": TEXT, "error": TEXT}}}

SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": TEXT}},
    "Row": {"type": "object", "required": ["runId", "companyId", "agentId", "status"],
            "properties": {
                "runId": TEXT, "companyId": TEXT, "companyName": TEXT, "agentId": TEXT,
                "agentName": TEXT, "adapterType": TEXT, "status": TEXT,
                "issueId": MAYBE_TEXT, "issueLabel": MAYBE_TEXT, "createdAt": MAYBE_TEXT,
                "startedAt": MAYBE_TEXT, "ageSeconds": MAYBE_NUMBER,
                "silenceLevel": TEXT, "silenceAgeSeconds": MAYBE_NUMBER,
                "lastOutputAt": MAYBE_TEXT, "statusMessage": MAYBE_TEXT,
                "phaseLabel": MAYBE_TEXT,
                "phase": {**MAYBE_TEXT, "description": "Paperclip's execution phase, its enum"
                          " key: working, reconnecting, retry_scheduled, finishing,"
                          " recovery_needed, waiting_for_access, waiting_for_answer, queued"},
                "nextAction": {**MAYBE_TEXT, "description": "Paperclip's advice for the run"},
                "state": {"type": "string", "enum": list(row_state.STATES),
                          "description": "the one plain state the panel shows"},
                "nextStep": {**MAYBE_TEXT, "description": "what the operator does about it"},
                "attentionKind": {**MAYBE_TEXT, "description": "the agent's most urgent"
                                  " attention kind (as in /attention), or null"},
                "idProblem": {**MAYBE_TEXT, "description": "why the row has no actions:"
                              " Paperclip sent a malformed run or agent id"}}},
    "Fleet": {"type": "object", "required": ["runs", "errors", "companies"], "properties": {
        "runs": {"type": "array", "items": _ref("Row")},
        "errors": {"type": "array", "items": {"type": "object", "required": ["companyId", "error"],
                                              "properties": {"companyId": TEXT,
                                                             "companyName": TEXT,
                                                             "error": TEXT}}},
        "companies": {"type": "array", "items": {"type": "object"}}}},
    "Log": {"type": "object", "required": ["run", "entries", "text", "cursor", "finished"],
            "properties": {"run": {"type": "object"}, "entries": {"type": "array"},
                           "text": TEXT, "cursor": TEXT,
                           "earlier": {"type": "string", "nullable": True},
                           "atEof": {"type": "boolean"}, "finished": {"type": "boolean"},
                           "skipped": {"type": "object", "nullable": True,
                                       "description": "output a follow jumped over to reach the end",
                                       "properties": {"from": {"type": "integer"},
                                                      "to": {"type": "integer"},
                                                      "bytes": {"type": "integer"}}}}},
    "Events": {"type": "object", "required": ["runId", "live", "events", "after"],
               "properties": {"runId": TEXT, "live": {"type": "boolean"},
                              "events": {"type": "array", "items": {"type": "object"}},
                              "after": {"type": "integer"}}},
    "Outcome": {"type": "object", "required": ["action", "id", "result", "message"],
                "properties": {"action": {"type": "string", "enum": [
                                   "cancel", "reset-session", "pause", "resume"]},
                               "id": TEXT, "message": TEXT,
                               "result": {"type": "string", "enum": [
                                   "done", "already_finished", "failed", "unknown"]},
                               "status": TEXT, "clearedTaskSessions": {"type": "integer"},
                               "upstreamStatus": {"type": "integer"}}},
    "Audit": {"type": "object", "required": ["actions"], "properties": {"actions": {
        "type": "array", "items": {"type": "object", "required": [
            "id", "at", "action", "operator", "outcome", "completed"], "properties": {
            "id": {"type": "integer"}, "at": TEXT, "finishedAt": MAYBE_TEXT,
            "action": TEXT, "operator": TEXT, "remoteAddr": MAYBE_TEXT,
            "runId": MAYBE_TEXT, "agentId": MAYBE_TEXT, "companyId": MAYBE_TEXT,
            "outcome": {"type": "string", "enum": ["done", "already_finished", "failed", "unknown"]},
            "completed": {"type": "boolean"}, "message": MAYBE_TEXT,
            "paperclip": {"type": "object"}, "reason": MAYBE_TEXT, "agentName": MAYBE_TEXT,
            "companyName": MAYBE_TEXT, "paperclipUrl": MAYBE_TEXT,
            "batchId": MAYBE_TEXT}}}}},
    "FinishedRun": FINISHED_RUN,
    "Recent": {"type": "object", "required": ["runs", "errors"], "properties": {
        "runs": {"type": "array", "items": _ref("FinishedRun")}, "errors": COMPANY_ERRORS}},
    "Attention": {"type": "object", "required": ["items", "errors"], "properties": {
        "items": {"type": "array", "items": {
            "type": "object", "required": ["kind", "companyId", "agentId", "agentName", "count",
                                           "detail"],
            "properties": {"kind": {"type": "string", "enum": list(KINDS)},
                "companyId": TEXT, "companyName": TEXT, "agentId": MAYBE_TEXT,
                "agentName": MAYBE_TEXT, "count": {"type": "integer", "nullable": True},
                "detail": TEXT, "since": MAYBE_TEXT,
                "action": {"type": "string", "enum": ["pause", "resume"], "nullable": True},
                "lastRunId": {**MAYBE_TEXT, "description": "a failure loop's or an agent"
                              " error's last failed run (its log is the evidence)"}}}},
        "errors": COMPANY_ERRORS}},
    "AgentCard": {"type": "object", "required": ["agentId", "agentName", "status", "heartbeat",
                                                 "liveRuns", "recentRuns", "attention"],
                  "properties": {
        "agentId": TEXT, "agentName": TEXT, "companyId": TEXT, "companyName": TEXT,
        "adapterType": MAYBE_TEXT, "status": TEXT, "pauseReason": MAYBE_TEXT,
        "pausedAt": MAYBE_TEXT, "errorReason": MAYBE_TEXT, "heartbeat": {"type": "object"},
        "opswebPause": {"type": "object", "nullable": True, "properties": {
            "operator": TEXT, "reason": MAYBE_TEXT, "at": TEXT}},
        "spentMonthlyUsd": {**MAYBE_NUMBER, "description": "dollars, like every cost in opsweb's twins"},
        "budgetMonthlyUsd": MAYBE_NUMBER,
        "liveRuns": {"type": "array", "items": {"type": "object", "required": ["runId", "status"],
                                                "properties": {
            "runId": TEXT, "status": TEXT, "startedAt": MAYBE_TEXT, "silenceLevel": TEXT,
            "silenceAgeSeconds": MAYBE_NUMBER, "lastOutputAt": MAYBE_TEXT}}},
        "recentRuns": {"type": "array", "items": _ref("FinishedRun")},
        "recentRunsError": MAYBE_TEXT, "lastDay": _ref("LastDay"),
        "attention": {"type": "array", "description": "this agent's items of the attention twin",
                      "items": {"type": "object"}}}},
}


ACTION_ANSWERS = {"200": _json("Done or already finished", _ref("Outcome")),
                  **COMMON, "404": _json("Paperclip does not know it", _ref("Outcome")),
                  "415": _error("A body that is not JSON"),
                  "502": _json("Paperclip refused or failed", _ref("Outcome")),
                  "503": _error("The audit trail is unavailable: nothing was sent"),
                  "504": _json("The outcome is unknown: look at the run again", _ref("Outcome"))}


def action(operation_id: str, summary: str, target: str = "agentId") -> dict:
    """Stop, Reset, Pause, Resume: a POST on one run or agent, answered with an Outcome."""
    return {"post": {"operationId": operation_id, "summary": summary,
                     "parameters": [_path(target)], "requestBody": ACTION_BODY,
                     "responses": ACTION_ANSWERS}}


def document(prefix: str) -> dict:
    """`prefix`: where the JSON twins are mounted (`/api/operations` by default)."""
    paths = {
        "/agents": {"get": {
            "operationId": "agents", "summary": "Every running and queued run, with per-company errors",
            "parameters": [_query("company", "only this company", UUID),
                           _query("agent", "agent name contains, or agent id", TEXT),
                           _query("status", "running or queued",
                                  {"type": "string", "enum": ["running", "queued"]}),
                           _query("silent", "only suspicious and critical silence",
                                  {"type": "string", "enum": ["0", "1", "true", "false", "on"]}),
                           _query("collapsed", "company ids the page folds into one row each,"
                                  " separated by commas (the twin lists every run)", COMPANY_IDS)],
            "responses": {"200": _json("The fleet (always 200; failures are in errors)",
                                       _ref("Fleet")),
                          "304": {"description": "Unchanged since the ETag sent"}, **COMMON,
                          "404": UNKNOWN_COMPANY}}},
        "/runs/{runId}/log": {"get": {
            "operationId": "runLog", "summary": "The run's log as transcript entries and text",
            "parameters": [_path("runId"),
                           _query("cursor", "only what came after this cursor", CURSOR),
                           _query("before", "the window before an `earlier` offset", OFFSET),
                           _query("since", "with before: no output before this offset (the"
                                  " `skipped.from` of a jump)", OFFSET),
                           _query("format", "json, the only format here (the whole transcript as"
                                  " text is log.txt)", {"type": "string", "enum": ["json"]}),
                           _query("at", "alone: the window around this byte offset (a search"
                                  " match's)", {"type": "integer", "minimum": 0, "maximum": 2**50}),
                           _query("line", "with at: the match's line (entries of that record before"
                                  " it)", {"type": "integer", "minimum": 0, "maximum": 10**6}),
                           _query("later", "1, with cursor: the window after it, without jumping"
                                  " to the end", {"type": "string", "enum": ["1"]})],
            "responses": {"200": _json("The transcript", _ref("Log")), **COMMON, **UPSTREAM}}},
        "/runs/{runId}/log.txt": {"get": {
            "operationId": "runLogText",
            "summary": "The whole transcript as plain text, streamed page by page",
            "parameters": [_path("runId")],
            "responses": {"200": {"description": "The transcript",
                                  "content": {"text/plain": {"schema": TEXT}}},
                          **COMMON, **UPSTREAM}}},
        "/runs/{runId}/log.ndjson": {"get": {
            "operationId": "runLogNdjson", "summary": "The raw NDJSON log, streamed",
            "parameters": [_path("runId")],
            "responses": {"200": {"description": "NDJSON records",
                                  "content": {"application/x-ndjson": {"schema": TEXT}}},
                          **COMMON, **UPSTREAM}}},
        "/runs/{runId}/events": {"get": {
            "operationId": "runEvents", "summary": "The run's events after a sequence number",
            "parameters": [_path("runId"),
                           _query("after", "sequence number", {"type": "integer", "minimum": 0,
                                                               "maximum": 2**53 - 1})],
            "responses": {"200": _json("Events", _ref("Events")), **COMMON, **UPSTREAM}}},
        "/runs/{runId}/cancel": action("cancelRun", "Stop: Paperclip's graceful cancel, never retried",
                                       "runId"),
        "/agents/{agentId}/reset-session": action("resetSession",
                                                  "Reset the agent's session, never retried"),
        "/agents/{agentId}/pause": action(
            "pauseAgent",
            "Pause: Paperclip cancels the agent's runs and its timer skips it; never retried"),
        "/agents/{agentId}/resume": action("resumeAgent", "Resume a paused agent; never retried"),
        "/agents/{agentId}": {"get": {
            "operationId": "agentCard",
            "summary": "The agent: status, heartbeat, live and last runs, spend",
            "parameters": [_path("agentId")],
            "responses": {"200": _json("The agent card", _ref("AgentCard")), **COMMON,
                          **UPSTREAM}}},
        "/recent": {"get": {
            "operationId": "recent", "summary": "Recently finished runs, newest first",
            "parameters": [_query("company", "only this company", UUID),
                           _query("agent", "agent name contains, or agent id", TEXT),
                           _query("outcome", "only this outcome", {"type": "string", "enum": [
                               "succeeded", "failed", "cancelled", "timed_out", "interrupted"]}),
                           _query("limit", "how many (1-200, default 50)",
                                  {"type": "integer", "minimum": 1, "maximum": 200})],
            "responses": {"200": _json("Finished runs (always 200; failures are in errors)",
                                       _ref("Recent")), **COMMON, "404": UNKNOWN_COMPANY}}},
        "/attention": {"get": {
            "operationId": "attention",
            "summary": "What needs an operator: loops, burns, errors, paused agents, over-cap",
            "responses": {"200": _json("Items (always 200; failures are in errors)",
                                       _ref("Attention")), **COMMON}}},
        "/audit": {"get": {
            "operationId": "audit",
            "summary": "Recorded Stop, Reset, Pause and Resume actions, newest first",
            "parameters": [_query("limit", "how many (1-500, default 50)",
                                  {"type": "integer", "minimum": 1, "maximum": 500})],
            "responses": {"200": _json("Actions", _ref("Audit")), **COMMON,
                          "503": _error("The audit trail is unavailable")}}},
        **openapi_watch.paths(_json, _ref, _query, COMMON, _error),
        **openapi_spend.paths(_json, _ref, COMMON),
        **openapi_pictures.paths(_json, _ref, COMMON),
    }
    paths.update(openapi_batches.paths(COMMON, _json, _error, _ref, _path))
    paths.update(openapi_search.paths(_json, _ref, _query, _path, COMMON, UPSTREAM))
    return {"openapi": "3.0.3",
            "info": {"title": "opsweb JSON twins", "version": "1",
                     "description": "The curl side of the opsweb operations panel."},
            "servers": [{"url": prefix}],
            "paths": paths,
            "components": {"schemas": {**SCHEMAS, **{name: schema for part in PARTS
                                                     for name, schema in part.SCHEMAS.items()}},
                           "securitySchemes": {
                "operatorToken": {"type": "http", "scheme": "bearer",
                                  "description": "A token from OPSWEB_OPERATOR_TOKENS"}}},
            "security": [{"operatorToken": []}, {}]}
