"""All live runs, always: Paperclip's live-runs returns at most 50 runs, newest
first, so in a busy company the oldest live runs — the ones most likely stuck — are
not in it. When the answer is full, the company's newest heartbeat runs (every status,
newest first) are read and the running and queued ones it left out are added, named
from the company's agents, with an output silence computed the way Paperclip does
(1 h suspicious, 4 h critical; a snooze is not visible from there).
"""
from __future__ import annotations

from datetime import datetime, timezone

from opsweb import platform_port as port
from opsweb.i18n import timefmt
from opsweb.i18n.said import Said

LIVE_RUNS_CAP = 50  # live-runs' `limit` maximum (paperclip-api.md §1)
HISTORY_SCAN = 1000  # heartbeat-runs' `limit` maximum; it has no offset
SUSPICIOUS_S, CRITICAL_S = 3600, 4 * 3600
FROM_HISTORY = "opswebSource"


class LiveRuns(list):
    """live-runs' answer, completed; `error` says why it could not be."""
    error: str | None = None


def _silence(run: dict, now: datetime) -> dict:
    if run.get("status") != "running":
        return {"level": "not_applicable", "silenceAgeMs": None}
    since = timefmt.parse(run.get("lastOutputAt") or run.get("processStartedAt")
                          or run.get("startedAt"))
    age = max(0.0, (now - since).total_seconds()) if since else None
    level = ("ok" if age is None or age < SUSPICIOUS_S
             else "suspicious" if age < CRITICAL_S else "critical")
    return {"level": level, "silenceAgeMs": None if age is None else int(age * 1000),
            "lastOutputAt": run.get("lastOutputAt")}


def complete(platform: port.Platform, company_id: str, live: list[dict],
             now: datetime | None = None) -> list[dict]:
    """`live` as it came when it is not full; else `live` plus the live runs that
    heartbeat-runs shows and live-runs left out."""
    if len(live) < LIVE_RUNS_CAP:
        return live
    result = LiveRuns(live)
    try:
        rows = port.pc_list_heartbeat_runs(platform, company_id, limit=HISTORY_SCAN)
        agents = {str(a.get("id")): a for a in port.pc_list_agents(platform, company_id)
                  if isinstance(a, dict)}
    except port.PlatformError as err:
        result.error = err.message
        return result
    now = now or datetime.now(timezone.utc)
    shown = {r.get("id") for r in live if isinstance(r, dict)}
    for row in rows:
        if not isinstance(row, dict) or row.get("status") not in ("running", "queued") \
                or row.get("id") in shown:
            continue
        agent = agents.get(str(row.get("agentId"))) or {}
        result.append({**row, "agentName": agent.get("name"),
                       "adapterType": agent.get("adapterType"),
                       "issueId": (row.get("contextSnapshot") or {}).get("issueId"),
                       "outputSilence": _silence(row, now), FROM_HISTORY: "heartbeat-runs"})
    return result


def note(company: dict, runs: list[dict]) -> dict | None:
    """What the panel says about a company whose live-runs answer was full."""
    if len(runs) < LIVE_RUNS_CAP:
        return None
    added = sum(1 for r in runs if isinstance(r, dict) and r.get(FROM_HISTORY))
    error = getattr(runs, "error", None)
    if error:
        detail = Said("Paperclip returned its maximum of %(cap)s live runs; older ones may be"
                      " missing (heartbeat-runs could not be read: %(problem)s)",
                      cap=LIVE_RUNS_CAP, problem=error)
    elif added == 1:
        detail = Said("Paperclip returns at most %(cap)s live runs; 1 older running or queued"
                      " run added from heartbeat-runs", cap=LIVE_RUNS_CAP)
    elif added:
        detail = Said("Paperclip returns at most %(cap)s live runs; %(added)s older running or"
                      " queued runs added from heartbeat-runs", cap=LIVE_RUNS_CAP, added=added)
    else:
        detail = Said("Paperclip returned its maximum of %(cap)s live runs; heartbeat-runs"
                      " shows no older live run", cap=LIVE_RUNS_CAP)
    return {"companyId": company["id"], "companyName": company["name"],
            "liveRuns": len(runs), "addedFromHistory": added, "detail": detail}
