"""The OpenAPI entry of the spend twin, kept beside openapi.py so that neither grows
past its size; openapi.document() merges it. Money in cents, rates in dollars."""
from __future__ import annotations

CENTS = {"type": "integer", "description": "US cents"}
MAYBE_CENTS = {"type": "integer", "nullable": True,
               "description": "US cents; null: no budget (Paperclip's 0)"}
PERCENT = {"type": "number", "nullable": True, "description": "null without a budget"}
PER_HOUR = {"type": "number", "description": "US dollars per hour over the last 24 h"}
MAYBE_TEXT = {"type": "string", "nullable": True}

SCHEMAS = {
    "Spend": {"type": "object", "required": ["companies", "errors"], "properties": {
        "companies": {"type": "array", "items": {"type": "object", "required": [
            "companyId", "companyName", "spendCents", "budgetCents", "utilizationPercent",
            "usdPerHour", "projectedMonthCents", "agents", "incidents"], "properties": {
            "companyId": {"type": "string"}, "companyName": {"type": "string"},
            "spendCents": {**CENTS, "description": "US cents spent this UTC month"},
            "budgetCents": MAYBE_CENTS, "utilizationPercent": PERCENT, "usdPerHour": PER_HOUR,
            "projectedMonthCents": {**CENTS, "description": "the month's pace so far, to its end"},
            "agents": {"type": "array", "items": {"type": "object", "required": [
                "agentId", "name", "spendCents", "budgetCents", "usdPerHour"], "properties": {
                "agentId": {"type": "string"}, "name": {"type": "string"},
                "spendCents": CENTS, "budgetCents": MAYBE_CENTS, "usdPerHour": PER_HOUR,
                "utilizationPercent": PERCENT}}},
            "incidents": {"type": "array", "description": "Paperclip's open budget incidents",
                          "items": {"type": "object", "properties": {
                              "id": {"type": "string"}, "scopeType": MAYBE_TEXT,
                              "scopeId": MAYBE_TEXT, "scopeName": MAYBE_TEXT,
                              "thresholdType": MAYBE_TEXT, "amountLimit": {"nullable": True},
                              "amountObserved": {"nullable": True}, "status": MAYBE_TEXT,
                              "approvalStatus": MAYBE_TEXT, "windowStart": MAYBE_TEXT,
                              "createdAt": MAYBE_TEXT}}}}}},
        "errors": {"type": "array", "items": {"type": "object", "required": [
            "companyId", "error"], "properties": {"companyId": {"type": "string"},
                                                  "companyName": {"type": "string"},
                                                  "error": {"type": "string"}}}}}},
}


def paths(json, ref, common: dict) -> dict:
    """With openapi.py's own helpers, so both files describe answers alike."""
    return {"/spend": {"get": {
        "operationId": "spend",
        "summary": "Spend against budget this UTC month per company and agent, the pace,"
                   " the projection and Paperclip's open budget incidents",
        "responses": {"200": json("Spend (always 200; failures are in errors)", ref("Spend")),
                      **common}}}}
