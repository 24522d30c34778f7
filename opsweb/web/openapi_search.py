"""The OpenAPI entries of the search twins (one run's transcript, an agent's last
runs), kept beside openapi.py so that neither grows past its size; openapi.document()
merges them."""
from __future__ import annotations

from opsweb.fleet.search import MAX_MATCHES, MAX_QUERY
from opsweb.fleet.search_runs import MAX_RUNS

TEXT = {"type": "string"}
MAYBE_TEXT = {"type": "string", "nullable": True}
INTEGER = {"type": "integer"}
MATCH = {"type": "object", "required": ["offset", "nextOffset", "kind", "text", "before", "after"],
         "properties": {"offset": INTEGER, "line": INTEGER, "nextOffset": INTEGER, "kind": TEXT, "text": TEXT,
                        "before": TEXT, "after": TEXT,
                        "hits": {"type": "array", "items": {"type": "array", "items": INTEGER}}}}
MODE = {"type": "string", "enum": ["text", "regex"]}
SCHEMAS = {
    "SearchMatch": MATCH,
    "Search": {"type": "object", "required": ["query", "mode", "matches", "truncated",
                                              "scannedBytes", "totalBytes"], "properties": {
        "query": TEXT, "mode": MODE, "matches": {"type": "array", "items": MATCH},
        "truncated": {"type": "boolean"}, "cursor": MAYBE_TEXT,
        "stopped": {"type": "string", "enum": ["end", "matches", "deadline", "early"]},
        "scannedBytes": INTEGER, "totalBytes": INTEGER}},
    "AgentSearch": {"type": "object", "required": ["agentId", "query", "mode", "runs"],
                    "properties": {"agentId": TEXT, "query": TEXT, "mode": MODE, "runs": {
        "type": "array", "items": {"type": "object", "required": ["runId", "match"],
                                   "properties": {
            "runId": TEXT, "status": MAYBE_TEXT, "startedAt": MAYBE_TEXT,
            "finishedAt": MAYBE_TEXT, "match": {**MATCH, "nullable": True},
            "complete": {"type": "boolean"}, "scannedBytes": INTEGER,
            "totalBytes": {"type": "integer", "nullable": True}, "error": MAYBE_TEXT}}}}},
}


def paths(json, ref, query, path, common: dict, upstream: dict) -> dict:
    """With openapi.py's own helpers, so both files describe answers alike."""
    q = {"name": "q", "in": "query", "required": True,
         "description": "what to find: literal text, case-insensitive (or a regex with regex=1)",
         "schema": {"type": "string", "minLength": 1, "maxLength": MAX_QUERY}}
    regex = query("regex", "1: q is a regular expression (RE2 syntax, case-insensitive unless"
                  " it says (?-i))", {"type": "string", "enum": ["0", "1"]})
    return {
        "/runs/{runId}/search": {"get": {
            "operationId": "runSearch",
            "summary": f"Search the run's transcript (as the dialog shows it): at most {MAX_MATCHES}"
                       " matches, each with its byte offset (log?at= opens there)",
            "parameters": [path("runId"), q, regex,
                           query("cursor", "search further from an earlier answer's cursor",
                                 {"type": "string", "pattern": r"^[0-9][0-9.a-z-]{0,52}_[0-9]{1,9}$"}),
                           query("until", "with cursor: the earlier answer's totalBytes",
                                 {"type": "integer", "minimum": 0, "maximum": 2**50}),
                           query("shown", "matches already shown (this answer brings the rest of"
                                 f" {MAX_MATCHES})", {"type": "integer", "minimum": 0,
                                                      "maximum": MAX_MATCHES - 1})],
            "responses": {"200": json("The matches", ref("Search")), **common, **upstream}}},
        "/agents/{agentId}/search": {"get": {
            "operationId": "agentSearch",
            "summary": "Search the agent's last runs (newest first), each for its first match",
            "parameters": [path("agentId"), q, regex,
                           query("runs", f"how many runs (1-{MAX_RUNS}, default 5)",
                                 {"type": "integer", "minimum": 1, "maximum": MAX_RUNS})],
            "responses": {"200": json("Each run with its first match", ref("AgentSearch")),
                          **common, **upstream}}},
    }
