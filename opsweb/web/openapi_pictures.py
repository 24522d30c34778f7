"""The OpenAPI entries of the pictures' twins (the overview, the agent card's day),
kept beside openapi.py so that neither grows past its size; openapi.document() merges
them."""
from __future__ import annotations

TEXT = {"type": "string"}
MAYBE_TEXT = {"type": "string", "nullable": True}
COUNT = {"type": "integer", "minimum": 0}
OUTCOMES = ("succeeded", "failed", "cancelled", "timedOut", "interrupted")

SCHEMAS = {
    "LastDay": {"type": "object", "description": "what the agent card's day strip draws",
                "required": ["knownFrom", "runs"], "properties": {
        "knownFrom": {**MAYBE_TEXT, "description": "runs that ended before this are not"
                      " known (the read's limit); null: the whole day"},
        "runs": {"type": "array", "items": {"type": "object", "required": [
            "runId", "outcome", "startedAt", "finishedAt"], "properties": {
            "runId": TEXT, "outcome": TEXT, "startedAt": MAYBE_TEXT, "finishedAt": MAYBE_TEXT}}}}},
    "Overview": {"type": "object", "required": ["from", "to", "hours", "liveRuns", "countedFrom",
                                                "companies", "spendPerHour", "errors"],
                 "properties": {
        "from": TEXT, "to": TEXT,
        "hours": {"type": "array", "minItems": 24, "maxItems": 24, "items": {
            "type": "object", "required": ["hour", *OUTCOMES, "total", "successRate"],
            "properties": {"hour": TEXT, **{o: COUNT for o in OUTCOMES}, "total": COUNT,
                           "successRate": {"type": "number", "minimum": 0, "maximum": 1,
                                           "nullable": True}}}},
        "liveRuns": {"type": "object", "required": ["observingSince", "samples"], "properties": {
            "observingSince": MAYBE_TEXT,
            "samples": {"type": "array", "items": {
                "type": "object", "required": ["at", "running", "queued", "complete"],
                "properties": {"at": TEXT, "running": COUNT, "queued": COUNT,
                               "complete": {"type": "boolean"}}}}}},
        "countedFrom": MAYBE_TEXT,
        "spendPerHour": {"type": "array", "description": "each company's dollars per hour in"
                         " Paperclip's cost windows ending now (7 d→24 h, 24→5 h, 5 h→now)",
                         "items": {"type": "object", "properties": {
            "companyId": TEXT, "companyName": TEXT, "windows": {"type": "array", "items": {
                "type": "object", "properties": {
                    "fromHoursAgo": COUNT, "toHoursAgo": COUNT, "usdPerHour": {"type": "number"}}}}}}},
        "companies": {"type": "array", "items": {"type": "object", "properties": {
            "id": TEXT, "name": TEXT}}},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "companyId": TEXT, "companyName": TEXT, "error": TEXT}}}}},
}


def paths(json, ref, common: dict) -> dict:
    """With openapi.py's own helpers, so both files describe answers alike."""
    return {"/overview": {"get": {
        "operationId": "overview",
        "summary": "The last 24 h across companies: finished runs per hour by outcome, the"
                   " success rate, live runs as this opsweb observed them",
        "responses": {"200": json("The overview (always 200; failures are in errors)",
                                  ref("Overview")), **common}}}}
