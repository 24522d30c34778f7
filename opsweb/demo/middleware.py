"""Around every /api request: record it, add latency, inject the configured fault,
check the bearer, then let the world catch up to now (in that order).
"""

from __future__ import annotations

import socket
import time

from flask import Response, current_app, g, request

from .clock import canonical_uuid
from .harness import FAULT_ERRORS, MALFORMED_BODY, Harness
from .server import api, error
from .world import World


def world() -> World:
    return current_app.extensions["opsweb_demo"]["world"]


_ROUTE_KEYS = {
    "health": "health", "companies": "companies", "company": "company:{cid}",
    "live_runs": "live-runs:{cid}", "company_agents": "agents:{cid}", "run": "run:{rid}",
    "company_runs": "heartbeat-runs:{cid}",
    "run_log": "log:{rid}", "run_events": "events:{rid}", "run_issues": "run-issues:{rid}",
    "agent": "agent:{aid}", "issue": "issue:{ref}", "cancel": "cancel:{rid}",
    "reset_session": "reset-session:{aid}", "wakeup": "wakeup:{aid}",
    "pause": "pause:{aid}", "resume": "resume:{aid}",
}


def _route_key() -> str:
    endpoint = (request.endpoint or "").rpartition(".")[2]
    template = _ROUTE_KEYS.get(endpoint) if request.blueprint == api.name else None
    return template.format(**(request.view_args or {})) if template else "unknown"


def _drop_connection() -> None:
    """Hang up without answering: what a dead upstream or a reset proxy looks like."""
    sock = request.environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def before_api():
    if not request.path.startswith("/api"):
        return None
    harness: Harness = current_app.extensions["opsweb_demo"]["harness"]
    g.call = harness.record(_route_key(), request.method, request.path,
                            request.query_string.decode("latin-1"),
                            "Authorization" in request.headers)
    if harness.latency_ms:
        time.sleep(harness.latency_ms / 1000)
    company_id = (request.view_args or {}).get("cid") if request.blueprint == api.name else None
    fault = harness.fault_for(canonical_uuid(company_id or "") or company_id)
    if fault:
        answer = _apply_fault(harness, fault)
        if answer is not None:
            return answer
    if request.endpoint != f"{api.name}.health":
        problem = harness.auth_error(request.headers.get("Authorization"))
        if problem:
            return error(problem, 401)
    world().advance()
    return None


def _apply_fault(harness: Harness, fault: dict):
    mode = fault["mode"]
    if mode == "down":
        _drop_connection()
        return Response(b"", 204)  # never reaches the client: the socket is shut
    if mode == "slow":
        time.sleep(fault["delayMs"] / 1000)
        return None
    if mode in FAULT_ERRORS:
        return error(FAULT_ERRORS[mode], int(mode))
    if mode == "malformed":
        return Response(MALFORMED_BODY, 200, content_type="application/json; charset=utf-8")
    if mode == "truncated":
        g.truncate = True
        return None
    if mode == "huge":
        body = harness.huge_body(_huge_template(), fault["sizeBytes"])
        return Response(body, 200, content_type="application/json; charset=utf-8")
    return None


def _huge_template() -> dict:
    """A real live-runs row to copy, so a huge answer is also a plausible one."""
    demo_world = world()
    for company in demo_world.company_list():
        rows = demo_world.live_runs(company["id"], 1, 1)
        if rows:
            return rows[0]
    return {"id": "none"}


def after_api(resp: Response) -> Response:
    call = g.get("call")
    if call is not None:
        call["status"] = resp.status_code
    if g.get("truncate"):
        # announce the whole body, send half, hang up: the client sees a short read
        body = resp.get_data()
        cut = Response(body[: len(body) // 2], resp.status_code, content_type=resp.content_type)
        cut.headers["Content-Length"] = str(len(body))
        cut.headers["Connection"] = "close"
        return cut
    return resp
