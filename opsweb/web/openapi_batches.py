"""The batch routes of the OpenAPI document (openapi.py merges them in): kept apart so
that each file stays one screenful of one family."""
from __future__ import annotations

from opsweb.actions.batch import ACTIONS

UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
_TEXT = {"type": "string"}
_MAYBE = {"type": "string", "nullable": True}
_COUNT = {"type": "integer", "minimum": 0}
_IDS = {"type": "array", "items": {"type": "string", "pattern": UUID_PATTERN}}
_ITEM = {"type": "object", "required": ["target", "kind", "outcome"], "properties": {
    "target": _TEXT, "kind": {"type": "string", "enum": ["cancel", "pause", "resume", "drain"]},
    "name": _MAYBE, "message": _MAYBE,
    "outcome": {"type": "string", "enum": ["pending", "draining", "done", "failed", "unknown",
                                           "notSent"]}}}
SCHEMAS = {
    "Batch": {"type": "object", "required": [
        "id", "action", "status", "total", "done", "failed", "unknown", "notSent", "items"],
        "properties": {
            "id": _TEXT, "action": {"type": "string", "enum": list(ACTIONS)},
            "status": {"type": "string", "enum": ["running", "done", "cancelled"]},
            "operator": _TEXT, "reason": _MAYBE, "at": _TEXT, "finishedAt": _MAYBE,
            "undoOf": _MAYBE, "total": _COUNT, "done": _COUNT, "failed": _COUNT,
            "unknown": _COUNT, "notSent": _COUNT, "pending": _COUNT, "draining": _COUNT,
            "items": {"type": "array", "items": _ITEM}}},
    "BatchPreview": {"type": "object", "required": ["action", "total", "items", "more"],
                     "properties": {"action": _TEXT, "total": _COUNT, "more": _COUNT,
                                    "items": {"type": "array", "items": {"type": "object"}}}},
}
_ASK = {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["action"],
    "description": "exactly one of runIds (stop, cancel_queued), agentIds (pause, resume,"
                   " drain) or filter; a reason (required to start)",
    "properties": {"action": {"type": "string", "enum": list(ACTIONS)},
                   "runIds": _IDS, "agentIds": _IDS,
                   "filter": {"type": "object", "properties": {
                       "company": {"type": "string", "pattern": UUID_PATTERN}, "agent": _TEXT,
                       "status": {"type": "string", "enum": ["running", "queued"]},
                       "silent": {"type": "string", "enum": ["0", "1"]}}},
                   "reason": {"type": "string", "maxLength": 300}}}}}}
_REASON = {"required": False, "content": {"application/json": {"schema": {
    "type": "object", "properties": {"reason": {"type": "string", "maxLength": 300}}}}}}
_BATCH_ID = {"name": "batchId", "in": "path", "required": True,
             "schema": {"type": "string", "pattern": "^[0-9a-f]{16}$"}}


def paths(common: dict, json, error, ref, path) -> dict:
    """`common`, `json`, `error`, `ref`, `path`: openapi.py's shared answers and helpers."""
    refused = {**common, "415": error("A body that is not JSON"),
               "503": error("The audit trail is unavailable: nothing was sent")}
    started = {"202": json("Started: poll GET /batches/{batchId}", ref("Batch")), **refused,
               "429": error("This operator has too many batches running")}
    known = {**common, "404": error("No such batch"), "503": error("The audit trail is unavailable")}
    return {
        "/batches": {"post": {"operationId": "startBatch",
                              "summary": "Stop, Cancel queued, Pause, Resume or Drain many at once",
                              "requestBody": _ASK, "responses": started}},
        "/batches/preview": {"post": {"operationId": "previewBatch",
                                      "summary": "What a batch would act on (nothing is sent)",
                                      "requestBody": _ASK, "responses": {
                                          "200": json("The targets", ref("BatchPreview")),
                                          **refused}}},
        "/batches/{batchId}": {"get": {"operationId": "batch", "summary": "A batch's progress",
                                       "parameters": [_BATCH_ID], "responses": {
                                           "200": json("The batch", ref("Batch")), **known}}},
        "/batches/{batchId}/cancel": {"post": {
            "operationId": "cancelBatch", "summary": "Items not yet sent become notSent",
            "parameters": [_BATCH_ID], "requestBody": _REASON,
            "responses": {"200": json("The batch", ref("Batch")), **known,
                          "415": error("A body that is not JSON")}}},
        "/batches/{batchId}/undo": {"post": {
            "operationId": "undoBatch", "summary": "Resume exactly the agents a Pause batch paused",
            "parameters": [_BATCH_ID], "requestBody": _REASON,
            "responses": {**started, "404": error("No such batch"),
                          "409": error("The batch is still running")}}},
        "/companies/{companyId}/pause": {"post": {
            "operationId": "pauseCompany",
            "summary": "Kill switch: pause every agent of the company not already paused",
            "parameters": [path("companyId")], "requestBody": _REASON, "responses": started}},
    }
